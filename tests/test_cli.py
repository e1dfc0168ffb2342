"""tasks.py end to end in subprocesses: commands, JSON summaries, and one-line config errors."""

import json

import pytest

QUIX = "tests/fixtures/quixbugs_mini/clone"


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def test_list_builtin(run_cli):
    r = run_cli("tasks.py", "list", "tasks.split=heldout")
    assert r.returncode == 0, r.stderr
    summary = last_json(r.stdout)
    assert summary["tasks"] == summary["heldout"] > 0 and summary["train"] == 0 and summary["problems"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "+tasks.rooot=x"], "unknown config key 'tasks.rooot'"),
        (["list", "tasks=quixbugs"], "missing config value 'tasks.root'"),
        (["list", "tasks.heldout_fraction=lots"], "bad config value 'tasks.heldout_fraction'"),
        (["list", "tasks=synthetic", "tasks.operators=[flip]"], "bad config value 'tasks.operators.0'"),
        (["list", "tasks=quixbugs", "tasks.root=/nonexistent"], "tasks.root=/nonexistent is not a directory"),
        (["list", "tasks=bugsinpy", "tasks.root=tests"], "holds no bug folders"),
        (["lst"], "unknown command 'lst'"),
    ],
)
@pytest.mark.reliability
def test_config_errors_are_one_clear_line(run_cli, args, message):
    r = run_cli("tasks.py", *args)
    assert r.returncode == 2
    lines = [line for line in r.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], r.stderr


@pytest.mark.reliability
def test_unknown_override_is_rejected_by_hydra(run_cli):
    r = run_cli("tasks.py", "list", "tasks.rooot=x")
    assert r.returncode != 0 and "Key 'rooot' is not in struct" in r.stderr


def test_validate_subset_and_quixbugs(run_cli, tmp_path):
    r = run_cli("tasks.py", "validate", "tasks.programs=[insertion_sort]", f"hydra.run.dir={tmp_path}/v")
    assert r.returncode == 0, r.stderr
    summary = last_json(r.stdout)
    assert summary["tasks"] == summary["valid"] == 2 and summary["invalid"] == 0
    assert (tmp_path / "v" / "validation.jsonl").read_text().count("\n") == 2
    r = run_cli(
        "tasks.py",
        "validate",
        "tasks=quixbugs",
        f"tasks.root={QUIX}",
        "sandbox.per_test_timeout_s=1",
        f"hydra.run.dir={tmp_path}/q",
    )
    assert r.returncode == 0, r.stderr
    summary = last_json(r.stdout)
    assert summary["invalid"] == 0 and summary["valid"] >= 3 and summary["hangs"] >= 1


def test_synthesize_then_validate_and_list(run_cli, tmp_path):
    common = [
        "tasks=synthetic",
        "tasks.programs=[insertion_sort,floor_log2]",
        "tasks.sources=[builtin,quixbugs]",
        f"tasks.quixbugs_root={QUIX}",
        "tasks.mutants_per_program=4",
        f"tasks.cache_dir={tmp_path}/cache",
    ]
    r = run_cli("tasks.py", "synthesize", *common, f"hydra.run.dir={tmp_path}/s")
    assert r.returncode == 0, r.stderr
    summary = last_json(r.stdout)
    assert summary["tasks"] == 8 and summary["programs"] == 2
    r = run_cli("tasks.py", "validate", *common, f"hydra.run.dir={tmp_path}/v")
    assert r.returncode == 0, r.stderr
    assert last_json(r.stdout)["invalid"] == 0
    r = run_cli("tasks.py", "list", *common, f"hydra.run.dir={tmp_path}/l")
    ids = [line.split("\t")[0] for line in r.stdout.splitlines()[:-1]]
    assert len(ids) == 8 and {i.split("/")[1] for i in ids} == {"builtin.insertion_sort", "quixbugs.floor_log2"}
