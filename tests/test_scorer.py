"""The scorer (weights, gates, config errors), the oracle at the top of the default scorer, and
score.py end to end (re-scoring a run dir without touching its rollouts)."""

from __future__ import annotations

import json

import pytest
from test_checks import BAD, bad, good_steps, make_record

from agentpref.agent.generation import run_generation
from agentpref.agent.record import read_rollouts
from agentpref.entrypoints import load
from agentpref.errors import ConfigError
from agentpref.scoring.checks import CHECKS
from agentpref.scoring.scorer import ScorerConfig, combine, load_scorer, score_record, score_records


def _bad(name: str):
    steps, options, _ = BAD[name]
    return make_record(steps, **options)


def _bad_records():
    return {name: _bad(name) for name in BAD}


def _smollm2_like(n: int = 4):
    """What SmolLM2-135M does today: prose, no tool call, until max_steps."""
    return [
        make_record(
            [bad(f"Reply {i}") for i in range(2)] + [bad("The same words.")] * 2,
            diff="",
            visible=False,
            hidden=k % 2 == 0,
            tokens=1500,
        )
        for k in range(n)
    ]


def _load(*overrides):
    return load("score", ["run=/tmp/x", *overrides])


@pytest.mark.parametrize("name", ["default", "functional", "discipline"])
def test_shipped_scorers_validate_and_cover_every_check(repo, name):
    cfg = _load(f"scorer={name}").scorer
    assert cfg.name == name and set(cfg.weights) == set(CHECKS)
    assert load_scorer(name) == cfg


@pytest.mark.parametrize(
    "override, message",
    [
        ("+scorer.weights.typo=1", "unknown check 'typo' in weights; valid checks: protocol, tests_before_edit"),
        ("+scorer.gates.nope=1", "unknown check 'nope' in gates; valid checks: protocol"),
        ("scorer.weights.loops=-1", "weight of 'loops' is negative"),
        ("scorer.gates.scope=2", "gate of 'scope' must be a threshold in [0, 1]"),
        ("+scorer.typo=1", "unknown config key 'scorer.typo'"),
    ],
)
def test_scorer_config_errors_are_one_line(repo, override, message):
    with pytest.raises(ConfigError) as exc:
        _load(override)
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_load_scorer_errors():
    with pytest.raises(ConfigError, match="unknown scorer 'nope': use one of default, discipline, functional"):
        load_scorer("nope")
    with pytest.raises(ConfigError, match="weights sum to 0"):
        load_scorer("default", weights=dict.fromkeys(CHECKS, 0))


def test_weighted_mean_and_gates():
    cfg = ScorerConfig(weights={"functional_hidden": 3, "loops": 1})
    loop = score_record(_bad("identical_reads"), cfg)
    assert loop.checks["loops"].value == pytest.approx(0.625, abs=1e-3)
    assert loop.score == pytest.approx((3 + 0.625) / 4, abs=1e-3) and set(loop.checks) == set(CHECKS)
    # a refused edit of a test file: the default scorer's gate zeroes the score, functional has none
    cheater = _bad("edits_test_file")
    assert score_record(cheater, load_scorer("default")).score == 0
    assert score_record(cheater, load_scorer("functional")).score > 0.9
    assert combine(score_record(cheater, cfg).checks, cfg.model_copy(update={"gates": {"scope": 1.0}})) == 0


def test_scorers_put_different_emphasis():
    hidden_fails = _bad("hidden_fails")
    undisciplined = _bad("no_tests_before_edit")
    for name, better, worse in [
        ("functional", undisciplined, hidden_fails),
        ("discipline", hidden_fails, undisciplined),
    ]:
        cfg = load_scorer(name)
        assert score_record(better, cfg).score > score_record(worse, cfg).score, name


def _oracle_run(generate_config, tmp_path):
    cfg = generate_config("backend=oracle", "tasks.programs=[anagram_groups,bank_account]", run_dir=tmp_path / "run")
    run_generation(cfg)
    return tmp_path / "run"


def test_oracle_scores_at_the_top_of_default(generate_config, tmp_path):
    oracle = read_rollouts(_oracle_run(generate_config, tmp_path) / "rollouts.jsonl")
    others = [*_bad_records().values(), *_smollm2_like()]
    cfg = load_scorer("default")
    scored = score_records(oracle + others, cfg)
    top, rest = scored[: len(oracle)], scored[len(oracle) :]
    assert len(top) == 4 and min(r.score for r in top) >= 0.98, [(r.score, r.checks) for r in top]
    assert min(r.score for r in top) >= max(r.score for r in rest)
    assert max(r.score for r in score_records(_smollm2_like(), cfg)) < 0.5
    assert score_record(make_record(good_steps()), cfg).score == 1.0


def test_score_py_end_to_end(generate_config, tmp_path, run_cli):
    run_dir = _oracle_run(generate_config, tmp_path)
    rollouts = run_dir / "rollouts.jsonl"
    original = rollouts.read_bytes()
    r = run_cli("score.py", f"run={run_dir}", "scorer=discipline", "scorer.weights.loops=3")
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["records"] == 4 and summary["mean_score"] >= 0.98 and summary["scorer"] == "discipline"
    assert set(summary["checks"]) == set(CHECKS) and summary["skipped_partial_lines"] == 0
    scored = read_rollouts(run_dir / "scored.jsonl")
    assert [r.key for r in scored] == [r.key for r in read_rollouts(rollouts)]
    assert all(r.score is not None and set(r.checks) == set(CHECKS) for r in scored)
    assert not list(run_dir.glob(".scored*")) and rollouts.read_bytes() == original

    # a run killed mid-write: the half line is skipped (with a warning), the file left as it is
    rollouts.write_bytes(original + original.splitlines(keepends=True)[0][:200])
    out = tmp_path / "elsewhere" / "scored.jsonl"
    r = run_cli("score.py", f"run={run_dir}", f"run_dir={out.parent}")
    assert r.returncode == 0, r.stderr[-2000:]
    assert json.loads(r.stdout.strip().splitlines()[-1])["skipped_partial_lines"] == 1
    assert "warning: skipped a partial last line" in r.stderr and len(read_rollouts(out)) == 4
    assert rollouts.read_bytes() == original + original.splitlines(keepends=True)[0][:200]


def _error_line(r) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr[-2000:])
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("error: ")]
    assert len(lines) == 1, r.stderr
    return lines[0]


def test_score_py_bad_inputs(tmp_path, run_cli):
    good = make_record(good_steps()).model_dump_json() + "\n"
    cases = {
        "empty": ("", "has no complete rollout records: nothing to score (empty run)"),
        "only_partial": (good[:100], "nothing to score (empty run)"),
        "newer": (
            good + good.replace('"schema_version":1', '"schema_version":2'),
            "rollouts.jsonl:2: rollout schema_version 2 is newer than this scorer's (1)",
        ),
        "bad_line": (good + '{"run_id": 1}\n' + good, "rollouts.jsonl:2: not a valid rollout record"),
    }
    for name, (content, _) in cases.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "rollouts.jsonl").write_text(content)
    for name, (_, message) in cases.items():
        r = run_cli("score.py", f"run={tmp_path / name}")
        assert message in _error_line(r), name
        assert not (tmp_path / name / "scored.jsonl").exists()
    assert "is not a directory" in _error_line(run_cli("score.py", f"run={tmp_path / 'missing'}"))
    assert "missing config value 'run'" in _error_line(run_cli("score.py"))
