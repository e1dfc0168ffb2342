"""The agent's tools over one task workspace, confined to it.

Paths are relative to the workspace root: absolute paths, ``..`` and symlinks that lead outside
are refused. Only the task's editable files can be changed; tests and everything else are
read-only. A valid call that fails (missing file, ambiguous edit, ...) returns an observation with
``ok=False`` and an ``error`` kind: a tool error, which checks count separately from protocol
errors (e.g. ``not_found`` marks a hallucinated path).
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import time
from pathlib import Path, PurePosixPath
from typing import Literal

import regex as regex_engine  # like re, plus a timeout on each search
from pydantic import BaseModel

from agentpref.agent.protocol import Action, clip
from agentpref.sandbox.runner import TestRun, TestRunner
from agentpref.tasks.model import Task

ToolErrorKind = Literal[
    "not_found",
    "outside_workspace",
    "read_only",
    "no_match",
    "ambiguous",
    "not_a_file",
    "not_a_directory",
    "bad_pattern",
    "bad_target",
    "no_change",
    "bad_argument",
]
MAX_PATH_CHARS = 1024
SEARCH_SECONDS = 2.0  # a regex search stops here (a model can write a catastrophic pattern)
LISTING_SKIP = ("__pycache__", ".pytest_cache", ".git", "*.pyc")


class TestSummary(BaseModel):
    """What a run of tests showed, compactly (kept in rollout records)."""

    __test__ = False
    targets: list[str]
    counts: dict[str, int]
    all_passed: bool
    crashed: bool = False
    timed_out: bool = False
    failing: list[str] = []

    @classmethod
    def of(cls, run: TestRun) -> TestSummary:
        failing = [o.nodeid for o in run.outcomes if o.outcome in ("failed", "error", "timeout")]
        failing += [f"<collect>{c.nodeid}" for c in run.collection_errors]
        return cls(
            targets=run.targets,
            counts=run.counts,
            all_passed=run.all_passed,
            crashed=run.crashed,
            timed_out=run.timed_out,
            failing=failing[:50],
        )


class Observation(BaseModel):
    text: str
    ok: bool = True
    error: ToolErrorKind | None = None
    done: bool = False  # finish was called
    tests: TestSummary | None = None  # set by run_tests
    latency_s: float = 0.0


class ToolError(Exception):
    def __init__(self, kind: ToolErrorKind, message: str):
        super().__init__(message)
        self.kind = kind


def check_text(text: str, what: str) -> None:
    """Refuse text that cannot be written as UTF-8 (lone surrogates from a JSON "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ToolError(
            "bad_argument",
            f"{what} is not valid Unicode ({exc.reason} at character {exc.start}); write plain UTF-8 text",
        ) from None


def truncate_middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    return f"{text[:head]}\n... [{len(text) - limit} characters cut] ...\n{text[-(limit - head) :]}"


class Workspace:
    """A materialised task workspace plus the tools that act on it."""

    def __init__(
        self,
        task: Task,
        root: Path,
        runner: TestRunner,
        *,
        observation_limit: int = 4000,
        max_listing: int = 200,
        max_search_hits: int = 50,
        line_numbers: bool = False,
    ):
        self.task, self.root, self.runner = task, root.resolve(), runner
        self.observation_limit, self.max_listing, self.max_search_hits = (
            observation_limit,
            max_listing,
            max_search_hits,
        )
        self.line_numbers = line_numbers  # read_file numbers its lines (the lines edit format)
        self.failures_shown = 5  # run_tests shows this many failures in full
        self.reindent = False  # a line edit that breaks a .py file's indentation is shifted to fit (fit_indent)
        task.materialize(self.root)
        self.editable = set(task.editable)
        self.original = {p: self._read_text(p) for p in sorted(self.editable)}
        self.touched: list[str] = []

    # ---- paths -----------------------------------------------------------------------------
    def resolve(self, path: str) -> tuple[str, Path]:
        """(normalised relative path, absolute path) or a ToolError for anything outside."""
        raw = path.strip()
        if not raw:
            raise ToolError("not_found", "empty path")
        if "\x00" in raw or len(raw) > MAX_PATH_CHARS:
            raise ToolError(
                "bad_argument", f"{clip(path)} is not a usable path (a NUL byte, or over {MAX_PATH_CHARS} characters)"
            )
        check_text(raw, "the path")
        pure = PurePosixPath(raw)
        if pure.is_absolute() or ".." in pure.parts or "\\" in raw:
            raise ToolError(
                "outside_workspace",
                f"{path!r} is outside the workspace: use a path relative to the workspace root, without '..'",
            )
        rel = pure.as_posix() if raw not in (".", "./") else "."
        full = self.root / rel
        try:
            resolved = full.resolve()
        except OSError as exc:  # e.g. a component over 255 bytes
            raise ToolError("bad_argument", f"{clip(path)}: {exc.strerror}") from None
        if resolved != self.root and self.root not in resolved.parents:
            raise ToolError("outside_workspace", f"{path!r} leads outside the workspace (symlink)")
        return (PurePosixPath(os.path.normpath(rel)).as_posix(), full)

    def _read_text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8", errors="replace")

    def _file(self, path: str) -> tuple[str, Path]:
        rel, full = self.resolve(path)
        if not full.exists():
            raise ToolError("not_found", f"no file {rel!r} in the workspace; list_files shows what exists")
        if not full.is_file():
            raise ToolError("not_a_file", f"{rel!r} is a directory, not a file")
        return rel, full

    def _writable(self, path: str) -> tuple[str, Path]:
        rel, full = self.resolve(path)
        if rel not in self.editable:
            kind = "read-only (tests are never edited)" if "test" in rel else "not editable for this task"
            raise ToolError("read_only", f"{rel!r} is {kind}; editable: {', '.join(sorted(self.editable))}")
        return rel, full

    # ---- dispatch ---------------------------------------------------------------------------
    def execute(self, action: Action) -> Observation:
        start = time.perf_counter()
        try:
            obs = getattr(self, f"tool_{action.name}")(**action.arguments)
        except ToolError as exc:
            obs = Observation(text=f"Error: {exc}", ok=False, error=exc.kind)
        except (OSError, ValueError) as exc:  # whatever else hostile arguments provoke
            # workspace-relative: the root is a random temp dir, and observations are model input
            message = str(exc).replace(f"{self.root}/", "").replace(str(self.root), ".")
            obs = Observation(text=f"Error: {action.name} failed: {clip(message, 200)}", ok=False, error="bad_argument")
        obs.text = truncate_middle(obs.text, self.observation_limit)
        obs.latency_s = round(time.perf_counter() - start, 4)
        return obs

    # ---- tools ------------------------------------------------------------------------------
    def _walk(self, base: Path) -> list[str]:
        out = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not any(fnmatch.fnmatch(d, p) for p in LISTING_SKIP))
            for name in sorted(filenames):
                if not any(fnmatch.fnmatch(name, p) for p in LISTING_SKIP):
                    out.append((Path(dirpath) / name).relative_to(self.root).as_posix())
        return out

    def tool_list_files(self, path: str = ".") -> Observation:
        rel, full = self.resolve(path)
        if not full.exists():
            raise ToolError("not_found", f"no directory {rel!r} in the workspace")
        if not full.is_dir():
            raise ToolError("not_a_directory", f"{rel!r} is a file; use read_file to see it")
        files = self._walk(full)
        lines = [f + ("  (editable)" if f in self.editable else "") for f in files[: self.max_listing]]
        if len(files) > self.max_listing:
            lines.append(f"... and {len(files) - self.max_listing} more files")
        return Observation(text="\n".join(lines) or "(no files)")

    def tool_read_file(self, path: str, start_line: int | None = None, end_line: int | None = None) -> Observation:
        rel, full = self._file(path)
        lines = full.read_text(encoding="utf-8", errors="replace").splitlines()
        first = start_line or 1
        last = min(end_line or len(lines), len(lines))
        if first > max(len(lines), 1):
            raise ToolError("bad_target", f"{rel!r} has {len(lines)} lines; start_line={first} is past the end")
        if last < first:
            raise ToolError("bad_target", f"end_line={end_line} is before start_line={first}")
        body = self.show(lines, first, last)
        header = f"{rel} (lines {first}-{last} of {len(lines)})" if (first, last) != (1, len(lines)) else rel
        return Observation(text=f"{header}\n{body}")

    def show(self, lines: list[str], first: int, last: int) -> str:
        """Lines ``first..last`` (1-based), numbered ``12| code`` when line numbers are on."""
        if not self.line_numbers:
            return "\n".join(lines[first - 1 : last])
        return "\n".join(f"{n}| {line}" for n, line in enumerate(lines[first - 1 : last], first))

    def tool_search(self, pattern: str, path: str = ".", regex: bool = False) -> Observation:
        rel, full = self.resolve(path)
        if not full.exists():
            raise ToolError("not_found", f"no file or directory {rel!r} in the workspace")
        try:
            rx = regex_engine.compile(pattern if regex else regex_engine.escape(pattern))
        except (regex_engine.error, ValueError, OverflowError, RecursionError) as exc:
            raise ToolError("bad_pattern", f"invalid regular expression: {clip(str(exc), 200)}") from None
        deadline = time.monotonic() + SEARCH_SECONDS
        files = [rel] if full.is_file() else self._walk(full)
        hits: list[str] = []
        total = 0
        for f in files:
            try:
                text = (self.root / f).read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue
            for n, line in enumerate(text.splitlines(), 1):
                try:
                    found = rx.search(line, timeout=max(deadline - time.monotonic(), 0.001))
                except TimeoutError:
                    raise ToolError(
                        "bad_pattern",
                        f"the pattern took over {SEARCH_SECONDS:g} s to search "
                        "(catastrophic backtracking?); use a simpler one",
                    ) from None
                if found:
                    total += 1
                    if len(hits) < self.max_search_hits:
                        hits.append(f"{f}:{n}: {line.strip()[:200]}")
        if total > len(hits):
            hits.append(f"... {total - len(hits)} more matches")
        return Observation(text="\n".join(hits) if hits else f"no matches for {pattern!r}")

    def tool_edit(
        self, path: str, new: str, old: str | None = None, start_line: int | None = None, end_line: int | None = None
    ) -> Observation:
        """Exact text replace (json and block formats) or a line-range replace (lines format)."""
        if old is None:
            if start_line is None or end_line is None:
                raise ToolError("bad_argument", "edit needs old (exact text) or start_line and end_line")
            return self._edit_lines(path, start_line, end_line, new)
        rel, full = self._writable(path)
        check_text(new, "the new text")
        if not full.is_file():
            raise ToolError("not_found", f"no file {rel!r} in the workspace")
        text = full.read_text(encoding="utf-8")
        if not text.endswith("\n") and old.endswith("\n") and text.count(old) == 0:
            old = old[:-1]  # the block format ends every line; the file's last has no newline
            new = new[:-1] if new.endswith("\n") else new
        count = text.count(old)
        if count == 0:
            raise ToolError(
                "no_match",
                f"the old text does not occur in {rel}; copy it exactly from read_file "
                "(whitespace and indentation included)",
            )
        if count > 1:
            raise ToolError(
                "ambiguous",
                f"the old text occurs {count} times in {rel}; include more "
                "surrounding lines so it matches exactly once",
            )
        if old == new:
            raise ToolError("no_change", "old and new are identical; nothing to change")
        first = text[: text.index(old)].count("\n") + 1
        last = first + old.rstrip("\n").count("\n")
        full.write_text(text.replace(old, new, 1), encoding="utf-8")
        self._touch(rel)
        span = len(new.splitlines())
        where = f"line {first}" if first == last else f"lines {first}-{last}"
        return Observation(text=f"Edited {rel}: replaced {where} with {span} line{'s' if span != 1 else ''}.")

    def _edit_lines(self, path: str, start: int, end: int, new: str) -> Observation:
        rel, full = self._writable(path)
        check_text(new, "the new text")
        if not full.is_file():
            raise ToolError("not_found", f"no file {rel!r} in the workspace")
        text = full.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        if end < start:
            raise ToolError("bad_target", f"end_line={end} is before start_line={start}")
        if end > len(lines):
            raise ToolError("bad_target", f"{rel} has {len(lines)} lines; end_line={end} is past the end")
        if new and not new.endswith("\n"):
            new += "\n"
        note = ""
        if self.reindent and rel.endswith(".py"):
            fitted = fit_indent(lines, start, end, new)
            if fitted is not None:
                new, note = fitted[0], f" (re-indented to line {fitted[1]}'s level: it did not compile as written)"
        if "".join(lines[start - 1 : end]) == new:
            raise ToolError("no_change", f"lines {start}-{end} already read exactly like that; nothing to change")
        full.write_text("".join(lines[: start - 1]) + new + "".join(lines[end:]), encoding="utf-8")
        self._touch(rel)
        after = full.read_text(encoding="utf-8").splitlines()
        shown = len(new.splitlines())
        first, last = max(1, start - 2), min(len(after), start + shown + 1)
        where = f"line {start}" if start == end else f"lines {start}-{end}"
        return Observation(
            text=f"Edited {rel}: replaced {where} with {shown} line{'s' if shown != 1 else ''}{note}. "
            f"Now lines {first}-{last}:\n{self.show(after, first, last)}"
        )

    def tool_write_file(self, path: str, content: str) -> Observation:
        rel, full = self._writable(path)
        check_text(content, "the content")
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(content, encoding="utf-8")
        self._touch(rel)
        return Observation(text=f"Wrote {rel} ({content.count(chr(10)) + 1} lines).")

    def tool_run_tests(self, targets: list[str] | None = None) -> Observation:
        visible = self.task.visible_tests
        if targets:
            allowed = {t.split("::", 1)[0] for t in visible}
            bad = [t for t in targets if t.split("::", 1)[0] not in allowed and t not in visible]
            if bad:
                raise ToolError("bad_target", f"{bad} are not visible tests; run any of: {', '.join(visible)}")
        run = self.run_tests(targets or visible)
        return Observation(
            text=format_test_run(run, self.observation_limit, self.failures_shown), tests=TestSummary.of(run)
        )

    def tool_finish(self, summary: str) -> Observation:
        return Observation(text="Episode finished.", done=True)

    # ---- helpers ----------------------------------------------------------------------------
    def run_tests(self, targets: list[str], hidden: bool = False) -> TestRun:
        extra = self.task.hidden_tests if hidden else None
        return self.runner.run_dir(self.root, targets, extra_files=extra)

    def _touch(self, rel: str) -> None:
        if rel not in self.touched:
            self.touched.append(rel)

    def diff(self) -> str:
        """Unified diff of the editable files against the task's buggy version."""
        current = {rel: self._read_text(rel) if (self.root / rel).exists() else "" for rel in self.original}
        return unified_diff(self.original, current)

    def reference_diff_lines(self) -> int:
        """Changed lines (+ and -) of the reference fix: the size a minimal fix has."""
        fixed = {rel: self.task.reference_fix.get(rel, before) for rel, before in self.original.items()}
        return changed_lines(unified_diff(self.original, fixed))

    def editable_text(self, path: object) -> tuple[str, str] | None:
        """(rel, text) of an existing editable file, else None: the pre-edit text that
        ``edit_localized`` compares against (read before an edit tool runs)."""
        if not isinstance(path, str):
            return None
        try:
            rel, full = self.resolve(path)
        except ToolError:
            return None
        if rel not in self.editable or not full.is_file():
            return None
        try:
            return rel, self._read_text(rel)
        except OSError:
            return None

    def edit_localized(self, rel: str, before: str) -> bool:
        """Did the edit from ``before`` to the file's current text touch a line the reference fix
        changes? Both diffs are taken against ``before``, so earlier edits that shifted lines do
        not matter. A file the reference fix does not change is never localised."""
        fixed = self.task.reference_fix.get(rel)
        if fixed is None:
            return False
        old = before.splitlines(keepends=True)
        mine = touched_lines(old, self._read_text(rel).splitlines(keepends=True))
        return bool(mine & touched_lines(old, fixed.splitlines(keepends=True)))


def _compiles(text: str) -> bool:
    try:
        compile(text, "<edit>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def fit_indent(lines: list[str], start: int, end: int, new: str) -> tuple[str, int] | None:
    """``new`` shifted as a block to the indentation of the code it lands in, with the line whose
    level it took, when the file compiled before the edit and does not with ``new`` as written but
    does shifted; else None (the edit applies as written). The level comes from the first
    non-blank replaced line, else the nearest non-blank line after the range, else before it.
    Small models write the right code at the wrong depth far more often than the reverse."""
    before, head, tail = "".join(lines), "".join(lines[: start - 1]), "".join(lines[end:])
    body = new.splitlines(keepends=True)
    firsts = [_indent(line) for line in body if line.strip()]
    if not firsts or not _compiles(before) or _compiles(head + new + tail):
        return None
    replaced = range(start - 1, end)
    after = range(end, len(lines))
    above = range(start - 2, -1, -1)
    for i in [*replaced, *after, *above]:
        if not lines[i].strip():
            continue
        shift = _indent(lines[i]) - firsts[0]
        if shift == 0 or min(firsts) + shift < 0:
            return None  # already at that level, or cannot move that far left
        moved = "".join((" " * shift + line if shift > 0 else line[-shift:]) if line.strip() else line for line in body)
        return (moved, i + 1) if _compiles(head + moved + tail) else None
    return None


def touched_lines(before: list[str], after: list[str]) -> set[int]:
    """Indices of ``before`` lines that a change replaces or deletes; a pure insertion touches the
    line before and the line after its position (-1 and len(before) stand for the file's ends)."""
    touched: set[int] = set()
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        touched.update(range(i1, i2) if i2 > i1 else (i1 - 1, i1))
    return touched


def unified_diff(before: dict[str, str], after: dict[str, str]) -> str:
    chunks: list[str] = []
    for rel, old in before.items():
        new = after.get(rel, "")
        if new != old:
            chunks.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"
                )
            )
    return "".join(chunks)


def changed_lines(diff: str) -> int:
    """+/- lines of a unified diff (file headers excluded)."""
    return sum(1 for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++ ", "--- ")))


def format_test_run(run: TestRun, limit: int, shown: int = 5) -> str:
    """The failure text a developer would want: a summary line, then each failure, truncated."""
    if run.timed_out:
        head = f"Tests timed out after the wall limit ({run.summary()})."
    elif run.crashed:
        head = f"The test session crashed (exit code {run.exit_code}; {run.summary()})."
    elif run.all_passed:
        return f"All {len(run.outcomes)} tests passed."
    else:
        head = f"Tests: {run.summary()}."
    parts = [head]
    bad = run.collection_errors + [o for o in run.outcomes if o.outcome in ("failed", "error", "timeout")]
    per = max(300, (limit - 200) // max(1, min(len(bad), shown)))
    for o in bad[:shown]:
        parts.append(f"--- {o.nodeid} [{o.outcome}]\n{truncate_middle(o.message.strip(), per)}")
    if len(bad) > shown:
        parts.append(
            f"... and {len(bad) - shown} more failing: " + ", ".join(o.nodeid for o in bad[shown : shown + 10])
        )
    if not bad and run.output.strip():
        parts.append(truncate_middle(run.output.strip(), limit // 2))
    return "\n".join(parts)
