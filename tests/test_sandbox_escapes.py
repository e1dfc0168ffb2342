"""Sandbox escapes (docs/reliability.md): model-written code that tries to leave the workspace,
exhaust the machine, outlive its run or read secrets. Each case must be contained, show up in the
run's outcome/output, leave no process behind, and the same runner must keep working after it."""

import os
import subprocess
import sys
import uuid

import pytest
from sandbox_probe import running, write

from agentpref.sandbox.limits import Limits, sandbox_features
from agentpref.sandbox.runner import TestRunner

pytestmark = pytest.mark.reliability
MODES = ["fork", "subprocess"]
SANITY = {"tests/test_ok.py": "def test_ok():\n    assert 1 + 1 == 2\n"}


def still_works(runner: TestRunner, tmp_path) -> bool:
    """The harness keeps running: the same runner passes a trivial test after the attack."""
    return runner.run_dir(write(tmp_path / f"sane-{uuid.uuid4().hex[:6]}", SANITY), ["tests/test_ok.py"]).all_passed


def run_attack(mode, tmp_path, test_body: str, limits: Limits | None = None):
    ws = write(tmp_path / "ws", {"tests/test_attack.py": test_body})
    runner = TestRunner(mode, limits or Limits(per_test_timeout_s=10, wall_timeout_s=30))
    try:
        run = runner.run_dir(ws, ["tests/test_attack.py"])
        assert still_works(runner, tmp_path)
    finally:
        runner.close()
    return run


needs_fs = pytest.mark.skipif(not sandbox_features().filesystem, reason="no Landlock on this kernel")
needs_pids = pytest.mark.skipif(
    not sandbox_features().process_limit, reason="root without a pids cgroup: no process limit"
)


@needs_fs
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("where", ["host_dir", "tmp", "symlink"])
def test_writes_outside_the_workspace_are_refused(tmp_path, mode, where):
    host = tmp_path / "host"
    host.mkdir()
    target = {
        "host_dir": host / "pwned.txt",
        "tmp": f"/tmp/agentpref-escape-{uuid.uuid4().hex}",
        "symlink": "link/pwned.txt",
    }[where]
    symlink = f"os.symlink({str(host)!r}, 'link')" if where == "symlink" else "pass"
    run = run_attack(
        mode,
        tmp_path,
        f"""
        import os

        def test_escape():
            {symlink}
            with open({str(target)!r}, "w") as fh:
                fh.write("escaped")
    """,
    )
    outcome = run.outcomes[0]
    assert outcome.outcome == "failed" and "PermissionError" in outcome.message, outcome.message
    assert not (host / "pwned.txt").exists() and not os.path.exists(f"{target}" if where == "tmp" else "/-")
    assert run.filesystem_confined


@needs_fs
@pytest.mark.parametrize("mode", MODES)
def test_the_workspace_itself_stays_writable(tmp_path, mode):
    run = run_attack(
        mode,
        tmp_path,
        """
        import os, subprocess, sys

        def test_write_here(tmp_path):
            open("scratch.txt", "w").write("ok")
            (tmp_path / "t.txt").write_text("ok")
            os.makedirs("pkg/sub", exist_ok=True)
            subprocess.run([sys.executable, "-c", "open('child.txt', 'w').write('ok')"], check=True)
            with open(os.devnull, "w") as fh:
                fh.write("fine")
            assert open("child.txt").read() == "ok"
    """,
    )
    assert run.all_passed, run.outcomes[0].message


@needs_pids
@pytest.mark.parametrize("mode", MODES)
def test_a_fork_bomb_hits_the_process_limit(tmp_path, mode):
    token = f"agentpref-bomb-{uuid.uuid4().hex}"
    run = run_attack(
        mode,
        tmp_path,
        f"""
        import os, sys, time

        def test_bomb():
            made = 0
            try:
                while made < 5000:
                    if os.fork() == 0:
                        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(60)", {token!r}])
                    made += 1
            except OSError as exc:
                raise AssertionError(f"MADE={{made}} {{exc!r}}")
            raise AssertionError("MADE=5000 no limit")
    """,
        Limits(per_test_timeout_s=10, wall_timeout_s=30, max_processes=32),
    )
    message = run.outcomes[0].message
    made = int(message.rsplit("MADE=", 1)[1].split()[0])  # the raised value, not the source line
    assert run.any_failed and "BlockingIOError" in message and made < 32, message
    assert run.processes_limited
    assert running(token) == []  # every child of the bomb died with the run


@pytest.mark.parametrize("mode", MODES)
def test_a_daemon_that_leaves_the_session_dies_with_the_run(tmp_path, mode):
    """setsid() escapes a process-group kill; the runner's cgroup still holds it."""
    token = f"agentpref-daemon-{uuid.uuid4().hex}"
    run = run_attack(
        mode,
        tmp_path,
        f"""
        import os, subprocess, sys, time

        def test_daemonize():
            if os.fork() == 0:
                os.setsid()
                subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", {token!r}],
                                 start_new_session=True)
                os._exit(0)
            time.sleep(1.0)
    """,
    )
    assert run.all_passed, run.outcomes[0].message
    assert running(token) == []


@pytest.mark.parametrize("mode", MODES)
def test_secrets_of_other_processes_are_not_readable(tmp_path, mode):
    """The user's shell (here: a process started with a key in its environment) is readable via
    /proc/<pid>/environ by any process of the same user; sandboxed code must not see it."""
    secret = f"sk-{uuid.uuid4().hex}"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], env={**os.environ, "OPENAI_API_KEY": secret}
    )
    try:
        run = run_attack(
            mode,
            tmp_path,
            f"""
            import os

            def environ_of(pid):
                try:
                    with open(f"/proc/{{pid}}/environ", "rb") as fh:
                        return fh.read()
                except OSError:
                    return b""

            def test_read_the_holder():
                assert {secret!r}.encode() not in environ_of({holder.pid})
                assert {secret!r}.encode() not in environ_of(os.getppid())

            def test_scan_proc():
                try:
                    pids = [p for p in os.listdir("/proc") if p.isdigit()]
                except OSError:
                    pids = []
                assert [p for p in pids if {secret!r}.encode() in environ_of(p)] == []
        """,
        )
    finally:
        holder.kill()
        holder.wait()
    assert run.all_passed and len(run.outcomes) == 2, run.outcomes[0].message


@pytest.mark.parametrize("mode", MODES)
def test_endless_output_is_cut_and_reported(tmp_path, mode):
    run = run_attack(
        mode,
        tmp_path,
        """
        import os

        def test_flood():
            chunk = b"y" * 65536
            while True:
                os.write(1, chunk)
    """,
        Limits(per_test_timeout_s=10, wall_timeout_s=30, file_size_mb=4, output_limit_chars=2000),
    )
    assert run.any_failed and len(run.output) < 2500
    assert "File too large" in run.outcomes[0].message or run.outcomes[0].outcome == "timeout", run.outcomes[0].message


@pytest.mark.parametrize("mode", MODES)
def test_an_endless_loop_in_a_child_process_is_killed_at_the_wall_clock(tmp_path, mode):
    token = f"agentpref-spin-{uuid.uuid4().hex}"
    run = run_attack(
        mode,
        tmp_path,
        f"""
        import subprocess, sys

        def test_spin():
            subprocess.Popen([sys.executable, "-c", "while True: pass", {token!r}]).wait()
    """,
        Limits(per_test_timeout_s=60, wall_timeout_s=3),
    )
    assert run.timed_out and run.outcomes[0].outcome == "timeout"
    assert running(token) == []
