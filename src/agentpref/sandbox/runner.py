"""Sandboxed pytest runs with per-test outcomes, in two interchangeable modes.

* ``subprocess``: a fresh ``python -m pytest`` per run (the reference behaviour).
* ``fork``: a warm fork server (pytest imported and warmed once, lean plugins) forks one child per
  run; measured ~6-10x faster on corpus-size programs (benchmarks/bench_test_runner.py) with the
  same per-test outcomes.

Both modes run in a fresh scratch copy of the workspace, inside the sandbox of ``sandbox.py``,
with the same pytest arguments and the same report plugin, so their outcomes are identical.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from agentpref.sandbox.forkserver import ForkServerClient
from agentpref.sandbox.limits import (
    Limits,
    ProcessCgroup,
    confine_filesystem,
    enter_sandbox,
    join_cgroup,
    kill_group,
    network_isolation_available,
    sandbox_features,
    scrubbed_env,
)
from agentpref.sandbox.pytest_command import pytest_args

Outcome = Literal["passed", "failed", "error", "timeout", "skipped", "not_run"]
Mode = Literal["fork", "subprocess"]


class TestOutcome(BaseModel):
    __test__ = False
    nodeid: str
    outcome: Outcome
    duration_s: float = 0.0
    message: str = ""


class TestRun(BaseModel):
    """Result of one sandboxed pytest run."""

    __test__ = False
    mode: Mode
    targets: list[str]
    outcomes: list[TestOutcome]
    collection_errors: list[TestOutcome] = []
    exit_code: int | None
    timed_out: bool = False
    crashed: bool = False  # pytest ended abnormally (internal error, signal): never a pass
    duration_s: float
    output: str = ""
    network_isolated: bool
    filesystem_confined: bool = False  # Landlock: writes only in the run dir, /proc closed
    processes_limited: bool = False  # max_processes held (pids cgroup as root, else RLIMIT_NPROC)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            counts[o.outcome] = counts.get(o.outcome, 0) + 1
        if self.collection_errors:
            counts["collection_error"] = len(self.collection_errors)
        return counts

    @property
    def all_passed(self) -> bool:
        """True when tests ran, none was collected with errors, and every one passed."""
        return (
            bool(self.outcomes)
            and not self.crashed
            and not self.collection_errors
            and all(o.outcome in ("passed", "skipped") for o in self.outcomes)
            and any(o.outcome == "passed" for o in self.outcomes)
        )

    @property
    def any_failed(self) -> bool:
        return (
            self.crashed
            or bool(self.collection_errors)
            or any(o.outcome in ("failed", "error", "timeout") for o in self.outcomes)
            or not self.outcomes
        )

    @property
    def hung(self) -> bool:
        return self.timed_out or any(o.outcome == "timeout" for o in self.outcomes)

    def outcome_map(self) -> dict[str, str]:
        out = {o.nodeid: o.outcome for o in self.outcomes}
        out.update({f"<collect>{c.nodeid}": "error" for c in self.collection_errors})
        return out

    def summary(self) -> str:
        return ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items())) or "no tests ran"


def _truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    return f"{text[:head]}\n... [{len(text) - limit} characters truncated] ...\n{text[-tail:]}"


# pytest's exit codes for a session that ended normally: all passed, tests failed, none collected.
NORMAL_EXIT_CODES = (0, 1, 5)
# What differs between two runs of the same tests: object addresses in reprs ("<A object at 0x7f..>")
# and pytest's session time ("1 failed in 0.12s (0:00:00)").
_ADDRESS = re.compile(r"(?<=\bat )0x[0-9a-f]{6,16}\b")
_SESSION_TIME = re.compile(r"(?m)\bin \d+\.\d\ds(?: \(\d+:\d\d:\d\d\))?(?=(?: =+)?$)")  # ends its line
# A short-style traceback frame of code outside the workspace: pytest's and importlib's own frames
# in a collection error (an edit that broke the module's syntax), named by absolute path.
_OUTSIDE_FRAME = re.compile(r"^(?:/|<frozen )\S*:\d+: in \S+$")


def normalize_output(text: str, workdir: Path | None = None) -> str:
    """Test output with what varies from run to run replaced: the scratch dir's absolute path
    (a random temp dir; made relative), object addresses and the session time; and traceback frames
    outside the workspace, which name this machine's paths and say nothing about the code under test.
    Observations are model input (SFT tokens), so the same tests on the same code must read the same."""
    if workdir is not None:
        text = text.replace(f"{workdir}/", "").replace(str(workdir), ".")
    return _SESSION_TIME.sub("in ?s", _ADDRESS.sub("0x...", drop_outside_frames(text)))


def drop_outside_frames(text: str) -> str:
    """``text`` without the short-traceback frames of code outside the workspace (a frame: its
    ``path:line: in name`` header and the indented source lines under it)."""
    kept, skipping = [], False
    for line in text.split("\n"):
        if _OUTSIDE_FRAME.match(line):
            skipping = True
            continue
        if skipping and line.startswith(" "):
            continue
        skipping = False
        kept.append(line)
    return "\n".join(kept)


def mark_crash(outcomes: list[TestOutcome], exit_code: int | None, output: str, limit: int) -> None:
    """pytest itself stopped abnormally (internal error, a signal, an interrupt): the first test
    without an outcome is the one that was running; it counts as an error, never as not run."""
    what = f"killed by signal {-exit_code}" if exit_code is not None and exit_code < 0 else f"exit code {exit_code}"
    lines = output.strip().splitlines()
    internal = [i for i, line in enumerate(lines) if line.startswith("INTERNALERROR>")]
    dropped = set(internal[:-1])  # pytest's own traceback names this machine's paths; its last line is the error
    tail = "\n".join([line for i, line in enumerate(lines) if i not in dropped][-15:])
    for i, o in enumerate(outcomes):
        if o.outcome == "not_run":
            outcomes[i] = o.model_copy(
                update={
                    "outcome": "error",
                    "message": _truncate(
                        f"the test process stopped abnormally ({what}) while this test ran:\n{tail}", limit
                    ),
                }
            )
            return


def parse_report(
    path: Path, *, timed_out: bool, limits: Limits, workdir: Path | None = None
) -> tuple[list[TestOutcome], list[TestOutcome]]:
    """Aggregate the plugin's per-phase lines into one outcome per collected test (messages
    through :func:`normalize_output`)."""
    collected: list[str] = []
    phases: dict[str, dict[str, dict]] = {}
    collect_errors: list[TestOutcome] = []
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut by a kill mid-write
            if rec["event"] == "collected":
                collected = rec["nodeids"]
            elif rec["event"] == "collect_error":
                msg = _truncate(normalize_output(rec["message"], workdir), limits.output_limit_chars)
                collect_errors.append(TestOutcome(nodeid=rec["nodeid"], outcome="error", message=msg))
            elif rec["event"] == "phase":
                phases.setdefault(rec["nodeid"], {})[rec["when"]] = rec
    outcomes = []
    for nodeid in collected or list(phases):
        ph = phases.get(nodeid, {})
        setup, call, teardown = ph.get("setup"), ph.get("call"), ph.get("teardown")
        duration = sum(p["duration"] for p in ph.values())
        if not ph:
            outcome, msg = (
                ("timeout", "killed: the run hit its wall-clock limit")
                if timed_out
                else ("not_run", "not run (the run stopped early)")
            )
        elif setup and setup["outcome"] == "failed":
            outcome, msg = "error", setup["message"]
        elif setup and setup["outcome"] == "skipped":
            outcome, msg = "skipped", setup["message"]
        elif call is None:
            outcome = "timeout" if timed_out else "error"
            msg = "killed while running (wall-clock limit)" if timed_out else "the test never finished"
        elif call["outcome"] == "failed":
            msg = call["message"]
            outcome = "timeout" if "Timeout (>" in msg and "pytest-timeout" in msg else "failed"
        elif call["outcome"] == "skipped":
            outcome, msg = "skipped", call["message"]
        elif teardown and teardown["outcome"] == "failed":
            outcome, msg = "error", teardown["message"]
        else:
            outcome, msg = "passed", ""
        outcomes.append(
            TestOutcome(
                nodeid=nodeid,
                outcome=outcome,
                duration_s=round(duration, 6),
                message=_truncate(normalize_output(msg, workdir), limits.output_limit_chars),
            )
        )
    return outcomes, collect_errors


class TestRunner:
    """Runs pytest targets on a workspace in a sandbox; ``mode`` picks the fast or the plain path.

    Thread-safe: concurrent ``run`` calls on one runner are serialised per fork server; use one
    runner per worker thread for parallelism.
    """

    __test__ = False

    def __init__(self, mode: Mode = "fork", limits: Limits | None = None):
        if mode not in ("fork", "subprocess"):
            raise ValueError(f"unknown runner mode {mode!r}: use 'fork' or 'subprocess'")
        self.mode = mode
        self.limits = limits or Limits()
        self._server = None
        self._lock = threading.Lock()
        self._tmp_root = Path(tempfile.mkdtemp(prefix="agentpref-runs-"))
        self._counter = 0
        self._cgroup = ProcessCgroup(f"agentpref-{os.getpid()}-{self._tmp_root.name}", self.limits.max_processes)

    # ---- public API ------------------------------------------------------------------------
    def run_dir(
        self,
        workspace: Path,
        targets: Sequence[str],
        *,
        extra_files: dict[str, str] | None = None,
        maxfail: int | None = None,
    ) -> TestRun:
        """Run ``targets`` on a fresh copy of ``workspace`` (plus ``extra_files``, e.g. hidden tests)."""

        def prepare(dest: Path) -> None:
            shutil.copytree(workspace, dest, symlinks=True, dirs_exist_ok=True)
            for rel, content in (extra_files or {}).items():
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                (dest / rel).write_text(content, encoding="utf-8")

        return self._run(prepare, targets, maxfail)

    def run_task(self, task: Any, *, fixed: bool = False, hidden: bool = False, maxfail: int | None = None) -> TestRun:
        """Run a task's visible tests (or hidden ones) on its buggy or fixed version (``task``: a
        ``tasks.model.Task``, or anything with its ``materialize`` and test lists)."""
        targets = task.hidden_test_targets if hidden else task.visible_tests
        return self._run(lambda dest: task.materialize(dest, fixed=fixed, with_hidden=hidden), targets, maxfail)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._cgroup.close()
        shutil.rmtree(self._tmp_root, ignore_errors=True)

    def __enter__(self) -> TestRunner:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ---- internals -------------------------------------------------------------------------
    def _run(self, prepare, targets: Sequence[str], maxfail: int | None) -> TestRun:
        if self.mode == "fork":
            # One fork server runs one child at a time; a stable workspace path per runner lets
            # the server reuse its assertion-rewritten test modules (pytest_warm_start.precompile_tests).
            with self._lock:
                return self._run_in(self._tmp_root / "fork", prepare, targets, maxfail)
        with self._lock:
            self._counter += 1
            run_root = self._tmp_root / f"run-{self._counter}"
        return self._run_in(run_root, prepare, targets, maxfail)

    def _run_in(self, run_root: Path, prepare, targets: Sequence[str], maxfail: int | None) -> TestRun:
        work, private = run_root / "ws", run_root / "private"
        shutil.rmtree(run_root, ignore_errors=True)
        private.mkdir(parents=True)
        work.mkdir()
        try:
            prepare(work)
            report, output = private / "report.jsonl", private / "output.txt"
            env = scrubbed_env(str(work), {"AGENTPREF_PYTEST_REPORT": str(report)})
            args = pytest_args(targets, self.limits.per_test_timeout_s, maxfail)
            start = time.perf_counter()
            confine = {"writable": [str(work), str(private)], "cgroup": self._cgroup.procs_file()}
            try:
                if self.mode == "subprocess":
                    exit_code, timed_out = self._run_subprocess(work, args, env, output, confine)
                else:
                    exit_code, timed_out = self._run_forked(work, args, list(targets), env, output, confine)
            finally:
                self._cgroup.kill_all()  # whatever the run left behind, setsid or not
            duration = time.perf_counter() - start
            outcomes, collect_errors = parse_report(report, timed_out=timed_out, limits=self.limits, workdir=work)
            text = output.read_text(encoding="utf-8", errors="replace") if output.exists() else ""
            text = normalize_output(text, work)
            crashed = not timed_out and exit_code not in NORMAL_EXIT_CODES
            if crashed:
                mark_crash(outcomes, exit_code, text, self.limits.output_limit_chars)
            return TestRun(
                mode=self.mode,
                targets=list(targets),
                outcomes=outcomes,
                crashed=crashed,
                collection_errors=collect_errors,
                exit_code=exit_code,
                timed_out=timed_out,
                duration_s=round(duration, 4),
                output=_truncate(text, self.limits.output_limit_chars),
                network_isolated=not self.limits.network and network_isolation_available(),
                filesystem_confined=sandbox_features().filesystem,
                processes_limited=self._cgroup.path is not None or os.geteuid() != 0,
            )
        finally:
            shutil.rmtree(run_root, ignore_errors=True)

    def _run_subprocess(
        self, work: Path, args: list[str], env: dict, output: Path, confine: dict
    ) -> tuple[int | None, bool]:
        limits = self.limits

        def preexec() -> None:
            join_cgroup(confine["cgroup"])
            enter_sandbox(limits)
            confine_filesystem(confine["writable"])

        with output.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "pytest", *args],
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=preexec,
            )
            try:
                code = proc.wait(timeout=limits.wall_timeout_s)
                timed_out = False
            except subprocess.TimeoutExpired:
                kill_group(proc.pid)
                proc.wait()
                code, timed_out = None, True
            kill_group(proc.pid)  # leftovers: children the tests started and left behind
        return code, timed_out

    def _run_forked(
        self, work: Path, args: list[str], targets: list[str], env: dict, output: Path, confine: dict
    ) -> tuple[int | None, bool]:
        if self._server is None or not self._server.alive():
            self._server = ForkServerClient()
        reply = self._server.request(
            {
                "workdir": str(work),
                "args": args,
                "targets": targets,
                "env": env,
                "output": str(output),
                "limits": self.limits.model_dump(),
                **confine,
            }
        )
        return reply["exit_code"], reply["timed_out"]
