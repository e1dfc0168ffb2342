"""Warm fork server for pytest runs: the fast path of ``runner.TestRunner(mode="fork")``.

The server process imports pytest, pytest-timeout and the report plugin once, runs one warm-up
session, then serves JSON-line requests on stdin. Each request forks a child that enters the
sandbox, redirects its output, mimics ``python -m pytest`` in the workspace (cwd first on
``sys.path``) and runs ``pytest.main``. The server waits with a wall-clock limit, kills the child's
whole process group, and answers on stdout with the exit code.
"""

from __future__ import annotations

import gc
import json
import os
import select
import subprocess
import sys
import tempfile
import time

from agentpref.tasks.sandbox import Limits, enter_sandbox, kill_group


def _child(req: dict) -> None:  # pragma: no cover - runs in the forked child
    try:
        os.setsid()
        enter_sandbox(Limits(**req["limits"]))
        fd = os.open(req["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.chdir(req["workdir"])
        os.environ.clear()
        os.environ.update(req["env"])
        sys.path[0] = req["workdir"]
        sys.argv = ["pytest", *req["args"]]
        import pytest

        code = int(pytest.main(req["args"]))
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the child must never return into the server loop
        code = 3
    os._exit(code)


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


def _warm_up() -> None:
    """Run one throwaway session so lazily imported pytest modules are loaded before forking."""
    import pytest  # noqa: F401

    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "test_warm.py"), "w") as fh:
            fh.write("def test_warm():\n    assert [1] == [1]\n")
        req = {"workdir": tmp, "args": ["-q", "-p", "no:cacheprovider", "-p", "pytest_timeout",
                                        "-p", "agentpref.tasks.pytest_report", "test_warm.py"],
               "env": {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}, "output": os.devnull}
        pid = os.fork()
        if pid == 0:  # the warm-up's imports happen in the parent below; the child just exits
            os._exit(0)
        os.waitpid(pid, 0)
        saved = sys.stdout, sys.stderr, os.getcwd(), dict(os.environ)
        devnull = open(os.devnull, "w")  # noqa: SIM115
        try:
            sys.stdout = sys.stderr = devnull
            os.chdir(tmp)
            os.environ.update(req["env"])
            pytest.main(req["args"])
        finally:
            sys.stdout, sys.stderr = saved[0], saved[1]
            os.chdir(saved[2])
            os.environ.clear()
            os.environ.update(saved[3])
            devnull.close()


def serve() -> None:
    import pytest_timeout  # noqa: F401

    import agentpref.tasks.pytest_report  # noqa: F401

    sys.dont_write_bytecode = True
    _warm_up()
    # Move everything imported so far out of the collector's reach: the children's gc passes
    # (pytest forces several per session) then skip the warm heap, and pages stay shared.
    gc.freeze()
    out = sys.stdout
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        out.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(req)
        code, timed_out = _wait(pid, float(req["limits"]["wall_timeout_s"]))
        kill_group(pid)
        out.write(json.dumps({"exit_code": code, "timed_out": timed_out}) + "\n")
        out.flush()


class ForkServerClient:
    """Starts and talks to one fork server process (trusted code; the sandbox is per child)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "agentpref.tasks.forkserver"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
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
