"""generate.py as a run: resume without loss or duplicates (also after kill -9 of a real
process), sharding with no overlap, one-line config errors, and the offline W&B run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agentpref.agent.generation import Shard, run_generation, shard_tasks
from agentpref.agent.record import read_rollouts, repair_tail
from agentpref.errors import ConfigError

TWO_PROGRAMS = "tasks.programs=[anagram_groups,bank_account]"   # 4 tasks


def keys(path: Path) -> list[tuple[str, int]]:
    return [r.key for r in read_rollouts(path)]


def test_resume_skips_finished_pairs(generate_config, tmp_path):
    run = tmp_path / "run"
    first = run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "rollouts_per_task=2",
                                           "max_episodes=3", run_dir=run))
    assert first["new_episodes"] == 3 and first["pending_left"] == 0
    head = (run / "rollouts.jsonl").read_text()
    second = run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "rollouts_per_task=2", run_dir=run))
    assert second["resumed_episodes"] == 3 and second["new_episodes"] == 5 and second["episodes"] == 8
    assert (run / "rollouts.jsonl").read_text().startswith(head)
    got = keys(run / "rollouts.jsonl")
    assert len(got) == len(set(got)) == 8 and {k for _, k in got} == {0, 1}
    third = run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "rollouts_per_task=2", run_dir=run))
    assert third["new_episodes"] == 0 and len(keys(run / "rollouts.jsonl")) == 8
    records = read_rollouts(run / "rollouts.jsonl")
    assert len({r.seed for r in records}) == 8 and len({r.run_id for r in records}) == 1


def test_resume_refuses_a_different_policy(generate_config, tmp_path):
    run = tmp_path / "run"
    run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "max_episodes=1", run_dir=run))
    with pytest.raises(ConfigError, match="different limits.*use a new run_dir"):
        run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "agent.max_steps=3", run_dir=run))


def test_repair_tail_cuts_a_half_written_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"a": 1}\n{"b": 2}\n{"c": ')
    assert repair_tail(path) == len('{"c": ')
    assert path.read_text() == '{"a": 1}\n{"b": 2}\n' and repair_tail(path) == 0


def test_kill_9_mid_run_loses_nothing_and_duplicates_nothing(repo, tmp_path):
    run = tmp_path / "run"
    cmd = [sys.executable, str(repo / "generate.py"), "backend=oracle", "tasks=builtin", "tasks.limit=16",
           "backend.batch_size=2", "workers=1", "logger=none", "progress=false", f"run_dir={run}"]
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    rollouts = run / "rollouts.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not rollouts.exists() or rollouts.read_text().count("\n") < 4):
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    before = rollouts.read_bytes()
    finished_before = before[: before.rfind(b"\n") + 1]
    n_before = finished_before.count(b"\n")
    assert 4 <= n_before < 16, "the run must be killed mid-way"
    done = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["resumed_episodes"] == n_before and summary["episodes"] == 16
    after = rollouts.read_bytes()
    assert after.startswith(finished_before)              # nothing finished was lost or rewritten
    got = keys(rollouts)
    assert len(got) == len(set(got)) == 16                # nothing duplicated


def test_shards_partition_the_tasks(builtin_tasks):
    tasks = list(builtin_tasks.values())
    shards = [shard_tasks(tasks, Shard(index=i, count=3)) for i in range(3)]
    ids = [t.id for s in shards for t in s]
    assert len(ids) == len(set(ids)) == len(tasks)
    with pytest.raises(ValueError, match="shard.index=3 must be < shard.count=3"):
        Shard(index=3, count=3)


def test_multirun_shards_write_disjoint_runs(run_cli, tmp_path):
    r = run_cli("generate.py", "-m", "backend=oracle", TWO_PROGRAMS, "logger=none", "shard.count=2",
                "shard.index=0,1", f"hydra.sweep.dir={tmp_path}/sweep")
    assert r.returncode == 0, r.stderr[-2000:]
    runs = [keys(tmp_path / "sweep" / str(i) / "rollouts.jsonl") for i in range(2)]
    assert len(runs[0]) == len(runs[1]) == 2 and not set(runs[0]) & set(runs[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["+backend.batchsize=2"], "unknown config key 'backend.batchsize'"),
        (["temperature=hot"], "bad config value 'temperature'"),
        (["shard.index=2", "shard.count=2"], "shard.index=2 must be < shard.count=2"),
        (["budget.usd=-1"], "bad config value 'budget.usd'"),
        (["backend=openai", "backend.api_key_env=AGENTPREF_NO_SUCH_KEY", "tasks.limit=1"], "AGENTPREF_NO_SUCH_KEY"),
    ],
)
def test_config_errors_are_one_clear_line(run_cli, tmp_path, args, message):
    r = run_cli("generate.py", *args, "logger=none", f"run_dir={tmp_path}/run")
    assert r.returncode == 2, r.stderr[-2000:]
    lines = [line for line in r.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], r.stderr


def test_offline_wandb_run_has_config_summary_and_trajectories(generate_config, tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    run = tmp_path / "run"
    cfg = generate_config("backend=oracle", TWO_PROGRAMS, "logger=wandb", "logger.table_rows=2", run_dir=run)
    summary = run_generation(cfg, {"note": "from the test"})
    offline = list((run / "wandb").glob("offline-run-*"))
    assert len(offline) == 1
    # Offline runs keep config and summary in the run's protobuf log (.wandb); the table is a file.
    log = next(offline[0].glob("*.wandb")).read_bytes()
    for needle in (b"from the test", b"system_prompt", b"<tool_call>", b"pass_rate", b"protocol_error_rate",
                   b"mean_steps", b"spent_tokens", b"trajectories"):
        assert needle in log, needle
    table = json.loads(next((offline[0] / "files/media/table").glob("trajectories_*.table.json")).read_text())
    assert table["columns"] == ["task", "sample", "resolved", "end_reason", "steps", "transcript", "diff", "outcome"]
    assert len(table["data"]) == 2 and all(row[2] is True and "<tool_call>" in row[5] for row in table["data"])
    assert summary["pass_rate"] == 1.0
