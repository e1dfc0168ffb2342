"""build_data: SFT sets and trajectory pairs from real runs (an API policy on a loopback server
whose scripted agent fixes the bug in some samples and not in others, plus oracle demos), the
train-only rule, yield figures, and bad input."""

import json
import threading

import pytest
from fake_openai_server import Behaviour, FakeOpenAIServer, ScriptedAgent, completion

from agentpref.agent.generation import run_generation
from agentpref.agent.policies.oracle import minimal_hunk
from agentpref.data.build import BuildDataConfig, build_data
from agentpref.errors import ConfigError, DataError

TASK = "builtin/anagram_groups/min_size_exclusive"  # train split
PATH = "anagram_groups.py"


class SometimesFixes(ScriptedAgent):
    """read, run tests, then (every other episode) the reference edit, run tests, finish."""

    def __init__(self, old: str, new: str):
        super().__init__()
        self.old, self.new, self.decisions, self.lock = old, new, 0, threading.Lock()

    def __call__(self, request):
        turn = sum(1 for m in request["messages"] if m["role"] == "assistant")
        plan = [("read_file", {"path": PATH}), ("run_tests", {})]
        if turn == 2:
            with self.lock:
                fix = self.decisions % 2 == 0
                self.decisions += 1
            call = (
                ("edit", {"path": PATH, "old": self.old, "new": self.new}) if fix else ("finish", {"summary": "done"})
            )
        elif turn == 3:
            call = ("run_tests", {})
        else:
            call = plan[turn] if turn < 2 else ("finish", {"summary": "fixed"})
        return Behaviour(body=completion(None, [call], request=request))


@pytest.fixture(scope="module")
def runs(tmp_path_factory, builtin_tasks):
    """An API run with 4 samples of one train task (2 fixed, 2 not) and an oracle run on a train
    and a heldout program."""
    import os

    from agentpref.entrypoints import load

    root = tmp_path_factory.mktemp("runs")
    task = builtin_tasks[TASK]
    old, new = minimal_hunk(task.files[PATH], task.reference_fix[PATH])

    def cfg(run_dir, *overrides):
        return load("generate", ["logger=none", "progress=false", *overrides], run_dir=run_dir)

    os.environ["OPENAI_API_KEY"] = "EMPTY"
    with FakeOpenAIServer(fallback=SometimesFixes(old, new)) as srv:
        run_generation(
            cfg(
                root / "api",
                "backend=openai",
                "model=qwen7b",
                f"backend.base_url={srv.url}",
                "backend.batch_size=1",
                "tasks.programs=[anagram_groups]",
                "tasks.limit=1",
                "rollouts_per_task=4",
            )
        )
    run_generation(cfg(root / "oracle", "backend=oracle", "tasks.programs=[anagram_groups,base_convert]"))
    return root


def build(compose_config, tmp_path, runs, *overrides, names=("api", "oracle")):
    return build_data(
        compose_config(
            "build_data",
            BuildDataConfig,
            *overrides,
            runs=[str(runs / n) for n in names],
            run_dir=str(tmp_path / "data"),
        )
    ).model_dump(mode="json")


def read(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_trajectory_pairs_rank_by_score_and_mask_environment_tokens(compose_config, tmp_path, runs):
    stats = build(compose_config, tmp_path, runs)
    pairs = read(tmp_path / "data" / "pairs.jsonl")
    assert stats["trajectory_pairs"]["examples"] == len(pairs) == 4  # top-2 x bottom-2
    for p in pairs:
        meta = p["metadata"]
        assert meta["pair_kind"] == "trajectory" and meta["task_id"] == TASK
        assert meta["chosen_resolved"] and not meta["rejected_resolved"]
        assert meta["margin"] >= 0.2 and meta["chosen_score"] - meta["rejected_score"] == pytest.approx(meta["margin"])
        assert [m["role"] for m in p["prompt"]] == ["system", "user"]
        assert '"name": "edit"' in p["prompt"][0]["content"]  # text-protocol system prompt for the target
        for side in ("chosen", "rejected"):
            assert p[f"{side}_loss_mask"] == [m["role"] == "assistant" for m in p[side]]
            assert p[side][0]["role"] == "assistant" and "<tool_call>" in p[side][0]["content"]
        assert any('"name": "edit"' in m["content"] for m in p["chosen"])
        assert not any('"name": "edit"' in m["content"] for m in p["rejected"] if m["role"] == "assistant")
    assert stats["trajectory_pairs"]["counts"]["privileged_skipped"] == 2  # oracle never pairs


def test_pairs_can_end_a_few_turns_after_the_sides_diverge(compose_config, tmp_path, runs):
    """turns_after_divergence=1: each side ends with its first turn that differs (edit vs finish),
    the shared opening and the masks kept, the rest of the episode left out."""
    build(compose_config, tmp_path, runs, "trajectory_pairs.turns_after_divergence=1")
    pairs = read(tmp_path / "data" / "pairs.jsonl")
    assert len(pairs) == 4
    for p in pairs:
        first = p["metadata"]["divergence_message"]
        assert p["chosen"][:first] == p["rejected"][:first] and first == 4  # read + tests, both sides
        assert len(p["chosen"]) == len(p["rejected"]) == first + 1
        assert '"name": "edit"' in p["chosen"][-1]["content"] and '"name": "finish"' in p["rejected"][-1]["content"]
        assert p["metadata"]["decision"] == "edit_over_finish"
        for side in ("chosen", "rejected"):
            assert p[f"{side}_loss_mask"] == [m["role"] == "assistant" for m in p[side]]


def test_pairs_that_part_on_a_named_decision_can_be_left_out(compose_config, tmp_path, runs):
    """Every pair here parts where one side edits and the other finishes: '*_over_finish' leaves them all
    out (counted), a decision they do not take keeps them, and a typo is one line naming the kinds."""
    stats = build(compose_config, tmp_path, runs, "trajectory_pairs.skip_decisions=[test_over_finish,edit_over_edit]")
    assert (
        stats["trajectory_pairs"]["counts"]["decision/edit_over_finish"] == stats["trajectory_pairs"]["examples"] == 4
    )
    stats = build(compose_config, tmp_path, runs, "trajectory_pairs.skip_decisions=['*_over_finish']")
    assert stats["trajectory_pairs"]["examples"] == 0 and stats["trajectory_pairs"]["counts"]["skipped_decision"] == 4
    assert read(tmp_path / "data" / "pairs.jsonl") == []
    with pytest.raises(ConfigError, match="edit_over_stop.*chosen_over_rejected.*finish"):
        build(compose_config, tmp_path, runs, "trajectory_pairs.skip_decisions=[edit_over_stop]")


def test_the_decision_is_the_first_turn_where_the_episodes_differ(runs):
    from agentpref.agent.protocol import ProtocolError
    from agentpref.agent.record import RolloutRecord
    from agentpref.data.pairs import decision

    records = [RolloutRecord.model_validate_json(x) for x in (runs / "api" / "rollouts.jsonl").read_text().splitlines()]
    fixed = next(r for r in records if r.final.resolved)
    gave_up = next(r for r in records if not r.final.resolved)
    assert decision(fixed, gave_up) == "edit_over_finish" and decision(gave_up, fixed) == "finish_over_edit"
    assert decision(fixed, fixed) == "same_over_same"
    cut = fixed.model_copy(update={"steps": fixed.steps[:3]})
    assert decision(fixed, cut) == "test_over_end"  # the rejected side had stopped
    bad = fixed.steps[0].model_copy(
        update={"action": None, "raw_text": "oops", "protocol_error": ProtocolError(kind="no_tool_call", message="x")}
    )
    assert decision(fixed.model_copy(update={"steps": [bad, *fixed.steps[1:]]}), fixed) == "protocol_error_over_explore"


def test_divergence_cut_counts_assistant_turns_from_the_first_difference():
    from agentpref.data.pairs import divergence_cut

    def turns(*calls):
        return [m for c in calls for m in ({"role": "assistant", "content": c}, {"role": "tool", "content": "ok"})]

    chosen, rejected = turns("read", "test", "edit", "test", "finish"), turns("read", "finish")
    assert divergence_cut(chosen, rejected, 1) == (2, 3, 3)
    assert divergence_cut(chosen, rejected, 2) == (2, 5, 4)  # the shorter side ends where it ends
    assert divergence_cut(chosen, chosen, 1) == (10, 10, 10)  # identical sides: nothing to cut at
    # a masked (malformed) turn of the chosen side does not count: the cut keeps a trained turn
    masks = ([m["role"] == "assistant" and m["content"] != "test" for m in chosen], [True, False, True, False])
    assert divergence_cut(chosen, rejected, 1, masks) == (2, 5, 3)


def test_the_chosen_sides_protocol_error_turns_stay_out_of_the_loss(runs):
    from agentpref.agent.protocol import ProtocolError
    from agentpref.agent.record import RolloutRecord
    from agentpref.data.pairs import loss_mask

    line = (runs / "api" / "rollouts.jsonl").read_text().splitlines()[0]
    record = RolloutRecord.model_validate_json(line)
    bad = record.steps[1].model_copy(update={"protocol_error": ProtocolError(kind="invalid_json", message="x")})
    record = record.model_copy(update={"steps": [record.steps[0], bad, *record.steps[2:]]})
    turns = [m["role"] == "assistant" for m in record.messages[2:]]
    assert loss_mask(record, skip_errors=False) == turns
    masked = loss_mask(record, skip_errors=True)
    second = [i for i, t in enumerate(turns) if t][1]
    assert masked == [t and i != second for i, t in enumerate(turns)]


def test_sft_keeps_demonstrations_and_good_samples_of_train_tasks_only(compose_config, tmp_path, runs, builtin_tasks):
    stats = build(compose_config, tmp_path, runs, "sft.max_per_task=4")
    sft = read(tmp_path / "data" / "sft.jsonl")
    ids = [e["metadata"]["task_id"] for e in sft]
    assert all(builtin_tasks[i].split == "train" for i in ids)  # no heldout task leaks in
    assert stats["heldout_skipped"] == 2 and not any("base_convert" in i for i in ids)
    privileged = [e for e in sft if e["metadata"]["privileged"]]
    sampled = [e for e in sft if not e["metadata"]["privileged"]]
    assert len(privileged) == 2 and len(sampled) == 2 and all(e["metadata"]["resolved"] for e in sft)
    assert stats["sft"]["dropped"]["below_min_score"] == 2
    for e in sft:
        assert e["messages"][0]["role"] == "system" and e["messages"][-1]["role"] == "tool"
        assert all(set(m) == {"role", "content"} for m in e["messages"])
    y = stats["sft"]
    assert y["examples"] == 4 and y["per_task"] == pytest.approx(4 / stats["train_tasks"], abs=1e-3)
    assert y["per_1m_generated_tokens"] == pytest.approx(4 / stats["generated_tokens"] * 1e6, rel=1e-3)
    assert y["usd_per_example"] == pytest.approx(stats["usd"] / 4, rel=1e-3, abs=1e-6)
    wall = sum(json.loads((runs / n / "summary.json").read_text())["seconds"] for n in ("api", "oracle"))
    assert stats["generation_seconds"] == pytest.approx(wall)
    assert y["per_wall_hour"] == pytest.approx(4 / wall * 3600, rel=1e-3)
    assert (tmp_path / "data" / "stats.png").stat().st_size > 10_000


def test_bad_input_is_one_clear_error(compose_config, tmp_path, runs):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "rollouts.jsonl").write_text("")
    with pytest.raises(DataError, match="empty runs"):
        build(compose_config, tmp_path, tmp_path, names=("empty",))
    with pytest.raises(ConfigError, match="is not a directory: list generate.py run dirs"):
        build(compose_config, tmp_path, tmp_path, names=("nothing-here",))
    old = tmp_path / "old"
    old.mkdir()
    line = (runs / "api" / "rollouts.jsonl").read_text().splitlines()[0]
    (old / "rollouts.jsonl").write_text(line.replace('"schema_version":1', '"schema_version":0') + "\n")
    with pytest.raises(DataError, match="schema_version 0 is older"):
        build(compose_config, tmp_path, tmp_path, names=("old",))


def test_partial_last_line_is_counted_not_fatal(compose_config, tmp_path, runs):
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    text = (runs / "api" / "rollouts.jsonl").read_text()
    (crashed / "rollouts.jsonl").write_text(text + text.splitlines()[0][:100])
    stats = build(compose_config, tmp_path, tmp_path, names=("crashed",))
    assert stats["partial_lines_skipped"] == 1 and stats["train_records"] == 4


def test_cli_prints_yield(run_cli, tmp_path, runs):
    r = run_cli("build_data.py", f"runs=[{runs / 'api'},{runs / 'oracle'}]", f"run_dir={tmp_path}/d")
    assert r.returncode == 0, r.stderr[-2000:]
    stats = json.loads(r.stdout.strip().splitlines()[-1])
    assert stats["run_dir"] == f"{tmp_path}/d" and (tmp_path / "d" / "pairs.jsonl").exists()
    assert stats["trajectory_pairs"]["examples"] == 4 and "pairs per" not in r.stdout
    assert "trajectory_pairs: 4 (" in r.stderr and "/1M tokens" in r.stderr
    p99 = stats["sft"]["turn_tokens"]["p99"]
    assert f"assistant turns: p99 {p99} tokens" in r.stderr and f"-> backend.max_new_tokens >= {p99}" in r.stderr


def test_step_pairs_stage_runs_through_build_data(compose_config, tmp_path, runs, builtin_tasks):
    """The API policy, continued on its own rollouts, draws an edit or a finish at the decision
    point (alternately): real continuations (tools, tests) value both, and the edit wins."""
    import os

    task = builtin_tasks[TASK]
    old, new = minimal_hunk(task.files[PATH], task.reference_fix[PATH])
    os.environ["OPENAI_API_KEY"] = "EMPTY"
    with FakeOpenAIServer(fallback=SometimesFixes(old, new)) as srv:
        stats = build(
            compose_config,
            tmp_path,
            runs,
            "step_pairs.enabled=true",
            "backend=openai",
            "model=qwen7b",
            f"backend.base_url={srv.url}",
            "step_pairs.alternatives=2",
            "step_pairs.continuations=1",
            "step_pairs.max_steps=4",
            "step_pairs.max_states=1",
            "step_pairs.min_margin=0.1",
            names=("api",),
        )
    step = stats["step_pairs"]
    assert step["examples"] == 1 and step["stats"]["states"] == 1 and step["stats"]["continuations"] == 2
    (pair,) = read(tmp_path / "data" / "step_pairs.jsonl")
    assert pair["metadata"]["decision"] == "edit_vs_finish" and pair["metadata"]["chosen_kind"] == "edit"


def _nearest_rank(values: list[int], q: float) -> int:
    import math

    values = sorted(values)
    return values[max(0, math.ceil(q / 100 * len(values)) - 1)]


def test_sft_stats_give_assistant_turn_lengths_in_the_models_tokens(compose_config, tmp_path, runs):
    """stats.json says how long the demonstrated turns are (so max_new_tokens can be sized): in
    the target model's tokens, or as an estimate that says so when its tokenizer cannot load."""
    import math

    from agentpref.data import build as build_module

    stats = build(compose_config, tmp_path, runs)
    turns = [
        m["content"] for e in read(tmp_path / "data" / "sft.jsonl") for m in e["messages"] if m["role"] == "assistant"
    ]
    got = stats["sft"]["turn_tokens"]
    assert got["turns"] == len(turns) > 0 and got["model"] == "smollm2_135m"
    if got["counted_with"] == "tokenizer":  # the model was found (HF cache, GGUF, hub)
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(got["tokenizer"])
        lengths = [len(tok(t, add_special_tokens=False)["input_ids"]) for t in turns]
    else:
        lengths = [math.ceil(len(t) / 4) for t in turns]
    assert {k: got[k] for k in ("p50", "p90", "p99", "max")} == {
        "p50": _nearest_rank(lengths, 50),
        "p90": _nearest_rank(lengths, 90),
        "p99": _nearest_rank(lengths, 99),
        "max": max(lengths),
    }
    assert 0 < got["p50"] <= got["p90"] <= got["p99"] <= got["max"]
    assert json.loads((tmp_path / "data" / "stats.json").read_text())["sft"]["turn_tokens"] == got

    # a tokenizer that cannot load: characters/4, and the stats say why
    build_module._token_counter.cache_clear()
    try:
        stats = build(
            compose_config, tmp_path, runs, "model=qwen7b", "model.hub_id=/nonexistent/qwen", "model.gguf_fallback=null"
        )
    finally:
        build_module._token_counter.cache_clear()
    est = stats["sft"]["turn_tokens"]
    lengths = [math.ceil(len(t) / 4) for t in turns]
    assert est["counted_with"] == "chars/4" and "qwen7b" in est["note"] and "/nonexistent/qwen" in est["note"]
    assert (est["p99"], est["max"]) == (_nearest_rank(lengths, 99), max(lengths))
    assert "tokenizer" not in est


def test_sft_stats_without_examples_have_no_lengths(compose_config, tmp_path, runs):
    stats = build(compose_config, tmp_path, runs, "sft.min_score=1.0", "sft.include_privileged=false")
    assert stats["sft"]["examples"] == 0
    assert stats["sft"]["turn_tokens"] == {
        "turns": 0,
        "model": "smollm2_135m",
        "p50": None,
        "p90": None,
        "p99": None,
        "max": None,
    }


def test_only_step_pairs_need_a_policy_and_tasks(compose_config, tmp_path, runs):
    """SFT examples and trajectory pairs come from the rollouts alone: without backend and tasks the
    build runs; step pairs without them are refused in one line."""
    from agentpref.data.build import BuildDataConfig, build_data
    from agentpref.errors import ConfigError

    cfg = compose_config(
        "build_data", BuildDataConfig, f"runs=[{runs / 'oracle'}]", "~backend", "~tasks", run_dir=tmp_path
    )
    assert cfg.backend is None and cfg.tasks is None
    assert build_data(cfg).train_records > 0
    with pytest.raises(ConfigError, match="step_pairs.enabled=true .*set backend= and tasks="):
        compose_config("build_data", BuildDataConfig, "runs=[x]", "~backend", "step_pairs.enabled=true", run_dir="x")


def test_datasets_are_exported_for_other_trainers_in_tool_call_form(compose_config, tmp_path, runs):
    from datasets import load_from_disk

    from agentpref.data.export import to_tool_calls

    build(compose_config, tmp_path, runs, "sft.max_per_task=4")
    data = load_from_disk(str(tmp_path / "data" / "hf"))
    sft, pairs = read(tmp_path / "data" / "sft.jsonl"), read(tmp_path / "data" / "pairs.jsonl")
    assert set(data) == {"sft", "pairs"} and len(data["sft"]) == len(sft) and len(data["pairs"]) == len(pairs)
    row = data["pairs"][0]
    assert [m["content"] for m in row["chosen"]] == [m["content"] for m in pairs[0]["chosen"]]
    first = row["chosen_tool_calls"][0]
    assert first["role"] == "assistant" and "<tool_call>" not in first["content"]
    call = first["tool_calls"][0]
    assert call["id"] == "call_1" and json.loads(call["function"]["arguments"]) == {"path": PATH}
    assert row["chosen_tool_calls"][1]["role"] == "tool" and row["chosen_tool_calls"][1]["tool_call_id"] == "call_1"
    assert json.loads(row["metadata"])["pair_kind"] == "trajectory"
    assert {t["function"]["name"] for t in json.loads(row["tools"])} >= {"read_file", "edit", "finish"}
    # a malformed turn stays text and its error note becomes a user message (no result without a call)
    turns = [
        {"role": "assistant", "content": "I will read it. <tool_call>{bad json</tool_call>"},
        {"role": "tool", "content": "Protocol error: invalid JSON"},
        {"role": "assistant", "content": '<tool_call>{"name": "run_tests", "arguments": {}}</tool_call>'},
        {"role": "tool", "content": "Tests: 1 failed"},
    ]
    out = to_tool_calls(turns, "json", start=4)
    assert [m["role"] for m in out] == ["assistant", "user", "assistant", "tool"]
    assert "tool_calls" not in out[0] and out[2]["tool_calls"][0]["id"] == "call_5"
    assert out[3]["tool_call_id"] == "call_5"
