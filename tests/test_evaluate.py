"""evaluate.py: pass@k, bootstrap CIs and paired tests over tasks, policy resolution, real runs."""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from agentpref.errors import ConfigError
from agentpref.evaluation.stats import bootstrap_ci, describe, holm, paired_comparison, pass_at_k


# ---- statistics ------------------------------------------------------------------------------
@pytest.mark.parametrize("n,c,k", [(5, 0, 1), (5, 1, 1), (5, 2, 3), (6, 3, 6), (4, 4, 2), (7, 2, 4)])
def test_pass_at_k_equals_the_share_of_k_subsets_with_a_pass(n, c, k):
    samples = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(samples, k))
    assert pass_at_k(n, c, k) == pytest.approx(sum(any(s) for s in subsets) / len(subsets))
    with pytest.raises(ValueError):
        pass_at_k(n, c, n + 1)


def test_bootstrap_ci_covers_the_value_and_narrows_with_more_tasks():
    rng = np.random.default_rng(1)
    few = rng.random(8) < 0.5
    many = np.tile(few, 16)  # same mean, 16x the tasks
    value = few.mean()
    low, high = bootstrap_ci(few, np.ones(8))
    low_m, high_m = bootstrap_ci(many, np.ones(len(many)))
    assert low <= value <= high and low_m <= value <= high_m
    assert (high_m - low_m) < (high - low) / 2
    # Ratio of sums: tokens per solved episode, tasks without a solve still count their tokens.
    d = describe([100, 300, 50], [1, 2, 0])
    assert d["value"] == pytest.approx(450 / 3) and d["tasks"] == 3
    assert describe([5, 7], [0, 0])["value"] is None  # nothing solved: no cost per solve


def test_bootstrap_ci_is_scipys_bca_over_tasks_and_holm_adjusts_a_family():
    from scipy.stats import bootstrap

    x = np.array([0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0.5, 0.25])
    bca = bootstrap((x,), np.mean, n_resamples=2000, method="BCa", rng=np.random.default_rng(0))
    assert bootstrap_ci(x, np.ones(len(x))) == pytest.approx(tuple(bca.confidence_interval))
    assert bootstrap_ci([1, 1, 1], [1, 1, 1]) == (1, 1) and bootstrap_ci([0.4], [1]) == (0.4, 0.4)
    # a ratio whose resamples can have no denominator (cost per solved): still an interval
    low, high = bootstrap_ci([100, 300, 50, 80], [1, 2, 0, 0])
    assert low <= 450 / 3 <= high
    # Holm (1979): sorted p 0.01, 0.03, 0.04, 0.2 of 4 tests -> 0.04, 0.09, 0.09 (monotone), 0.2
    assert holm([0.01, 0.04, None, 0.03, 0.2]) == pytest.approx([0.04, 0.09, None, 0.09, 0.2])
    assert holm([0.5, 0.6]) == [1.0, 1.0] and holm([None]) == [None]


def test_paired_test_is_exact_and_the_difference_keeps_pairs():
    # Method A solves 7 of 8 tasks that B fails; task 8 is a tie. Exact sign-flip p = 2 / 2**7.
    a, b = (np.r_[np.ones(7), 0.0], np.ones(8)), (np.zeros(8), np.ones(8))
    d = paired_comparison(a, b)
    assert d["difference"] == pytest.approx(7 / 8)
    assert d["p_value"] == pytest.approx(2 / 2**7)
    assert d["ci_low"] <= 7 / 8 <= d["ci_high"]
    same = paired_comparison(a, a)
    assert same["difference"] == 0 and same["p_value"] == 1 and same["ci_low"] == same["ci_high"] == 0
    # Pairing matters: a constant per-task gain of 0.1 over very different tasks is significant.
    base = np.linspace(0, 0.8, 12)
    shifted = paired_comparison((base + 0.1, np.ones(12)), (base, np.ones(12)))
    assert shifted["p_value"] < 0.001 and shifted["ci_low"] == pytest.approx(0.1)


# ---- policies and labels ---------------------------------------------------------------------
@pytest.fixture
def eval_config(compose_config, tmp_path):
    from agentpref.evaluation.run import EvalConfig

    def make(*overrides: str):
        return compose_config(
            "evaluate", EvalConfig, "logger=none", "progress=false", *overrides, run_dir=str(tmp_path / "eval")
        )

    return make


def _train_dir(
    root: Path, algo: str, model: str = "tiny_random", init_from=None, artefact="adapter", data=(), **hparams
):
    """A train.py run dir as the trainer leaves it (train.json through its model), with an empty
    adapter (or full checkpoint) beside it."""
    from agentpref.run_files import TrainHparams, TrainManifest

    root.mkdir(parents=True)
    scorer = hparams.pop("scorer", "default")
    TrainManifest(
        algo=algo,
        model=model,
        init_from=init_from,
        reference={},
        data=[str(d) for d in data],
        examples=1,
        git_sha=None,
        world_size=1,
        global_batch_size=1,
        gradient_accumulation_steps=1,
        hparams=TrainHparams(learning_rate=1e-4, num_train_epochs=1, max_steps=1, max_length=None, **hparams),
        data_scorer=scorer,
    ).write(root)
    (root / artefact).mkdir()
    (root / artefact / ("adapter_config.json" if artefact == "adapter" else "config.json")).write_text("{}")
    return root


def test_a_policy_trained_on_quixbugs_mutants_is_refused_on_quixbugs(eval_config, tmp_path):
    from agentpref.evaluation.run import check_out_of_distribution

    def data(name: str, *task_ids: str) -> Path:
        path = tmp_path / name / "sft.jsonl"
        path.parent.mkdir()
        path.write_text("".join(json.dumps({"messages": [], "metadata": {"task_id": t}}) + "\n" for t in task_ids))
        return path

    clean = data("clean", "builtin/anagram_groups/min_size_exclusive", "synthetic/builtin.heap_sort/compare-1")
    leaked = data("leaked", "synthetic/quixbugs.bitcount/arithmetic-0123456789")
    sft = _train_dir(tmp_path / "sft", "sft", data=[clean])
    dpo = _train_dir(tmp_path / "dpo", "dpo", init_from=str(sft), beta=0.1, data=[clean])
    quixbugs = ("model=tiny_random", "tasks=quixbugs", f"tasks.root={tmp_path}")
    check_out_of_distribution(eval_config(*quixbugs, f"policy_from={dpo}"))  # no QuixBugs-derived data: fine
    sft_leak = _train_dir(tmp_path / "sft_leak", "sft", data=[clean, leaked])
    dpo_leak = _train_dir(tmp_path / "dpo_leak", "dpo", init_from=str(sft_leak), beta=0.1, data=[clean])
    with pytest.raises(ConfigError, match=r"trained on 1 mutants of QuixBugs programs \(e\.g\. synthetic/quixbugs"):
        check_out_of_distribution(eval_config(*quixbugs, f"policy_from={dpo_leak}"))  # through init_from
    check_out_of_distribution(eval_config("model=tiny_random", f"policy_from={dpo_leak}"))  # builtin: fine


def _finished(root: Path, steps: int, tokens: int) -> None:
    """train.py's summary.json: training finished after ``steps`` steps on ``tokens`` tokens."""
    from agentpref.run_files import TrainSummary

    TrainSummary(
        algo="sft",
        model="tiny_random",
        steps=steps,
        train_loss=1.0,
        first_loss=None,
        seconds=1.0,
        seconds_per_step=1.0,
        input_tokens=tokens,
        world_size=1,
        global_batch_size=1,
        gradient_accumulation_steps=1,
        resumed_from=None,
        output=str(root / "adapter"),
    ).write(root)


def test_policy_from_a_train_run_names_the_method(eval_config, tmp_path):
    from agentpref.evaluation.run import method_label, resolve_policy

    sft = _train_dir(tmp_path / "sft", "sft")
    dpo = _train_dir(
        tmp_path / "dpo", "dpo", init_from=str(sft), beta=0.1, loss_type="sigmoid", pairs=["trajectory", "step"]
    )
    model, info = resolve_policy(eval_config("model=tiny_random", f"policy_from={dpo}"))
    assert model.adapter == str(dpo / "adapter") and method_label(info) == "SFT+DPO (β=0.1)"
    ipo = _train_dir(tmp_path / "ipo", "dpo", beta=0.3, loss_type="ipo", pairs=["step"], scorer="discipline")
    assert (
        method_label(resolve_policy(eval_config("model=tiny_random", f"policy_from={ipo}"))[1])
        == "DPO-ipo (β=0.3) [step pairs] [scorer=discipline]"
    )
    assert method_label(resolve_policy(eval_config("model=tiny_random", f"policy_from={sft}"))[1]) == "SFT"
    full = _train_dir(tmp_path / "full", "sft", artefact="model")
    model, _ = resolve_policy(eval_config("model=tiny_random", f"policy_from={full}"))
    assert model.hub_id == str(full / "model") and model.random_init is None and model.adapter is None
    assert method_label(resolve_policy(eval_config("model=tiny_random"))[1]) == "base"
    assert method_label(resolve_policy(eval_config("backend=oracle"))[1]) == "oracle"

    with pytest.raises(ConfigError, match="pass model=tiny_random"):
        resolve_policy(eval_config(f"policy_from={sft}"))  # trained tiny_random, evaluating smollm2
    with pytest.raises(ConfigError, match="no train.json"):
        resolve_policy(eval_config("model=tiny_random", f"policy_from={tmp_path}"))
    with pytest.raises(ConfigError, match="not both"):
        resolve_policy(eval_config("model=tiny_random", f"policy_from={sft}", f"model.adapter={sft}/adapter"))


def _checkpoint(run: Path, step: int, tokens: int) -> Path:
    path = run / "checkpoints" / f"checkpoint-{step}"
    path.mkdir(parents=True)
    (path / "adapter_config.json").write_text("{}")
    (path / "trainer_state.json").write_text(json.dumps({"global_step": step, "num_input_tokens_seen": tokens}))
    return path


def test_policy_step_evaluates_a_checkpoint(eval_config, tmp_path):
    from agentpref.evaluation.run import method_label, resolve_policy

    sft = _train_dir(tmp_path / "sft", "sft")
    model, info = resolve_policy(eval_config("model=tiny_random", f"policy_from={sft}"))
    assert (info.train_step, info.train_tokens) == (None, None)  # nothing records them
    ckpt = _checkpoint(sft, 50, 12_000)
    _checkpoint(sft, 100, 24_000)
    model, info = resolve_policy(eval_config("model=tiny_random", f"policy_from={sft}", "policy_step=50"))
    assert model.adapter == str(ckpt) and method_label(info) == "SFT (step 50)"
    assert (info.train_step, info.train_tokens, info.policy_step) == (50, 12_000, 50)
    # the final adapter: the newest checkpoint's state, or summary.json once training finished
    model, info = resolve_policy(eval_config("model=tiny_random", f"policy_from={sft}"))
    assert model.adapter == str(sft / "adapter") and method_label(info) == "SFT"
    assert (info.train_step, info.train_tokens) == (100, 24_000)
    _finished(sft, 120, 29_000)
    assert resolve_policy(eval_config("model=tiny_random", f"policy_from={sft}"))[1].train_step == 120

    with pytest.raises(ConfigError, match="pick policy_step from the saved steps 50, 100"):
        resolve_policy(eval_config("model=tiny_random", f"policy_from={sft}", "policy_step=75"))
    with pytest.raises(ConfigError, match="set policy_from=<train run dir> too"):
        resolve_policy(eval_config("model=tiny_random", "policy_step=50"))
    full = _train_dir(tmp_path / "full", "sft", artefact="model")
    with pytest.raises(ConfigError, match="checkpoints of full runs\\) is not supported"):
        resolve_policy(eval_config("model=tiny_random", f"policy_from={full}", "policy_step=50"))
    dpo = _train_dir(tmp_path / "dpo", "dpo", beta=0.1)
    with pytest.raises(ConfigError, match="saved no checkpoints"):
        resolve_policy(eval_config("model=tiny_random", f"policy_from={dpo}", "policy_step=50"))


def test_config_mistakes_fail_with_one_line(eval_config):
    with pytest.raises(ConfigError, match="raise samples_per_task to 5"):
        eval_config("samples_per_task=2")  # default ks=[1,5]
    with pytest.raises(ConfigError, match="unknown config key 'bootstrap.resample'"):
        eval_config("+bootstrap.resample=10")


# ---- real runs -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def oracle_eval(tmp_path_factory, repo):
    """The oracle on 3 heldout tasks, K=2 (real episodes in the sandbox, a few seconds)."""
    from agentpref.entrypoints import load
    from agentpref.evaluation.run import run_evaluation

    run_dir = tmp_path_factory.mktemp("eval") / "oracle"
    return run_evaluation(
        load(
            "evaluate",
            ["backend=oracle", "logger=none", "progress=false", "tasks.limit=3", "samples_per_task=2", "ks=[1,2]"],
            run_dir=run_dir,
        )
    )


def test_oracle_evaluation_summary(oracle_eval):
    from agentpref.agent.record import read_rollouts

    s = oracle_eval.model_dump(mode="json")
    assert s["kind"] == "evaluate" and s["method"] == "oracle" and s["complete"]
    assert s["task_set"]["split"] == "heldout" and s["task_set"]["tasks"] == 3 and s["episodes"] == 6
    assert s["metrics"]["pass@1"] == {
        "value": 1.0,
        "ci_low": 1.0,
        "ci_high": 1.0,
        "tasks": 3,
        "label": "pass@1",
        "higher_is_better": True,
        "fmt": "pct",
    }
    assert s["metrics"]["protocol_error_rate"]["value"] == 0.0
    scored = read_rollouts(Path(s["run_dir"]) / "scored.jsonl")
    assert len(scored) == 6 and all(r.score is not None and r.checks for r in scored)
    steps = np.mean([len(r.steps) for r in scored])
    assert s["metrics"]["mean_steps"]["value"] == pytest.approx(steps)
    assert s["metrics"]["check/tests_before_edit"]["value"] == pytest.approx(
        np.mean([r.checks["tests_before_edit"].value for r in scored])
    )
    assert s["per_task"]["task_ids"] == sorted({r.task_id for r in scored})
    assert Path(s["run_dir"], "summary.json").is_file() and not Path(s["run_dir"], "wandb").exists()
    # The generation run keeps its own summary beside the evaluation's, never overwritten by it.
    assert json.loads(Path(s["run_dir"], "summary.json").read_text())["kind"] == "evaluate"
    generation = json.loads(Path(s["run_dir"], "generation.json").read_text())
    assert generation == s["generation"] and generation["stop_reason"] == "completed"
    # The oracle edits only reference lines and always finishes; the diagnostics agree with the metrics.
    assert s["metrics"]["localization"]["value"] == 1.0 and s["metrics"]["clean_stop_rate"]["value"] == 1.0
    assert s["metrics"]["end/finished"]["value"] == 1.0 and s["metrics"]["end/max_steps"]["value"] == 0.0
    diag = s["diagnostics"]
    assert diag["protocol_error_kinds"] == {} and diag["end_reasons"] == {"finished": 6}
    assert diag["edits_localized"] == diag["edits_applied"] > 0
    assert s["metrics"]["edit_apply_rate"]["value"] == pytest.approx(diag["edits_applied"] / diag["edit_calls"])
    assert (
        sum(row["turns"] for row in diag["protocol_errors_by_turn"].values())
        == diag["turns"]
        == sum(len(r.steps) for r in scored)
    )
    assert all(s.localized is not None for r in scored for s in r.steps if s.edited)


def test_metrics_from_records_match_hand_computation(oracle_eval):
    """Break some oracle episodes: pass@k and cost per solve follow the by-hand formulas."""
    from agentpref.agent.record import read_rollouts
    from agentpref.evaluation.run import BootstrapConfig, compute_metrics

    scored = read_rollouts(Path(oracle_eval.run_dir) / "scored.jsonl")
    by_task: dict[str, list] = {}
    for r in scored:
        by_task.setdefault(r.task_id, []).append(r)
    first, second, _ = sorted(by_task)
    for r in by_task[first]:  # task 1: 0 of 2 solved
        r.final.resolved = False
    by_task[second][0].final.resolved = False  # task 2: 1 of 2 solved; task 3: 2 of 2
    metrics, per_task = compute_metrics(scored, [1, 2], BootstrapConfig())
    assert metrics["pass@1"]["value"] == pytest.approx((0 + 0.5 + 1) / 3)
    assert metrics["pass@2"]["value"] == pytest.approx((0 + 1 + 1) / 3)
    assert metrics["pass@1_visible"]["value"] == 1.0  # visible tests still pass
    tokens = sum(r.cost.tokens for r in scored)
    assert metrics["tokens_per_solved"]["value"] == pytest.approx(tokens / 3)
    assert metrics["pass@1"]["ci_low"] <= metrics["pass@1"]["value"] <= metrics["pass@1"]["ci_high"]
    assert per_task["components"]["pass@1"]["num"] == [0.0, 0.5, 1.0]


@pytest.mark.slow
def test_model_evaluation_resumes_and_compares(run_cli, oracle_eval, tmp_path):
    """The tiny model through the CLI: an interrupted evaluation keeps its episodes and finishes
    on re-run; the paired comparison with the oracle matches the two summaries."""
    run_dir = tmp_path / "tiny"
    args = [
        "model=tiny_random",
        "tasks.limit=3",
        "samples_per_task=2",
        "ks=[1,2]",
        "agent.max_steps=2",
        "backend.max_new_tokens=24",
        "progress=false",
        f"run_dir={run_dir}",
    ]
    proc = run_cli("evaluate.py", *args, "max_episodes=1", "logger=none")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "re-run with the same run_dir" in proc.stderr.strip().splitlines()[-1]
    assert len((run_dir / "rollouts.jsonl").read_text().splitlines()) == 1  # kept

    proc = run_cli("evaluate.py", *args, f"compare_to={oracle_eval.run_dir}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "vs oracle" in proc.stderr
    s = json.loads((run_dir / "summary.json").read_text())
    assert s["episodes"] == 6 and s["generation"]["resumed_episodes"] == 1 and s["method"] == "base"
    assert s["metrics"]["protocol_error_rate"]["value"] > 0.5  # random weights: no valid calls
    diff = s["comparison"]["metrics"]["pass@1"]
    assert diff["difference"] == pytest.approx(s["metrics"]["pass@1"]["value"] - 1.0)
    assert 0 < diff["p_value"] <= 1 and s["comparison"]["tasks"] == 3
    offline = list((run_dir / "wandb").glob("offline-run-*"))
    assert len(offline) == 1  # the W&B run (offline) with the metrics and the trajectories table
    logged = next(offline[0].glob("run-*.wandb")).read_bytes()
    assert b"trajectories" in logged and b"eval/pass@1_ci_low" in logged
    assert json.loads(proc.stdout.strip().splitlines()[-1])["method"] == "base"
