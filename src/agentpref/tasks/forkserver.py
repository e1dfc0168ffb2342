"""Warm fork server for pytest runs: the fast path of ``runner.TestRunner(mode="fork")``.

The server process imports pytest, pytest-timeout and the report plugin once, runs one warm-up
session, then serves JSON-line requests on stdin. Each request forks a child that enters the
sandbox, redirects its output, mimics ``python -m pytest`` in the workspace (cwd first on
``sys.path``) and runs ``pytest.main``. The server waits with a wall-clock limit, kills the child's
whole process group, and answers on stdout with the exit code.
"""

from __future__ import annotations

import ast
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
from collections import OrderedDict

from agentpref.tasks.isolation import (
    confine_filesystem,
    drop_network,
    enter_sandbox,
    join_cgroup,
    kill_group,
    network_isolation_available,
    scrubbed_env,
)

# Built-in pytest plugins a test run never needs; dropping them is part of the fast path.
LEAN_PLUGINS = (
    "cacheprovider", "pastebin", "junitxml", "doctest", "setuponly", "setupplan", "stepwise",
    "unraisableexception", "threadexception", "faulthandler",
)
# Plugins every run loads explicitly (autoload is off): per-test timeouts and the outcome report.
PLUGINS = ("pytest_timeout", "agentpref.tasks.pytest_report")


def pytest_args(targets, per_test_timeout_s: float, maxfail: int | None) -> list[str]:
    """The pytest command line of every sandboxed run, identical in both runner modes."""
    args = ["-q", "--tb=short", "-o", "console_output_style=classic", "--rootdir=.", "--confcutdir=."]
    for plugin in LEAN_PLUGINS:
        args += ["-p", f"no:{plugin}"]
    for plugin in PLUGINS:
        args += ["-p", plugin]
    args += ["--timeout", f"{per_test_timeout_s:g}", "--timeout-method", "signal"]
    if maxfail:
        args.append(f"--maxfail={maxfail}")
    return [*args, *targets]


# Standard-library modules test suites commonly import, loaded once in the server like pytest is.
# Importing them has no effect a test could observe, except the seed of ``random``, which every
# child re-seeds from the OS as a fresh interpreter would.
PRELOAD = ("random", "math", "itertools", "functools", "collections", "dataclasses", "decimal",
           "fractions", "string", "re", "json", "heapq", "bisect", "copy", "typing", "enum")


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
        tempfile.tempdir = None          # the server's cached /tmp: re-read from TMPDIR (the workspace)
        sys.path[0] = req["workdir"]
        sys.argv = ["pytest", *req["args"]]
        import pytest

        _use_prebuilt_config(req["args"])
        code = int(pytest.main(req["args"]))
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the child must never return into the server loop
        code = 3
        try:   # a failure of the sandbox set-up itself: say what it was in the run's output
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


_TEMPLATE = None  # a pytest Config with its plugins imported and registered, built before forking
_TEMPLATE_BLOCKED: frozenset[str] = frozenset()


def _blocked(args: list[str]) -> frozenset[str]:
    return frozenset(b[3:] for a, b in zip(args, args[1:]) if a == "-p" and b.startswith("no:"))


def _prebuild_config() -> None:
    """Do the costly part of pytest start-up once: plugin import + registration (~2/3 of a run).

    Each child reuses a private copy-on-write copy of this Config through ``get_config``, so the
    run is otherwise exactly ``pytest.main(args)`` with the same plugins in the same order.
    """
    global _TEMPLATE, _TEMPLATE_BLOCKED
    import _pytest.config as pytest_config

    args = [x for p in LEAN_PLUGINS for x in ("-p", f"no:{p}")]
    config = pytest_config.get_config(args)
    for plugin in PLUGINS:
        config.pluginmanager.import_plugin(plugin)
    _TEMPLATE, _TEMPLATE_BLOCKED = config, _blocked(args)
    _build_fixture_shims(config)
    _memoize_absolutepath()


def _memoize_absolutepath() -> None:
    """Failure reports call pytest's ``absolutepath`` for every frame of every traceback; building
    the ``Path`` is most of a report's path handling. Memoised per (path, working directory), the
    result is the same object-for-value; each child starts from the server's (empty) memo."""
    from _pytest import pathlib as pytest_pathlib

    original = pytest_pathlib.absolutepath
    memo: dict[tuple[str, str], object] = {}

    def absolutepath(path):
        key = (os.fspath(path), os.getcwd())
        found = memo.get(key)
        if found is None:
            found = memo[key] = original(path)
        return found

    for name, module in list(sys.modules.items()):
        if name.startswith("_pytest") and getattr(module, "absolutepath", None) is original:
            module.absolutepath = absolutepath


_SHIMS: dict[int, types.ModuleType] = {}  # id(plugin module) -> module holding only its fixtures
_FIXTURE_FREE_TYPES: set[type] = set()  # pytest's own classes that define no fixture


def _build_fixture_shims(config) -> None:
    """Pre-scan the plugin modules for fixtures once.

    At every session start pytest scans each registered plugin module attribute by attribute
    (``dir()``) for fixtures: ~30 ms per run, the largest cost left after forking. The scan's
    result depends only on the module, so the children scan a stand-in module that holds just
    the fixture attributes (same names, same objects, same sorted order) and register exactly the
    same fixtures.
    """
    from _pytest.compat import safe_getattr
    from _pytest.fixtures import FixtureFunctionDefinition

    for plugin in config.pluginmanager.get_plugins():
        if not isinstance(plugin, types.ModuleType):
            continue
        shim = types.ModuleType(plugin.__name__, plugin.__doc__)
        for name in dir(plugin):
            if type(safe_getattr(plugin, name, None)) is FixtureFunctionDefinition:
                setattr(shim, name, getattr(plugin, name))
        _SHIMS[id(plugin)] = shim
    # Plugin *objects* (Session, TerminalReporter, CaptureManager, ...) are scanned the same way,
    # and for an instance only its class can hold fixtures: pytest's own classes without any
    # fixture attribute need no scan at all.
    for name, module in list(sys.modules.items()):
        if not (name.startswith("_pytest.") or name in PLUGINS) or module is None:
            continue
        for obj in list(vars(module).values()):
            if isinstance(obj, type) and obj.__module__ == name and not any(
                type(safe_getattr(obj, attr, None)) is FixtureFunctionDefinition for attr in dir(obj)
            ):
                _FIXTURE_FREE_TYPES.add(obj)


_REWRITTEN: OrderedDict[tuple[str, bytes], types.CodeType] = OrderedDict()
_REWRITTEN_MAX = 512


def _precompile_tests(workdir: str, targets: list[str]) -> bool:
    """Assertion-rewrite the target test files in the server, once per (path, content).

    pytest rewrites every test module's asserts on import (~1 ms per assert; a third of a run on
    thorough suites) and normally caches the result in ``__pycache__``, which a fresh copy of the
    workspace never has. The runner gives each fork server a stable workspace path, so the server
    keeps the rewritten code in memory: parsing and compiling untrusted source runs none of it.
    The children use an entry only for the exact path and content (see ``_rewrite_test`` below).
    """
    import hashlib  # noqa: F401 - keep the import cost out of the children
    import importlib.util

    from _pytest.assertion.rewrite import rewrite_asserts

    added = False
    for target in targets:
        path = os.path.join(workdir, target.split("::", 1)[0])
        if not path.endswith(".py") or not os.path.isfile(path):
            continue
        with open(path, "rb") as fh:
            source = fh.read()
        key = (path, importlib.util.source_hash(source))
        if key in _REWRITTEN:
            _REWRITTEN.move_to_end(key)
            continue
        added = True
        try:
            tree = ast.parse(source, filename=path)
            rewrite_asserts(tree, source, path, None)
            _REWRITTEN[key] = compile(tree, path, "exec", dont_inherit=True)
            _remember_statement_ast(source.decode("utf-8"))
        except (SyntaxError, ValueError):
            continue  # the child reports it exactly as pytest does
        if len(_REWRITTEN) > _REWRITTEN_MAX:
            _REWRITTEN.popitem(last=False)
            _STATEMENT_AST.popitem(last=False)
    return added


# Failure reports locate the failing statement by parsing the whole test module and walking its
# AST, once per failing test (~4 ms each). The parsed module depends only on the source text.
_STATEMENT_AST: OrderedDict[str, ast.AST] = OrderedDict()


def _remember_statement_ast(text: str):
    from _pytest._code.source import Source, _statement_linenos

    content = str(Source(text))
    node = _STATEMENT_AST.get(content)
    if node is None:
        node = _STATEMENT_AST[content] = ast.parse(content, "source", "exec")
        _statement_linenos(node)  # memoised on the node by pytest itself
    return node


def _use_prebuilt_config(args: list[str]) -> None:  # pragma: no cover - runs in the forked child
    import pathlib

    import _pytest.config as pytest_config

    if _TEMPLATE is None or _blocked(args) != _TEMPLATE_BLOCKED:
        return  # different plugin set: plain pytest start-up
    config = _TEMPLATE

    def get_config(args=None, plugins=None, *, prog=None):
        config.invocation_params = pytest_config.Config.InvocationParams(
            args=args or (), plugins=plugins, dir=pathlib.Path.cwd())
        return config

    pytest_config.get_config = get_config

    from _pytest import fixtures

    scan = fixtures.FixtureManager.parsefactories

    def parsefactories(self, *args, **kwargs):
        holder = kwargs.get("holder")
        if holder is not None and not args:
            if id(holder) in _SHIMS:
                kwargs["holder"] = _SHIMS[id(holder)]
            elif type(holder) in _FIXTURE_FREE_TYPES:
                return None  # an instance of a pytest class without fixtures: nothing to find
        return scan(self, *args, **kwargs)

    fixtures.FixtureManager.parsefactories = parsefactories

    import importlib.util

    from _pytest.assertion import rewrite

    rewrite_test = rewrite._rewrite_test

    def _rewrite_test(fn, config):
        source = fn.read_bytes()
        key = (str(fn), importlib.util.source_hash(source))
        code = _REWRITTEN.get(key)
        if code is None or config.getini("enable_assertion_pass_hook"):
            return rewrite_test(fn, config)
        return key[1], code

    rewrite._rewrite_test = _rewrite_test

    from _pytest._code import code, source

    statement_range = source.getstatementrange_ast

    def getstatementrange_ast(lineno, src, assertion=False, astnode=None):
        if astnode is None:
            try:
                astnode = _remember_statement_ast(str(src))
            except SyntaxError:
                pass  # let pytest handle it its own way
        return statement_range(lineno, src, assertion=assertion, astnode=astnode)

    source.getstatementrange_ast = code.getstatementrange_ast = getstatementrange_ast


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

    import agentpref.tasks.pytest_report  # noqa: F401

    sys.dont_write_bytecode = True
    for name in PRELOAD:
        importlib.import_module(name)
    network_isolation_available()  # probe once here, not in every child
    _warm_up()
    _prebuild_config()
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
        changed = _precompile_tests(req["workdir"], req.get("targets", []))
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
            [sys.executable, "-m", "agentpref.tasks.forkserver"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env,
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
