"""W&B tracking: a run dir keeps its run id (a resumed run resumes its W&B run), runs log their
output files as artifacts with their inputs' artifacts recorded, offline, and a sync declares them."""

import json
from types import SimpleNamespace

from wandb_offline import read_runs

from agentpref.tracking import Tracker, WandbLogger, find_lineage, link_inputs

OFFLINE = WandbLogger(mode="offline", group="g", notes="why this run")


def test_a_run_dir_keeps_its_run_id_and_a_rerun_resumes_it(tmp_path):
    first = Tracker(OFFLINE, tmp_path / "run", {"a": 1}, job_type="train")
    first.log({"loss": 1.0}, step=1)
    first.finish()
    again = Tracker(OFFLINE, tmp_path / "run", {"a": 1}, job_type="train")
    again.log({"loss": 0.5}, step=2)
    again.finish()
    other = Tracker(OFFLINE, tmp_path / "other", {"a": 1}, job_type="train")
    other.finish()
    runs = read_runs(tmp_path)
    assert len(runs) == 3
    assert runs[0]["id"] == runs[1]["id"] != runs[2]["id"]
    assert all(r["group"] == "g" and r["notes"] == "why this run" and r["job_type"] == "train" for r in runs)
    assert "loss" in runs[0]["history"] and "loss" in runs[1]["history"]


def test_artifacts_record_their_inputs_along_the_pipeline(tmp_path):
    rollouts = tmp_path / "gen"
    rollouts.mkdir()
    (rollouts / "rollouts.jsonl").write_text("{}\n")
    gen = Tracker(OFFLINE, rollouts, {}, job_type="generate")
    made = gen.log_artifact("rollouts", [rollouts / "rollouts.jsonl", rollouts / "missing.json"])
    gen.finish()
    data = tmp_path / "data"
    data.mkdir()
    (data / "pairs.jsonl").write_text("{}\n")
    build = Tracker(OFFLINE, data, {}, job_type="build_data")
    assert build.use(rollouts, None, tmp_path / "never-logged") == [made]
    dataset = build.log_artifact("dataset", [data / "pairs.jsonl"])
    build.finish()
    # A consumer names a file or dir inside the producer's run dir (train's data=<dir>/pairs.jsonl).
    assert find_lineage(data / "pairs.jsonl")["artifact"] == dataset
    assert find_lineage(tmp_path / "never-logged") is None

    gen_run, data_run = read_runs(tmp_path)
    assert made == f"gen-rollouts:run-{gen_run['id']}" and dataset == f"data-dataset:run-{data_run['id']}"
    (art,) = gen_run["artifacts"]
    assert art["name"] == "gen-rollouts" and art["type"] == "rollouts" and f"run-{gen_run['id']}" in art["aliases"]
    (art,) = data_run["artifacts"]
    assert art["type"] == "dataset" and art["metadata"]["inputs"] == [made]
    assert data_run["config"]["inputs"] == [made]


def test_sync_declares_the_recorded_inputs_through_the_api(tmp_path):
    run_dir = tmp_path / "study" / "sft" / "wandb"
    run_dir.mkdir(parents=True)
    record = {"run_id": "abc", "entity": None, "project": "agentpref", "artifact": "sft-model:run-abc",
              "type": "model", "inputs": ["data-dataset:run-x1"]}  # fmt: skip
    (run_dir / "lineage.json").write_text(json.dumps(record))
    used = []

    class Api:
        default_entity = "me"

        def run(self, path):
            return SimpleNamespace(use_artifact=lambda artifact: used.append((path, artifact)))

        def artifact(self, name):
            return f"artifact {name}"

    assert link_inputs([tmp_path / "study"], Api()) == [("abc", "data-dataset:run-x1")]
    assert used == [("me/agentpref/abc", "artifact me/agentpref/data-dataset:run-x1")]


def test_no_logger_and_other_ranks_write_nothing(tmp_path, monkeypatch):
    from agentpref.tracking import NoLogger

    Tracker(NoLogger(), tmp_path / "a", {}, job_type="x").finish()
    monkeypatch.setenv("RANK", "1")
    t = Tracker(OFFLINE, tmp_path / "b", {}, job_type="x")
    assert t.log_artifact("model", [tmp_path]) is None and t.use(tmp_path) == []
    assert not list(tmp_path.rglob("wandb"))
