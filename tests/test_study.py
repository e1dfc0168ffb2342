"""study.py: stages run in order into one dir, resume skips finished stages, sweep specs compose."""

import json
from pathlib import Path

import pytest
import yaml
from omegaconf import OmegaConf
from wandb_offline import read_runs

from agentpref.errors import ConfigError


def _study(run_dir: Path, stages: dict, **extra):
    from agentpref.entrypoints import validate

    cfg = OmegaConf.create(
        {"stages": stages, "params": {"tasks": 1}, "logger": {"kind": "none"}, "run_dir": str(run_dir)} | extra
    )
    return validate("study", cfg)


SMALL_EVAL = [
    "model=tiny_random",
    "tasks.limit=${params.tasks}",
    "samples_per_task=1",
    "ks=[1]",
    "agent.max_steps=1",
    "backend.max_new_tokens=8",
    "progress=false",
]


@pytest.mark.slow
def test_a_study_runs_every_stage_and_resumes(tmp_path):
    from agentpref.study import run_study

    stages = {
        "demos": {
            "entry": "generate",
            "overrides": ["backend=oracle", "tasks.split=train", "tasks.limit=2", "progress=false"],
        },
        "data": {"entry": "build_data", "overrides": ["runs=[${run_dir}/demos]"]},
        "sft": {
            "entry": "train",
            "overrides": [
                "algo=sft",
                "debug=fast",
                "trainer.max_steps=1",
                "global_batch_size=1",
                "data=${run_dir}/data",
            ],
        },
        "eval": {"entry": "evaluate", "overrides": ["policy_from=${run_dir}/sft", *SMALL_EVAL]},
        "report": {"entry": "report", "overrides": ["runs=[${run_dir}/eval]", "name=table"]},
    }
    run_dir = tmp_path / "study"
    offline = {"kind": "wandb", "mode": "offline"}
    kept = tmp_path / "kept"
    record = run_study(
        _study(run_dir, stages, metric="eval/protocol_error_rate", logger=offline, keep=str(kept), notes="a tiny study")
    )
    assert list(record.stages) == list(stages) and all(s.status == "done" for s in record.stages.values())
    # keep: each stage's small result files, as it finishes, nothing bulky
    assert (kept / "eval" / "summary.json").read_text() == (run_dir / "eval" / "summary.json").read_text()
    assert (kept / "sft" / "train.json").is_file() and (kept / "data" / "stats.json").is_file()
    assert json.loads((kept / "study.json").read_text())["stages"]["report"]["status"] == "done"
    assert not list(kept.rglob("*.jsonl")) and not list(kept.rglob("*.safetensors"))
    assert json.loads((run_dir / "demos" / "summary.json").read_text())["episodes"] == 2
    assert (run_dir / "data" / "sft.jsonl").is_file() and (run_dir / "sft" / "adapter").is_dir()
    evaluation = json.loads((run_dir / "eval" / "summary.json").read_text())
    assert evaluation["method"] == "SFT" and evaluation["adapter"] == f"{run_dir}/sft/adapter"
    assert record.objective.value == evaluation["metrics"]["protocol_error_rate"]["value"]
    assert "| SFT " in (run_dir / "report" / "table.md").read_text()
    assert json.loads((run_dir / "study.json").read_text())["stages"]["report"]["status"] == "done"
    # W&B: the study is a group with a run per logged stage (job_type: the stage), each carrying its
    # notes and its own curves, and a run for the study; the artifacts chain rollouts -> dataset ->
    # adapter -> evaluation -> the study.
    runs = {r["job_type"]: r for r in read_runs(run_dir)}
    assert sorted(runs) == ["data", "demos", "eval", "sft", "study"]
    assert len({r["group"] for r in runs.values()}) == 1 and runs["sft"]["group"].startswith("study-")
    assert all(r["notes"] == "a tiny study" for r in runs.values())
    assert {"train/loss", "train/global_step"} <= runs["sft"]["history"]
    assert "episode/resolved" in runs["demos"]["history"] and "episode/resolved" in runs["eval"]["history"]
    made, inputs = {}, {}
    for stage, kind in (("demos", "rollouts"), ("data", "dataset"), ("sft", "model"), ("eval", "evaluation")):
        (artifact,) = [a for a in runs[stage]["artifacts"] if a["type"] == kind]  # (tables are artifacts too)
        made[stage], inputs[stage] = f"{artifact['name']}:run-{runs[stage]['id']}", artifact["metadata"]["inputs"]
    assert inputs == {"demos": [], "data": [made["demos"]], "sft": [made["data"]], "eval": [made["sft"]]}
    assert runs["study"]["config"]["inputs"] == [made["eval"]]

    # Re-running skips every finished stage (nothing is recomputed: the adapter file is untouched).
    adapter = run_dir / "sft" / "adapter" / "adapter_model.safetensors"
    mtime = adapter.stat().st_mtime_ns
    again = run_study(_study(run_dir, stages, metric="eval/protocol_error_rate"))
    assert again.stages["sft"].seconds == record.stages["sft"].seconds
    assert adapter.stat().st_mtime_ns == mtime
    # ... and a finished stage with other overrides is refused rather than silently mixed.
    stages["sft"]["overrides"] = [*stages["sft"]["overrides"], "seed=1"]
    with pytest.raises(ConfigError, match="stage 'sft' already ran .* use a new run_dir"):
        run_study(_study(run_dir, stages))


def test_only_runs_the_named_stages_and_leaves_the_rest(tmp_path):
    """An ablation row at a time: only=[...] runs those stages; a later call runs others."""
    from agentpref.study import run_study

    demos = ["backend=oracle", "tasks.split=train", "tasks.limit=1", "progress=false", "logger=none"]
    stages = {
        "a": {"entry": "generate", "overrides": demos},
        "b": {"entry": "generate", "overrides": [*demos, "tasks.limit=2"]},
    }
    record = run_study(_study(tmp_path / "s", stages, only=["b"]))
    assert list(record.stages) == ["b"] and not (tmp_path / "s" / "a").exists()
    assert json.loads((tmp_path / "s" / "b" / "summary.json").read_text())["episodes"] == 2
    record = run_study(_study(tmp_path / "s", stages, only=["a"]))
    assert sorted(record.stages) == ["a", "b"] and (tmp_path / "s" / "a" / "summary.json").is_file()


def test_kept_files_name_paths_relative_to_the_working_directory(tmp_path, monkeypatch):
    from agentpref.run_files import StudyRecord
    from agentpref.study import keep_results

    monkeypatch.chdir(tmp_path)
    root = tmp_path / "outputs" / "study"
    (root / "eval").mkdir(parents=True)
    (root / "eval" / "summary.json").write_text(json.dumps({"adapter": f"{root}/sft/adapter"}))
    (root / "eval" / "rollouts.jsonl").write_text("{}\n")
    StudyRecord(stages={}, params={}, run_dir=str(root)).write(root)
    keep_results(root, "eval", Path("results/study"))
    kept = tmp_path / "results" / "study"
    assert json.loads((kept / "eval" / "summary.json").read_text()) == {"adapter": "outputs/study/sft/adapter"}
    assert json.loads((kept / "study.json").read_text())["run_dir"] == "outputs/study"
    assert not (kept / "eval" / "rollouts.jsonl").exists()


@pytest.mark.slow
def test_a_train_stage_without_examples_is_skipped_and_the_report_says_so(tmp_path, run_cli):
    """Oracle rollouts never pair, so DPO gets 0 pairs: the study records the DPO stage as skipped
    with the reason, skips the evaluation of its adapter, reports the other rows with a note, and
    does not redo anything on resume. train.py alone still fails on the same data."""
    from agentpref.study import run_study

    stages = {
        "demos": {
            "entry": "generate",
            "overrides": ["backend=oracle", "tasks.split=train", "tasks.limit=2", "progress=false"],
        },
        "pairs": {"entry": "build_data", "overrides": ["runs=[${run_dir}/demos]", "sft.enabled=false"]},
        "dpo": {"entry": "train", "overrides": ["algo=dpo", "debug=fast", "data=${run_dir}/pairs", "dpo.beta=0.2"]},
        "eval_base": {"entry": "evaluate", "overrides": SMALL_EVAL},
        "eval_dpo": {"entry": "evaluate", "overrides": ["policy_from=${run_dir}/dpo", *SMALL_EVAL]},
        "report": {
            "entry": "report",
            "overrides": ["runs=[${run_dir}/eval_base,${run_dir}/eval_dpo]", "name=table", "metrics=[pass@1]"],
        },
    }
    run_dir = tmp_path / "study"
    record = run_study(_study(run_dir, stages, metric="eval_dpo/pass@1"))
    why = "the pairs stage produced 0 DPO examples (0 trajectory pairs, 0 step pairs)"
    status = {name: s.status for name, s in record.stages.items()}
    assert status == {
        "demos": "done",
        "pairs": "done",
        "dpo": "skipped",
        "eval_base": "done",
        "eval_dpo": "skipped",
        "report": "done",
    }
    dpo = json.loads((run_dir / "study.json").read_text())["stages"]["dpo"]
    assert dpo["reason"] == why and dpo["method"] == "DPO (β=0.2)"
    assert record.stages["eval_dpo"].reason == "it reads dpo, which was skipped"
    assert not (run_dir / "dpo").exists() and not (run_dir / "eval_dpo").exists()
    assert record.objective.model_dump() == {"metric": "eval_dpo/pass@1", "value": None}
    table = (run_dir / "report" / "table.md").read_text()
    assert "| base " in table and f"Missing row: DPO (β=0.2): not trained — {why}" in table

    # Resume: skipped stays skipped and done stays done; nothing is re-run.
    summary = run_dir / "eval_base" / "summary.json"
    mtime = summary.stat().st_mtime_ns
    again = run_study(_study(run_dir, stages, metric="eval_dpo/pass@1"))
    assert {name: s.status for name, s in again.stages.items()} == status
    assert again.stages["dpo"].reason == why and summary.stat().st_mtime_ns == mtime

    # Run by hand, train.py wants the error: one line, exit code 2.
    proc = run_cli("train.py", "algo=dpo", "debug=fast", f"data={run_dir / 'pairs'}", f"run_dir={tmp_path / 'dpo'}")
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1].startswith("error: no dpo examples in ")


def test_stage_mistakes_name_the_stage(tmp_path):
    from agentpref.study import run_study

    with pytest.raises(ConfigError, match=r"stage 'eval' \(evaluate\): .*samples_per_tsk"):
        run_study(_study(tmp_path / "s", {"eval": {"entry": "evaluate", "overrides": ["samples_per_tsk=2"]}}))
    with pytest.raises(ConfigError, match="no stage 'evl'"):
        run_study(_study(tmp_path / "s", {"eval": {"entry": "evaluate"}}, metric="evl/pass@1"))
    with pytest.raises(ConfigError, match="experiment=study_"):
        run_study(_study(tmp_path / "s", {}))
    with pytest.raises(ConfigError, match=r"only=\['evl'\]: no such stage; stages: eval"):
        _study(tmp_path / "s", {"eval": {"entry": "evaluate"}}, only=["evl"])
    with pytest.raises(ConfigError, match=r"stage 'dpo_beta0.3': rename it without '\.'"):
        _study(tmp_path / "s", {"dpo_beta0.3": {"entry": "train"}})


def test_sweep_specs_call_entry_points_with_composable_arguments(repo):
    """Every W&B sweep spec runs a repo entry point with ${args_no_hyphens}, and the arguments of
    its first grid point compose into that entry point's config."""
    from agentpref.entrypoints import compose, validate

    specs = sorted((repo / "sweeps").glob("*.yaml"))
    assert {p.stem for p in specs} >= {"dpo_beta", "scorer_weights"}
    for path in specs:
        spec = yaml.safe_load(path.read_text())
        assert (repo / spec["program"]).is_file() and "${args_no_hyphens}" in spec["command"]
        args = [f"{k}={v['value'] if 'value' in v else v['values'][0]}" for k, v in spec["parameters"].items()]
        entry = Path(spec["program"]).stem
        validated = validate(entry, compose(entry, [*args, "run_dir=/tmp/agentpref-sweep-check"]))
        if entry == "study":
            assert spec["metric"]["name"] == "objective" and validated.metric


def test_slurm_template_selects_the_submitit_launcher(repo, tmp_path):
    """launch/slurm/submitit_slurm.yaml, copied into a conf/local/ dir as documented, switches a
    multirun to the submitit SLURM launcher."""
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    from hydra import compose, initialize_config_dir

    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "slurm.yaml").write_text((repo / "launch/slurm/submitit_slurm.yaml").read_text())
    with initialize_config_dir(str(repo / "conf"), version_base="1.3"):
        cfg = compose(
            "train",
            overrides=[f"hydra.searchpath=[file://{tmp_path}]", "+local=slurm", "data=x"],
            return_hydra_config=True,
        )
    assert "submitit" in cfg.hydra.launcher._target_ and cfg.hydra.launcher.partition == "gpu"
