"""BugsInPy (``tasks=bugsinpy``): real bugs of real Python projects, from checkouts prepared offline.

This loader never downloads, clones or installs anything. It reads bugs that the user has already
prepared on disk, one folder per bug, in either of two layouts under ``tasks.root``:

    <root>/<project>-<bug_id>/               flat (e.g. ``youtube-dl-3/``), or
    <root>/<project>/bugs/<bug_id>/          as in the BugsInPy repository (``<root>/projects/...``
                                             is accepted too, so root may be the BugsInPy clone)

Each bug folder holds:

    bug.info          KEY="value" lines: python_version, buggy_commit_id, fixed_commit_id,
                      test_file (test files of the bug, ';'-separated)
    run_test.sh       the failing tests, one command a line:
                        pytest tests/test_x.py::test_y            (also py.test, python -m pytest)
                        python -m unittest -q tests.test_x.TestC.test_m
                      both become pytest targets (``tests/test_x.py::TestC::test_m``)
    requirements.txt  what the tests need; every requirement must already be installed in the
                      environment agentpref runs in (checked with importlib.metadata, no pip)
    bug_patch.txt     unified diff buggy -> fixed (``git diff`` format, a/ b/ prefixes or none)
    checkout/         the project at the buggy commit WITH the fixed commit's test files (what
                      ``bugsinpy-checkout -v 0`` produces); importable from its root

To prepare a bug by hand: ``git clone`` the project into ``checkout/``, ``git checkout
<buggy_commit_id>``, copy the ``test_file`` files from ``<fixed_commit_id>``, and
``pip install -r requirements.txt`` into agentpref's environment.

One task per prepared bug: id ``bugsinpy/<project>-<bug_id>``, program key ``bugsinpy:<project>``
(every bug of a project lands on the same train/heldout side: bugs of one project share code),
``base_dir`` = the checkout (copied per run, never inlined), editable = the non-test files the
patch touches, visible tests = the targets of ``run_test.sh``, reference fix = those files with the
patch applied (``git apply`` on a temporary copy; ``patch`` when git is missing). Patch hunks on
test files are not applied: the checkout already holds the fixed tests. A bug that is not ready
becomes one problem line naming exactly what is missing (files, the checkout, uninstalled
requirements with the ``pip install -r`` command, a patch that does not apply); the others load.
``bug.info``'s python_version is recorded in the metadata (``python_version_matches``), not enforced.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from agentpref.errors import ConfigError, TaskError
from agentpref.tasks.loading import LoadResult
from agentpref.tasks.model import Task
from agentpref.tasks.splits import assign_split

BUG_FILES = ("bug.info", "run_test.sh", "requirements.txt", "bug_patch.txt")
CHECKOUT_DIR = "checkout"
FLAT_BUG_RE = re.compile(r"^(?P<project>[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*?)-(?P<bug>\d+)$")
ROOT_HINT = (
    "point tasks.root at a folder of prepared BugsInPy bugs (<project>-<id>/ or "
    "<project>/bugs/<id>/, each with bug.info, run_test.sh, requirements.txt, bug_patch.txt and checkout/)"
)
# pytest options whose value is the next argument (so it is not taken for a target)
PYTEST_VALUE_OPTIONS = {
    "-k",
    "-m",
    "-p",
    "-c",
    "-o",
    "-W",
    "-r",
    "--tb",
    "--maxfail",
    "--deselect",
    "--ignore",
    "--rootdir",
    "--confcutdir",
    "--basetemp",
    "--durations",
    "--timeout",
    "--import-mode",
    "--log-level",
    "--junitxml",
    "--cov",
    "--cov-report",
    "--capture",
}
GIT_TIMEOUT_S = 60


@dataclass(frozen=True)
class BugDir:
    project: str
    bug_id: str
    path: Path

    @property
    def name(self) -> str:
        return f"{self.project}-{self.bug_id}"

    @property
    def task_id(self) -> str:
        return f"bugsinpy/{self.name}"


# ---- discovery --------------------------------------------------------------------------------
def find_bug_dirs(root: Path) -> list[BugDir]:
    """Bug folders under ``root`` in either layout, sorted by project then numeric bug id."""
    base = root / "projects" if (root / "projects").is_dir() else root
    bugs: list[BugDir] = []
    for child in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if (child / "bugs").is_dir():
            for bug in sorted(p for p in (child / "bugs").iterdir() if p.is_dir()):
                bugs.append(BugDir(child.name, bug.name, bug))
            continue
        m = FLAT_BUG_RE.match(child.name)
        if m:
            bugs.append(BugDir(m["project"], m["bug"], child))
    return sorted(bugs, key=lambda b: (b.project, int(b.bug_id) if b.bug_id.isdigit() else 0, b.bug_id))


def check_root(root: Path) -> list[BugDir]:
    if not root.is_dir():
        raise ConfigError(f"BugsInPy root {root} does not exist or is not a directory; {ROOT_HINT}")
    bugs = find_bug_dirs(root)
    if not bugs:
        raise ConfigError(f"BugsInPy root {root} holds no bug folders; {ROOT_HINT}")
    return bugs


# ---- bug.info / run_test.sh / requirements.txt --------------------------------------------------
def parse_bug_info(text: str) -> dict[str, str]:
    """KEY="value" lines (quotes optional); other lines are ignored."""
    info: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        info[key.strip()] = value
    return info


def _unittest_target(name: str, checkout: Path) -> str | None:
    """``tests.test_x.TestC.test_m`` -> ``tests/test_x.py::TestC::test_m`` (longest module prefix
    that is a file in the checkout); None when no prefix is a module file."""
    if name.endswith(".py") or "/" in name:
        return name
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        rel = "/".join(parts[:cut]) + ".py"
        if (checkout / rel).is_file():
            return "::".join([rel, *parts[cut:]])
    return None


def parse_run_test(text: str, checkout: Path) -> tuple[list[str], list[str]]:
    """(pytest targets, problems) from the commands of ``run_test.sh``."""
    targets: list[str] = []
    problems: list[str] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        for command in re.split(r"\s*(?:&&|;)\s*", line):
            try:
                argv = shlex.split(command)
            except ValueError:
                problems.append(f"run_test.sh line {raw.strip()!r} cannot be parsed")
                continue
            while argv and "=" in argv[0] and not argv[0].startswith("-"):
                argv = argv[1:]  # VAR=value prefixes
            if not argv:
                continue
            exe = PurePosixPath(argv[0]).name
            if exe in ("pytest", "py.test"):
                args = argv[1:]
                kind = "pytest"
            elif re.fullmatch(r"python[0-9.]*", exe) and len(argv) > 2 and argv[1] == "-m":
                kind, args = argv[2], argv[3:]
                if kind not in ("pytest", "unittest"):
                    continue
            else:
                continue  # cd, export, set -e, ...
            skip_next = False
            for arg in args:
                if skip_next:
                    skip_next = False
                    continue
                if arg.startswith("-"):
                    skip_next = kind == "pytest" and arg in PYTEST_VALUE_OPTIONS
                    continue
                if kind == "pytest":
                    targets.append(arg)
                else:
                    target = _unittest_target(arg, checkout)
                    if target is None:
                        problems.append(f"run_test.sh: unittest target {arg} matches no test file in {CHECKOUT_DIR}/")
                    else:
                        targets.append(target)
    return list(dict.fromkeys(targets)), problems


def unmet_requirements(text: str, project: str) -> list[str]:
    """Requirements (requirements.txt ``text``) that the current environment does not satisfy (no network: only
    installed distributions are consulted). The project's own name is skipped: it runs from the
    checkout."""
    unmet: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-") or "://" in line:
            unmet.append(f"line {lineno} ({line}) cannot be checked offline")
            continue
        try:
            req = Requirement(line)
        except InvalidRequirement:
            unmet.append(f"line {lineno} ({line}) is not a valid requirement")
            continue
        if req.marker is not None and not req.marker.evaluate():
            continue
        if canonicalize_name(req.name) == canonicalize_name(project):
            continue
        try:
            version = importlib_metadata.version(req.name)
        except importlib_metadata.PackageNotFoundError:
            unmet.append(f"{req} (not installed)")
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            unmet.append(f"{req} (installed {version})")
    return unmet


# ---- bug_patch.txt -------------------------------------------------------------------------------
@dataclass
class FilePatch:
    old: str | None  # None: /dev/null (a new file)
    new: str | None  # None: /dev/null (a deleted file)
    lines: list[str] = field(default_factory=list)
    raw_old: str = ""
    raw_new: str = ""

    @property
    def path(self) -> str:
        return self.new or self.old or ""


def _header_path(header: str) -> str:
    path = header.split("\t", 1)[0].strip()
    if len(path) >= 2 and path[0] == path[-1] == '"':
        path = path[1:-1]
    return path


def _strip(path: str, level: int) -> str | None:
    if path == "/dev/null":
        return None
    parts = path.split("/")
    return "/".join(parts[level:]) if len(parts) > level else path


def patch_strip_level(sections: list[FilePatch]) -> int:
    """1 when every ---/+++ path carries the a/ b/ prefix of git diffs, else 0."""
    heads = [(s.raw_old, "a/") for s in sections] + [(s.raw_new, "b/") for s in sections]
    heads = [(h, prefix) for h, prefix in heads if h != "/dev/null"]
    return 1 if heads and all(h.startswith(prefix) for h, prefix in heads) else 0


def split_patch(text: str) -> list[FilePatch]:
    """Per-file sections of a unified diff, paths stripped of git's a/ b/ prefixes (hunk lengths
    are honoured, so removed lines that start with '-- ' are never taken for headers)."""
    lines = text.splitlines(keepends=True)
    files: list[FilePatch] = []
    pending: list[str] = []  # 'diff --git' / 'index' lines before the ---/+++ pair
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if line.startswith("--- ") and i + 1 < n and lines[i + 1].startswith("+++ "):
            fp = FilePatch(
                None, None, [*pending, line, lines[i + 1]], _header_path(line[4:]), _header_path(lines[i + 1][4:])
            )
            pending = []
            i += 2
            while i < n and lines[i].startswith("@@"):
                m = re.match(r"@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@", lines[i])
                if not m:
                    break
                old_left = int(m[1]) if m[1] is not None else 1
                new_left = int(m[2]) if m[2] is not None else 1
                fp.lines.append(lines[i])
                i += 1
                while i < n and (old_left > 0 or new_left > 0 or lines[i].startswith("\\")):
                    body = lines[i]
                    if body.startswith("\\"):
                        pass
                    elif body.startswith("-"):
                        old_left -= 1
                    elif body.startswith("+"):
                        new_left -= 1
                    else:  # context (a blank line may have lost its leading space)
                        old_left -= 1
                        new_left -= 1
                    fp.lines.append(body)
                    i += 1
            files.append(fp)
            continue
        if line.startswith("diff "):
            pending = [line]
        elif pending:
            pending.append(line)
        i += 1
    level = patch_strip_level(files)
    for fp in files:
        fp.old, fp.new = _strip(fp.raw_old, level), _strip(fp.raw_new, level)
    return files


def is_test_path(path: str, test_files: set[str]) -> bool:
    p = PurePosixPath(path)
    return (
        path in test_files
        or any(part in ("test", "tests", "testing") for part in p.parts[:-1])
        or p.name.startswith("test_")
        or p.name.endswith("_test.py")
        or p.name == "conftest.py"
    )


def apply_patch(patch_text: str, sources: dict[str, str | None], strip: int) -> dict[str, str]:
    """Apply ``patch_text`` to ``sources`` ({path: content, None for new files}) in a temporary
    folder outside any git repository; returns the patched contents. Raises RuntimeError with the
    tool's first error line when it does not apply."""
    with tempfile.TemporaryDirectory(prefix="agentpref-bugsinpy-") as tmp:
        work = Path(tmp) / "src"
        work.mkdir()
        for rel, content in sources.items():
            if content is not None:
                (work / rel).parent.mkdir(parents=True, exist_ok=True)
                (work / rel).write_text(content, encoding="utf-8")
        patch_file = Path(tmp) / "fix.patch"
        patch_file.write_text(patch_text, encoding="utf-8")
        # Never let git discover a repository above the temp dir (it would apply paths relative to it).
        env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(Path(tmp).parent), "GIT_CONFIG_NOSYSTEM": "1"}
        if shutil.which("git"):
            cmd = ["git", "apply", f"-p{strip}", "--whitespace=nowarn", str(patch_file)]
        elif shutil.which("patch"):
            cmd = ["patch", f"-p{strip}", "--batch", "--forward", "--silent", "-i", str(patch_file)]
        else:
            raise RuntimeError("neither git nor patch is installed to apply bug_patch.txt")
        proc = subprocess.run(
            cmd, cwd=work, env=env, capture_output=True, text=True, timeout=GIT_TIMEOUT_S, stdin=subprocess.DEVNULL
        )
        if proc.returncode != 0:
            detail = (proc.stderr or proc.stdout).strip().splitlines()
            raise RuntimeError(detail[0] if detail else f"{cmd[0]} exited with {proc.returncode}")
        out = {}
        for rel in sources:
            if not (work / rel).is_file():
                raise RuntimeError(f"{rel} does not exist after applying the patch")
            out[rel] = (work / rel).read_text(encoding="utf-8")
        return out


# ---- one bug -------------------------------------------------------------------------------------
def _read(bug: BugDir, rel: str, base: Path | None = None) -> str:
    path = (base or bug.path) / rel
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise TaskError(bug.task_id, f"{path} is not UTF-8 text") from exc
    except OSError as exc:
        raise TaskError(bug.task_id, f"cannot read {path} ({exc.strerror or exc})") from exc


def load_bug(bug: BugDir, heldout_fraction: float = 0.25, salt: str = "agentpref") -> Task:
    """The task of one prepared bug. Raises TaskError listing everything that is not ready."""
    missing = [f for f in BUG_FILES if not (bug.path / f).is_file()]
    checkout = bug.path / CHECKOUT_DIR
    if not checkout.is_dir():
        missing.append(
            f"{CHECKOUT_DIR}/ (the buggy version with the fixed version's tests, e.g. from bugsinpy-checkout -v 0)"
        )
    if missing:
        raise TaskError(bug.task_id, f"not prepared: missing {', '.join(missing)} in {bug.path}")
    checkout = checkout.resolve()
    issues: list[str] = []
    info = parse_bug_info(_read(bug, "bug.info"))
    test_files = {t.strip() for t in re.split(r"[;,]", info.get("test_file", "")) if t.strip()}

    targets, target_problems = parse_run_test(_read(bug, "run_test.sh"), checkout)
    issues += target_problems
    if not targets and not target_problems:
        issues.append("run_test.sh names no pytest or `python -m unittest` test")
    for target in targets:
        rel = target.split("::", 1)[0]
        if not (checkout / rel).exists():
            issues.append(f"test {rel} from run_test.sh is not in {CHECKOUT_DIR}/ (copy the fixed version's tests)")

    req_path = (bug.path / "requirements.txt").resolve()
    unmet = unmet_requirements(_read(bug, "requirements.txt"), bug.project)
    if unmet:
        issues.append(f"requirements not installed: {', '.join(unmet)}; run `pip install -r {req_path}`")

    patch_text = _read(bug, "bug_patch.txt")
    sections = split_patch(patch_text)
    code = [s for s in sections if not is_test_path(s.path, test_files)]
    reference: dict[str, str] = {}
    buggy: dict[str, str] = {}
    if not sections:
        issues.append("bug_patch.txt holds no unified diff")
    elif not code:
        issues.append("bug_patch.txt only touches test files: nothing for the agent to fix")
    else:
        for s in code:
            if s.new is None:
                issues.append(f"bug_patch.txt deletes {s.old}: deleting files is not supported")
            elif s.old is not None and s.old != s.new:
                issues.append(f"bug_patch.txt renames {s.old} to {s.new}: renames are not supported")
            elif s.old is not None and not (checkout / s.old).is_file():
                issues.append(f"bug_patch.txt changes {s.old}, which is not in {CHECKOUT_DIR}/")
        if not issues:
            for s in code:
                if s.old is not None:
                    buggy[s.path] = _read(bug, s.path, checkout)
            try:
                reference = apply_patch(
                    "".join(line for s in code for line in s.lines),
                    {s.path: buggy.get(s.path) for s in code},
                    patch_strip_level(sections),
                )
            except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
                issues.append(f"bug_patch.txt does not apply to {CHECKOUT_DIR}/ ({exc})")
    if issues:
        raise TaskError(bug.task_id, "not prepared: " + "; ".join(issues))

    visible_files = {t.split("::", 1)[0] for t in targets if (checkout / t.split("::", 1)[0]).is_file()}
    files = {**{rel: _read(bug, rel, checkout) for rel in sorted(visible_files)}, **buggy}
    program = f"bugsinpy:{bug.project}"
    py = info.get("python_version", "")
    current = f"{sys.version_info.major}.{sys.version_info.minor}"
    changed = sum(
        1 for s in code for line in s.lines if line.startswith(("+", "-")) and not line.startswith(("+++ ", "--- "))
    )
    return Task(
        id=bug.task_id,
        source="bugsinpy",
        program=program,
        files=files,
        base_dir=str(checkout),
        editable=[s.path for s in code],
        visible_tests=targets,
        reference_fix=reference,
        split=assign_split(program, heldout_fraction, salt),
        description=(
            f"Bug {bug.bug_id} of {bug.project}: these tests fail on this checkout: "
            f"{', '.join(targets)}. Fix the code, not the tests."
        ),
        metadata={
            "project": bug.project,
            "bug_id": bug.bug_id,
            "bug_dir": str(bug.path.resolve()),
            "bug_info": info,
            "python_version": py,
            "python_version_matches": bool(py) and (py == current or py.startswith(current + ".")),
            "test_files": sorted(test_files),
            "patch_test_files_skipped": sorted(s.path for s in sections if s not in code),
            "patch_changed_lines": changed,
            "requirements": str(req_path),
        },
    )


def load_bugsinpy(
    root: Path, heldout_fraction: float = 0.25, salt: str = "agentpref", programs: list[str] | None = None
) -> LoadResult:
    """Load every prepared bug under ``root`` (or the named ones: ``<project>-<id>`` or a whole
    ``<project>``). A root with no bug folders raises ConfigError; a bug that is not prepared
    becomes a problem line ``bugsinpy/<project>-<id>: not prepared: ...``."""
    root = Path(root).expanduser().resolve()
    bugs = check_root(root)
    result = LoadResult()
    if programs:
        selected: list[BugDir] = []
        for name in programs:
            match = [b for b in bugs if name in (b.name, b.project)]
            if not match:
                result.problems.append(f"bugsinpy/{name}: no such bug or project in {root}")
            selected += [b for b in match if b not in selected]
        bugs = selected
    for bug in bugs:
        try:
            result.tasks.append(load_bug(bug, heldout_fraction, salt))
        except TaskError as exc:
            result.problems.append(str(exc))
        except ValueError as exc:  # the Task model refused it
            first = str(exc).splitlines()[0]
            result.problems.append(f"{bug.task_id}: not a valid task ({first})")
    return result
