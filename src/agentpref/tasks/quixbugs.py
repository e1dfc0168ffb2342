"""QuixBugs (``tasks=quixbugs``): the public benchmark, read from the user's own clone.

Nothing of QuixBugs is copied into this repository: ``tasks.root`` points at a clone of
https://github.com/jkoppel/QuixBugs and the tasks are built from it at load time. The layout used:

    python_programs/<name>.py            the buggy program (the file the agent may edit)
    python_programs/node.py              graph helper (kept in every workspace, as in the clone)
    correct_python_programs/<name>.py    the fixed program = the reference fix
    python_testcases/test_<name>.py      pytest file; imports ``python_programs.<name>`` unless
                                         pytest runs with ``--correct`` (root ``conftest.py``)
    python_testcases/node.py, load_testdata.py    helpers the tests import
    json_testcases/<name>.json           one ``[input, expected]`` JSON line per case (most programs)
    conftest.py (+ pytest.ini)           adds ``--correct`` / ``--runslow``, sets ``pytest.use_correct``

One task per program with a test file: the workspace holds only what that program's test needs
(never the correct programs, the driver files ``*_test.py`` or other programs), the visible test is
``python_testcases/test_<name>.py`` run from the workspace root without ``--correct`` or
``--runslow`` (the slow knapsack case needs ~19 GB). The correct files drop the docstrings, so a raw
diff buggy -> fixed is larger than the one-line bug; ``metadata["fix_lines"]`` counts the changed
lines with docstrings, comments and blank lines ignored.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
from pathlib import Path

from agentpref.errors import ConfigError, TaskError
from agentpref.tasks.loading import LoadResult
from agentpref.tasks.model import Task
from agentpref.tasks.splits import assign_split

PROGRAMS_DIR = "python_programs"
CORRECT_DIR = "correct_python_programs"
TESTS_DIR = "python_testcases"
JSON_DIR = "json_testcases"
REQUIRED_DIRS = (PROGRAMS_DIR, CORRECT_DIR, TESTS_DIR)
ROOT_CONFIG_FILES = ("conftest.py", "pytest.ini")
_WS = re.compile(r"\s+")
CLONE_HINT = "point tasks.root at a clone of QuixBugs (git clone https://github.com/jkoppel/QuixBugs)"
DOCSTRING_NOTE = (
    "correct_python_programs/ drops the buggy file's docstrings, so a raw diff buggy -> fixed is "
    "larger than the bug; fix_lines counts changed code lines ignoring docstrings and comments"
)


def check_root(root: Path) -> None:
    """Raise ConfigError (one line naming the root, what is missing and the fix) unless ``root``
    looks like a QuixBugs clone."""
    if not root.is_dir():
        raise ConfigError(f"QuixBugs root {root} does not exist or is not a directory; {CLONE_HINT}")
    missing = [f"{d}/" for d in REQUIRED_DIRS if not (root / d).is_dir()]
    if missing:
        raise ConfigError(
            f"QuixBugs root {root} is not a QuixBugs checkout: missing {', '.join(missing)}; {CLONE_HINT}"
        )


def program_names(root: Path) -> list[str]:
    """Names of the programs that have a test file ``python_testcases/test_<name>.py``."""
    return sorted(p.stem.removeprefix("test_") for p in (root / TESTS_DIR).glob("test_*.py") if p.is_file())


def _code_lines(source: str) -> list[str] | None:
    """Code lines of ``source`` without docstrings, comments and blank lines, whitespace-normalised
    (indentation width kept, inner whitespace dropped). None when it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                skip.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    lines = source.splitlines()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                row, col = tok.start
                lines[row - 1] = lines[row - 1][:col]
    except (tokenize.TokenError, IndentationError):
        return None
    out = []
    for lineno, line in enumerate(lines, 1):
        if lineno in skip or not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        out.append(f"{indent}:" + _WS.sub("", line))
    return out


def count_fix_lines(buggy: str, fixed: str) -> int | None:
    """Lines changed by the fix, docstrings/comments/blank lines ignored (a replaced line counts
    once). None when either version does not parse."""
    a, b = _code_lines(buggy), _code_lines(fixed)
    if a is None or b is None:
        return None
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def raw_diff_lines(buggy: str, fixed: str) -> int:
    diff = difflib.unified_diff(buggy.splitlines(), fixed.splitlines(), lineterm="", n=0)
    return sum(1 for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---")))


def _read(task_id: str, root: Path, rel: str) -> str:
    path = root / rel
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TaskError(task_id, f"{rel} is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise TaskError(task_id, f"cannot read {rel} ({exc.strerror or exc})") from exc


def _check_syntax(task_id: str, rel: str, source: str) -> None:
    try:
        ast.parse(source, filename=rel)
    except SyntaxError as exc:
        raise TaskError(task_id, f"{rel} has a syntax error (line {exc.lineno}: {exc.msg})") from exc


def load_program(root: Path, name: str, heldout_fraction: float = 0.25, salt: str = "agentpref") -> Task:
    """The task of one QuixBugs program. Raises TaskError naming the problem."""
    task_id = f"quixbugs/{name}"
    buggy_rel = f"{PROGRAMS_DIR}/{name}.py"
    correct_rel = f"{CORRECT_DIR}/{name}.py"
    test_rel = f"{TESTS_DIR}/test_{name}.py"
    json_rel = f"{JSON_DIR}/{name}.json"
    for rel, what in ((test_rel, "test file"), (buggy_rel, "buggy program"), (correct_rel, "correct version")):
        if not (root / rel).is_file():
            raise TaskError(task_id, f"no {what}: {rel} is missing in {root}")
    buggy = _read(task_id, root, buggy_rel)
    correct = _read(task_id, root, correct_rel)
    test = _read(task_id, root, test_rel)
    _check_syntax(task_id, correct_rel, correct)
    _check_syntax(task_id, test_rel, test)
    files = {buggy_rel: buggy, test_rel: test}
    # Helpers: the graph Node class next to the programs, package markers, the test helpers.
    for rel in (f"{PROGRAMS_DIR}/node.py", f"{PROGRAMS_DIR}/__init__.py", *ROOT_CONFIG_FILES):
        if (root / rel).is_file():
            files[rel] = _read(task_id, root, rel)
    for helper in sorted((root / TESTS_DIR).glob("*.py")):
        if helper.is_file() and not helper.name.startswith("test_"):
            rel = f"{TESTS_DIR}/{helper.name}"
            files[rel] = _read(task_id, root, rel)
    has_json = (root / json_rel).is_file()
    if has_json:
        files[json_rel] = _read(task_id, root, json_rel)
    elif "load_json_testcases" in test:
        raise TaskError(task_id, f"{test_rel} loads JSON test cases but {json_rel} is missing")
    try:
        ast.parse(buggy)
        buggy_parses = True
    except SyntaxError:
        buggy_parses = False
    program = f"quixbugs:{name}"
    return Task(
        id=task_id,
        source="quixbugs",
        program=program,
        files=files,
        editable=[buggy_rel],
        visible_tests=[test_rel],
        reference_fix={buggy_rel: correct},
        split=assign_split(program, heldout_fraction, salt),
        description=(
            f"The QuixBugs program `{name}` in {buggy_rel} has a bug. Fix it so that the tests in "
            f"{test_rel} pass; do not change the tests."
        ),
        metadata={
            "quixbugs_program": name,
            "quixbugs_root": str(root),
            "json_testcases": has_json,
            "correct_drops_docstrings": True,
            "note": DOCSTRING_NOTE,
            "fix_lines": count_fix_lines(buggy, correct),
            "raw_diff_lines": raw_diff_lines(buggy, correct),
            "buggy_parses": buggy_parses,
        },
    )


def load_quixbugs(
    root: Path, heldout_fraction: float = 0.25, salt: str = "agentpref", programs: list[str] | None = None
) -> LoadResult:
    """Load every QuixBugs program with a test file (or the named ones) from a clone at ``root``.

    A wrong root raises ConfigError; a broken program becomes a problem line
    ``quixbugs/<name>: <problem>`` and the others still load.
    """
    root = Path(root).expanduser().resolve()
    check_root(root)
    result = LoadResult()
    available = set(program_names(root))
    for name in programs or sorted(available):
        if name not in available:
            result.problems.append(f"quixbugs/{name}: no such program in {root} (no {TESTS_DIR}/test_{name}.py)")
            continue
        try:
            result.tasks.append(load_program(root, name, heldout_fraction, salt))
        except TaskError as exc:
            result.problems.append(str(exc))
        except ValueError as exc:  # the Task model refused it
            first = str(exc).splitlines()[0]
            result.problems.append(f"quixbugs/{name}: not a valid task ({first})")
    return result
