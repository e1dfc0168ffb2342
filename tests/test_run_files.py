"""The run-dir files commands hand each other: each model writes and reads its own file, and a
reader pointed at anything else fails with one line that names the config key and the fix."""

import json

import pytest

from agentpref.errors import ConfigError
from agentpref.run_files import (
    DataStats,
    EvaluationSummary,
    GenerationManifest,
    GenerationSummary,
    RunFile,
    StudyRecord,
    TrainHparams,
    TrainManifest,
    TrainSummary,
    ValidationSummary,
)


def _manifest(**extra) -> TrainManifest:
    return TrainManifest(
        algo="dpo",
        model="smollm2_135m",
        init_from="runs/sft",
        reference={"init_adapter": "runs/sft/adapter"},
        data=["runs/data/pairs.jsonl"],
        examples=12,
        git_sha=None,
        world_size=1,
        global_batch_size=8,
        gradient_accumulation_steps=8,
        hparams=TrainHparams(learning_rate=5e-6, num_train_epochs=1, max_steps=10, max_length=2048, beta=0.1),
        data_scorer="default",
        **extra,
    )


def test_every_file_kind_is_distinct_and_versioned():
    kinds = [cls.expected() for cls in RunFile.__subclasses__()]
    assert len({k for k, _ in kinds}) == len(kinds) == 8
    assert all(isinstance(v, int) and v >= 1 for _, v in kinds)


def test_a_written_file_reads_back_the_same(tmp_path):
    manifest = _manifest()
    path = manifest.write(tmp_path)
    assert path == tmp_path / "train.json" and json.loads(path.read_text())["kind"] == "train_manifest"
    back = TrainManifest.read(tmp_path, "policy_from")
    assert back == manifest and back.hparams.beta == 0.1  # β is a typed field, not a string key
    assert TrainSummary.read_if_present(tmp_path) is None


def test_a_reader_names_the_key_and_the_fix(tmp_path):
    with pytest.raises(
        ConfigError, match=r"^policy_from: .* has no train.json: point it at a finished train.py run dir"
    ):
        TrainManifest.read(tmp_path, "policy_from")
    (tmp_path / "train.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"^policy_from: .*train.json is not valid JSON .*: re-run train.py there"):
        TrainManifest.read(tmp_path, "policy_from")
    (tmp_path / "summary.json").write_text(json.dumps({"kind": "generate", "version": 1}))
    with pytest.raises(ConfigError, match=r"^runs: .* is not an evaluate.py summary \(kind='generate'\)"):
        EvaluationSummary.read(tmp_path, "runs")
    (tmp_path / "summary.json").write_text(json.dumps({"kind": "evaluate", "version": 7}))
    with pytest.raises(ConfigError, match=r"is version 7 of 'evaluate', this agentpref reads version 1: re-run"):
        EvaluationSummary.read(tmp_path, "runs")
    broken = _manifest().model_dump(mode="json")
    broken["hparams"]["beta"] = "high"
    (tmp_path / "train.json").write_text(json.dumps(broken))
    with pytest.raises(ConfigError, match=r"train.json: hparams.beta: Input should be a valid number") as caught:
        TrainManifest.read(tmp_path, "policy_from")
    assert "\n" not in str(caught.value)  # one line


def test_files_from_before_kinds_are_upgraded(tmp_path):
    """A train summary written before kinds kept the last logged values under ``final/<name>``
    keys; build_data's stats named their dir ``output_dir``."""
    old = {
        "algo": "sft",
        "model": "smollm2_135m",
        "steps": 36,
        "train_loss": 0.4,
        "first_loss": 1.6,
        "seconds": 600.0,
        "seconds_per_step": 16.7,
        "input_tokens": 88_000,
        "world_size": 1,
        "global_batch_size": 1,
        "gradient_accumulation_steps": 1,
        "resumed_from": None,
        "output": "runs/sft/adapter",
        "final/loss": 0.15,
        "final/learning_rate": 0.001,
        "rank_weight_checksums": ["abc"],
    }
    (tmp_path / "summary.json").write_text(json.dumps(old))
    summary = TrainSummary.read(tmp_path, "policy_from")
    assert summary.kind == "train" and summary.final == {"loss": 0.15, "learning_rate": 0.001}
    stats = {
        "runs": {"runs/gen": 4},
        "records": 4,
        "train_records": 4,
        "heldout_skipped": 0,
        "partial_lines_skipped": 0,
        "train_tasks": 2,
        "generated_tokens": 0,
        "usd": 0.0,
        "scorer": "default",
        "mean_score": 0.9,
        "seconds": 1.0,
        "output_dir": "runs/data",
    }
    (tmp_path / "stats.json").write_text(json.dumps(stats))
    assert DataStats.read(tmp_path, "data").run_dir == "runs/data"


def test_summaries_of_one_name_are_told_apart(tmp_path):
    """generate, train, evaluate and ``tasks.py validate`` all write summary.json: each reader
    refuses the others'."""
    ValidationSummary(tasks=1, valid=1, invalid=0, load_errors=0, hangs=0, seconds=0.1).write(tmp_path)
    for cls in (GenerationSummary, TrainSummary, EvaluationSummary):
        with pytest.raises(ConfigError, match=r"kind='tasks_validate'"):
            cls.read(tmp_path)
    assert StudyRecord.read_if_present(tmp_path) is None
    assert GenerationManifest.read_if_present(tmp_path) is None
