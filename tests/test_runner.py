"""The sandboxed runner: outcomes, timeouts, isolation, and fork == subprocess."""

import socket
import uuid

import pytest
from sandbox_probe import running, write

from agentpref.sandbox.limits import Limits, network_isolation_available
from agentpref.sandbox.runner import TestRunner

pytestmark = pytest.mark.reliability  # the sandboxed runner: docs/reliability.md

MIXED = {
    "calc.py": """
        def add(a, b):
            return a + b

        def loop():
            while True:
                pass
    """,
    "tests/test_calc.py": """
        import pytest
        from calc import add, loop

        def test_ok():
            assert add(1, 2) == 3

        def test_fail():
            assert add(2, 2) == 5

        @pytest.fixture
        def broken():
            raise RuntimeError("fixture boom")

        def test_error(broken):
            pass

        def test_hang():
            loop()

        @pytest.mark.skip(reason="not today")
        def test_skip():
            pass
    """,
}


@pytest.mark.parametrize("mode", ["fork", "subprocess"])
def test_per_test_outcomes(tmp_path, mode, fork_runner, subprocess_runner):
    runner = fork_runner if mode == "fork" else subprocess_runner
    ws = write(tmp_path, MIXED)
    run = runner.run_dir(ws, ["tests/test_calc.py"])
    outcomes = {o.nodeid.split("::")[1]: o for o in run.outcomes}
    assert {k: o.outcome for k, o in outcomes.items()} == {
        "test_ok": "passed",
        "test_fail": "failed",
        "test_error": "error",
        "test_hang": "timeout",
        "test_skip": "skipped",
    }
    assert "assert 4 == 5" in outcomes["test_fail"].message
    assert "fixture boom" in outcomes["test_error"].message
    assert not run.all_passed and run.any_failed and run.hung
    assert run.mode == mode


def test_fork_and_subprocess_agree(tmp_path, fork_runner, subprocess_runner):
    ws = write(tmp_path, MIXED)
    a = fork_runner.run_dir(ws, ["tests/test_calc.py"])
    b = subprocess_runner.run_dir(ws, ["tests/test_calc.py"])
    assert a.outcome_map() == b.outcome_map()


def test_maxfail_stops_early_and_marks_the_rest_not_run(tmp_path, fork_runner):
    ws = write(tmp_path, MIXED)
    run = fork_runner.run_dir(ws, ["tests/test_calc.py"], maxfail=1)
    assert [o.outcome for o in run.outcomes][:2] == ["passed", "failed"]
    assert {o.outcome for o in run.outcomes[2:]} == {"not_run"}


@pytest.mark.parametrize("mode", ["fork", "subprocess"])
def test_wall_timeout_kills_the_whole_process_group(tmp_path, mode):
    token = f"agentpref-sleeper-{uuid.uuid4().hex}"
    ws = write(
        tmp_path / "ws",
        {
            "tests/test_sleep.py": f"""
        import subprocess, sys, time

        def test_sleep_forever():
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", {token!r}])
            time.sleep(600)
    """
        },
    )
    limits = Limits(per_test_timeout_s=100, wall_timeout_s=2, network=True)
    with TestRunner(mode, limits) as runner:
        run = runner.run_dir(ws, ["tests/test_sleep.py"])
    assert run.timed_out and run.outcomes[0].outcome == "timeout"
    assert run.duration_s < 15
    assert running(token) == []  # the grandchild died with the group


def test_collection_errors_are_reported(tmp_path, fork_runner):
    ws = write(tmp_path, {"tests/test_bad.py": "def test_x(:\n    pass\n"})
    run = fork_runner.run_dir(ws, ["tests/test_bad.py"])
    assert run.collection_errors and "SyntaxError" in run.collection_errors[0].message
    assert not run.all_passed and run.any_failed


def test_runs_use_a_fresh_copy_and_extra_files(tmp_path, fork_runner):
    ws = write(
        tmp_path,
        {
            "tests/test_w.py": """
        import pathlib

        def test_writes():
            pathlib.Path("scratch.txt").write_text("x")
            assert pathlib.Path("tests/test_extra.py").exists()
    """
        },
    )
    run = fork_runner.run_dir(ws, ["tests/test_w.py"], extra_files={"tests/test_extra.py": "def test_e():\n    pass\n"})
    assert run.all_passed
    assert not (ws / "scratch.txt").exists() and not (ws / "tests/test_extra.py").exists()


def test_environment_is_scrubbed(tmp_path, fork_runner, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    # The fork server was started before the variable was set, so also check a fresh runner.
    ws = write(
        tmp_path,
        {
            "tests/test_env.py": """
        import os

        def test_no_secrets():
            assert "OPENAI_API_KEY" not in os.environ
            assert not any("sk-secret" in v for v in os.environ.values())
    """
        },
    )
    with TestRunner("subprocess") as fresh:
        assert fresh.run_dir(ws, ["tests/test_env.py"]).all_passed
    with TestRunner("fork") as fresh_fork:
        assert fresh_fork.run_dir(ws, ["tests/test_env.py"]).all_passed


@pytest.mark.skipif(not network_isolation_available(), reason="this OS does not allow a private network namespace")
def test_network_is_cut(tmp_path, fork_runner):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    ws = write(
        tmp_path,
        {
            "tests/test_net.py": f"""
        import socket, pytest

        def test_connect():
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", {port}), timeout=1)
    """
        },
    )
    try:
        run = fork_runner.run_dir(ws, ["tests/test_net.py"])
    finally:
        server.close()
    assert run.network_isolated and run.all_passed


def test_output_is_truncated(tmp_path):
    ws = write(
        tmp_path,
        {
            "tests/test_loud.py": """
        def test_loud():
            print("x" * 100000)
            assert False
    """
        },
    )
    with TestRunner("fork", Limits(output_limit_chars=2000)) as runner:
        run = runner.run_dir(ws, ["tests/test_loud.py"])
    assert len(run.output) < 2200 and "characters truncated" in run.output
    assert len(run.outcomes[0].message) < 2200


def test_memory_limit_contains_a_hog(tmp_path):
    ws = write(
        tmp_path,
        {
            "tests/test_hog.py": """
        def test_hog():
            blob = bytearray(3 * 1024 ** 3)
            assert blob
    """
        },
    )
    with TestRunner("fork", Limits(memory_mb=1024)) as runner:
        run = runner.run_dir(ws, ["tests/test_hog.py"])
    assert run.outcomes[0].outcome == "failed" and "MemoryError" in run.outcomes[0].message


def test_rewrite_cache_follows_test_file_content(tmp_path):
    """The fork server caches assertion-rewritten test modules by path *and* content."""
    a = write(tmp_path / "a", {"tests/test_x.py": "def test_x():\n    assert [1, 2] == [1, 2]\n"})
    b = write(tmp_path / "b", {"tests/test_x.py": "def test_x():\n    value = [1, 3]\n    assert value == [1, 2]\n"})
    with TestRunner("fork") as runner:
        first = runner.run_dir(a, ["tests/test_x.py"])
        second = runner.run_dir(b, ["tests/test_x.py"])
        again = runner.run_dir(a, ["tests/test_x.py"])
    assert first.all_passed and again.all_passed
    assert second.outcomes[0].outcome == "failed"
    # the rewritten assert still explains itself (introspection intact)
    assert "assert [1, 3] == [1, 2]" in second.outcomes[0].message


def test_children_do_not_share_the_servers_random_state(tmp_path, fork_runner):
    """`random` is preloaded in the fork server; each run must still start from a fresh seed.
    (The draw comes back in the output: sandboxed code cannot write outside its workspace.)"""
    ws = write(
        tmp_path / "ws",
        {
            "tests/test_r.py": """
        import random

        def test_draw():
            print("DRAW", random.random())
            assert False
    """
        },
    )
    runner = TestRunner("fork", Limits(network=True))
    try:
        runs = [runner.run_dir(ws, ["tests/test_r.py"]) for _ in range(3)]
    finally:
        runner.close()
    draws = [next(x for x in r.output.splitlines() if x.startswith("DRAW")) for r in runs]
    assert len(draws) == 3 and len(set(draws)) == 3


@pytest.mark.parametrize("mode", ["fork", "subprocess"])
def test_secrets_do_not_reach_the_process_environment_block(tmp_path, mode, monkeypatch):
    """Clearing os.environ is not enough: /proc/self/environ keeps the exec-time environment."""
    monkeypatch.setenv("TOGETHER_API_KEY", "tk-very-secret")
    ws = write(
        tmp_path,
        {
            "tests/test_proc.py": """
        def test_proc_environ():
            with open("/proc/self/environ", "rb") as fh:
                assert b"tk-very-secret" not in fh.read()
    """
        },
    )
    with TestRunner(mode) as runner:
        run = runner.run_dir(ws, ["tests/test_proc.py"])
    assert run.all_passed, run.outcomes[0].message


def test_hash_seed_matches_a_fresh_interpreter(tmp_path, fork_runner, subprocess_runner):
    """Set iteration order of strings depends on the hash seed: both modes must use the same."""
    ws = write(
        tmp_path,
        {
            "tests/test_order.py": """
        def test_order():
            print("ORDER", list({"alpha", "beta", "gamma", "delta", "epsilon"}))
            assert False
    """
        },
    )
    a = fork_runner.run_dir(ws, ["tests/test_order.py"])
    b = subprocess_runner.run_dir(ws, ["tests/test_order.py"])
    line = lambda run: next(x for x in run.output.splitlines() if x.startswith("ORDER"))  # noqa: E731
    assert line(a) == line(b)


@pytest.mark.parametrize("how", ["os._exit(7)", "os.kill(os.getpid(), 9)"])
@pytest.mark.parametrize("mode", ["fork", "subprocess"])
def test_a_run_that_dies_midway_is_never_a_pass(tmp_path, mode, how):
    """pytest can stop abnormally (an INTERNALERROR when a timeout lands in its own code, a
    signal, os._exit): the test that was running is an error and the run counts as failed."""
    ws = write(
        tmp_path,
        {
            "tests/test_die.py": f"""
        import os

        def test_first():
            pass

        def test_dies():
            {how}

        def test_after():
            pass
    """
        },
    )
    with TestRunner(mode) as runner:
        run = runner.run_dir(ws, ["tests/test_die.py"])
    assert run.crashed and run.any_failed and not run.all_passed
    assert [o.outcome for o in run.outcomes] == ["passed", "error", "not_run"]
    assert "stopped abnormally" in run.outcomes[1].message
