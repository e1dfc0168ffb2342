"""pytest's start-up, done once in the fork server and reused by every forked child.

The server imports and registers the plugins into one Config, pre-scans plugin modules for
fixtures, memoises path handling and assertion-rewrites the target test files; each child then
patches pytest's internals (``get_config``, ``FixtureManager.parsefactories``,
``rewrite._rewrite_test``, ``getstatementrange_ast``) to use that state, so a run is otherwise
exactly ``pytest.main(args)``. Each patch falls back to pytest's own path when the state does not
apply (another plugin set, another file content).
"""

from __future__ import annotations

import ast
import os
import sys
import types
from collections import OrderedDict

from agentpref.sandbox.pytest_command import LEAN_PLUGINS, PLUGINS

_TEMPLATE = None  # a pytest Config with its plugins imported and registered, built before forking
_TEMPLATE_BLOCKED: frozenset[str] = frozenset()


def _blocked(args: list[str]) -> frozenset[str]:
    return frozenset(b[3:] for a, b in zip(args, args[1:]) if a == "-p" and b.startswith("no:"))


def prebuild_config() -> None:
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
            if (
                isinstance(obj, type)
                and obj.__module__ == name
                and not any(type(safe_getattr(obj, attr, None)) is FixtureFunctionDefinition for attr in dir(obj))
            ):
                _FIXTURE_FREE_TYPES.add(obj)


_REWRITTEN: OrderedDict[tuple[str, bytes], types.CodeType] = OrderedDict()
_REWRITTEN_MAX = 512


def precompile_tests(workdir: str, targets: list[str]) -> bool:
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


def use_prebuilt_config(args: list[str]) -> None:  # pragma: no cover - runs in the forked child
    import pathlib

    import _pytest.config as pytest_config

    if _TEMPLATE is None or _blocked(args) != _TEMPLATE_BLOCKED:
        return  # different plugin set: plain pytest start-up
    config = _TEMPLATE

    def get_config(args=None, plugins=None, *, prog=None):
        config.invocation_params = pytest_config.Config.InvocationParams(
            args=args or (), plugins=plugins, dir=pathlib.Path.cwd()
        )
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
