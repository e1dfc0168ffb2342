"""Warm fork server for pytest runs: the fast path of ``runner.TestRunner(mode="fork")``.

The server process imports pytest, pytest-timeout and the report plugin once, runs one warm-up
session, then serves JSON-line requests on stdin. Each request forks a child that enters the
sandbox, redirects its output, mimics ``python -m pytest`` in the workspace (cwd first on
``sys.path``) and runs ``pytest.main``. The server waits with a wall-clock limit, kills the child's
whole process group, and answers on stdout with the exit code.
"""

from __future__ import annotations

import gc
import importlib
import inspect
import json
import os
import select
import subprocess
import sys
import tempfile
import time
import types

from agentpref.sandbox.isolation import (
    confine_filesystem,
    drop_network,
    enter_sandbox,
    join_cgroup,
    kill_group,
    network_isolation_available,
    scrubbed_env,
)
from agentpref.sandbox.pytest_command import pytest_args
from agentpref.sandbox.pytest_warm_start import (
    prebuild_config,
    precompile_tests,
    use_prebuilt_config,
)

# Standard-library modules test suites commonly import, loaded once in the server like pytest is.
# Importing them has no effect a test could observe, except the seed of ``random``, which every
# child re-seeds from the OS as a fresh interpreter would.
PRELOAD = (
    "random",
    "math",
    "itertools",
    "functools",
    "collections",
    "dataclasses",
    "decimal",
    "fractions",
    "string",
    "re",
    "json",
    "heapq",
    "bisect",
    "copy",
    "typing",
    "enum",
)


def _prepare_child(network: bool) -> None:  # pragma: no cover - runs in the forked child
    """The request-independent part of a child's start: own session, fresh seed, no network."""
    os.setsid()
    import random

    random.seed()
    if not network:
        drop_network()


def _child(req: dict, prepared: bool = False) -> None:  # pragma: no cover - runs in the forked child
    try:
        if not prepared:
            _prepare_child(req["limits"]["network"])
        join_cgroup(req.get("cgroup"))
        enter_sandbox(types.SimpleNamespace(**req["limits"]), network_dropped=True)
        fd = os.open(req["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        confine_filesystem(req.get("writable", [req["workdir"]]))
        os.chdir(req["workdir"])
        os.environ.clear()
        os.environ.update(req["env"])
        tempfile.tempdir = None  # the server's cached /tmp: re-read from TMPDIR (the workspace)
        sys.path[0] = req["workdir"]
        sys.argv = ["pytest", *req["args"]]
        import pytest

        use_prebuilt_config(req["args"])
        code = int(pytest.main(req["args"]))
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the child must never return into the server loop
        code = 3
        try:  # a failure of the sandbox set-up itself: say what it was in the run's output
            import traceback

            with open(req["output"], "a") as fh:
                fh.write("agentpref sandbox: the test process failed to start:\n" + traceback.format_exc())
        except BaseException:  # noqa: BLE001
            pass
    os._exit(code)


class _Spare:
    """A child forked ahead of time, while the server is idle, waiting for its request on a pipe.

    Forking and entering a new session and network namespace (~5 ms) then happen between runs
    instead of inside the next one. A spare is used only when nothing the children inherit changed
    since it was forked (a new rewritten test module does not reach it) and the run wants no
    network; otherwise it is released and a child is forked as usual. When the server dies, the
    pipe closes and the spare exits.
    """

    def __init__(self) -> None:
        read_end, self.write_end = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the spare
            os.close(self.write_end)
            try:
                _prepare_child(network=False)
                chunks = []
                while chunk := os.read(read_end, 1 << 16):
                    chunks.append(chunk)
            except BaseException:  # noqa: BLE001
                os._exit(3)
            if not chunks:
                os._exit(0)  # released
            _child(json.loads(b"".join(chunks)), prepared=True)
        os.close(read_end)

    def start(self, req: dict) -> int:
        os.write(self.write_end, json.dumps(req).encode())
        os.close(self.write_end)
        return self.pid

    def release(self) -> None:
        os.close(self.write_end)
        os.waitpid(self.pid, 0)


def _wait(pid: int, timeout: float) -> tuple[int | None, bool]:
    """Wait for ``pid`` up to ``timeout`` seconds; kill its group on timeout."""
    deadline = time.monotonic() + timeout
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    try:
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), False
            left = deadline - time.monotonic()
            if left <= 0:
                kill_group(pid)
                os.waitpid(pid, 0)
                return None, True
            if pidfd is not None:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(0.002, left))
    finally:
        if pidfd is not None:
            os.close(pidfd)


_WARM_TESTS = """
import pytest

def test_pass():
    assert [1, 2] == [1, 2]

@pytest.mark.parametrize("a,b", [(1, 2), ("x", "y")])
def test_fail(a, b):
    assert {"k": [a, "long text"]} == {"k": [b, "long text"]}

def test_raises_and_fixtures(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WARM", "1")
    print("out")
    with pytest.raises(ValueError):
        int("x")
    assert "x\\ny" == "x\\nz"

@pytest.mark.skip(reason="warm")
def test_skip():
    pass
"""


def _warm_up() -> None:
    """Run one throwaway session in the server itself, with the runs' own arguments, so the
    modules pytest imports lazily (collection, fixtures, failure reports, assertion diffs) are
    loaded once here instead of in every child."""
    import pytest

    args = pytest_args(["test_warm.py"], 5.0, None)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "test_warm.py"), "w") as fh:
            fh.write(_WARM_TESTS)
        saved = sys.stdout, sys.stderr, os.getcwd(), dict(os.environ)
        with open(os.devnull, "w") as devnull:
            try:
                sys.stdout = sys.stderr = devnull
                os.chdir(tmp)
                os.environ.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", AGENTPREF_PYTEST_REPORT=os.devnull)
                pytest.main(args)
            finally:
                sys.stdout, sys.stderr = saved[0], saved[1]
                os.chdir(saved[2])
                os.environ.clear()
                os.environ.update(saved[3])


def serve() -> None:
    import pytest_timeout  # noqa: F401

    import agentpref.sandbox.pytest_report  # noqa: F401

    sys.dont_write_bytecode = True
    for name in PRELOAD:
        importlib.import_module(name)
    network_isolation_available()  # probe once here, not in every child
    _warm_up()
    prebuild_config()
    # Fill inspect's module-file cache now: the first traceback a child formats would otherwise
    # realpath() every module the server imported (~35 ms per failing run).
    inspect.getmodule(_warm_up.__code__)
    # Move everything loaded so far out of the collector's reach: the children's gc passes
    # (pytest forces several per session) then skip the warm heap, and pages stay shared.
    gc.freeze()
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    spare = _Spare()
    for line in sys.stdin:
        req = json.loads(line)
        changed = precompile_tests(req["workdir"], req.get("targets", []))
        if spare is not None and not changed and not req["limits"]["network"]:
            pid = spare.start(req)
        else:
            if spare is not None:
                spare.release()
            pid = os.fork()
            if pid == 0:
                _child(req)
        spare = None
        code, timed_out = _wait(pid, float(req["limits"]["wall_timeout_s"]))
        kill_group(pid)
        out.write(json.dumps({"exit_code": code, "timed_out": timed_out}) + "\n")
        out.flush()
        spare = _Spare()
    if spare is not None:
        spare.release()


class ForkServerClient:
    """Starts and talks to one fork server process (trusted code; the sandbox is per child)."""

    def __init__(self) -> None:
        # The server's own environment is what every child inherits at the process level (the hash
        # seed, and /proc/<pid>/environ, which clearing os.environ does not change): start it with
        # the same scrubbed environment a fresh `python -m pytest` run gets, never the caller's.
        env = scrubbed_env(tempfile.gettempdir(), {k: v for k, v in os.environ.items() if k == "PYTHONPATH"})
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agentpref.sandbox.forkserver"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
            env=env,
        )
        ready = self.proc.stdout.readline()
        if not ready:
            raise RuntimeError("the pytest fork server failed to start (is pytest-timeout installed?)")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def request(self, req: dict) -> dict:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the pytest fork server died; it is restarted on the next run")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


if __name__ == "__main__":
    serve()
