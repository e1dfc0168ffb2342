"""Helpers shared by the tests of generate runs: records without wall-clock fields, and the
kill -9 mid-run then resume check."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from agentpref.agent.record import read_rollouts

# Differ by construction: wall-clock timings, and the run id (it names the run dir).
WALL_CLOCK = {"latency_s", "tool_latency_s", "duration_s", "run_id"}


def strip_wall_clock(value):
    if isinstance(value, dict):
        return {k: strip_wall_clock(v) for k, v in value.items() if k not in WALL_CLOCK}
    if isinstance(value, list):
        return [strip_wall_clock(v) for v in value]
    return value


def records(run_dir: Path) -> list[dict]:
    """The run's rollout records as dicts, wall-clock fields dropped."""
    return [strip_wall_clock(json.loads(line)) for line in (run_dir / "rollouts.jsonl").read_text().splitlines()]


def kill_mid_run_then_resume(
    cmd: list[str], repo: Path, run_dir: Path, total: int, killed_after: int, timeout: int = 120
) -> None:
    """Start ``cmd`` (a generate.py run of ``total`` episodes into ``run_dir``), kill -9 its process
    group once ``killed_after`` episodes are written, re-run it: the resumed run loses nothing
    finished, rewrites nothing and duplicates nothing."""
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    rollouts = run_dir / "rollouts.jsonl"
    deadline = time.time() + timeout
    while time.time() < deadline and (not rollouts.exists() or rollouts.read_text().count("\n") < killed_after):
        assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    before = rollouts.read_bytes()
    finished_before = before[: before.rfind(b"\n") + 1]
    n_before = finished_before.count(b"\n")
    assert killed_after <= n_before < total, "the run must be killed mid-way"
    done = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=max(300, 2 * timeout))
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["resumed_episodes"] == n_before and summary["episodes"] == total
    assert rollouts.read_bytes().startswith(finished_before)  # nothing finished was lost or rewritten
    got = [(r.task_id, r.sample_index) for r in read_rollouts(rollouts)]
    assert len(got) == len(set(got)) == total  # nothing duplicated
