"""The privileged oracle: knows the reference fix and plays a disciplined episode.

look (read the file to fix) -> run the tests -> quote the failure -> the minimal edit (one diff
hunk per turn, with just enough context to be unique) -> re-run the tests -> finish.
It is the cheap source of protocol demonstrations for SFT and a self-test of the harness: on every
valid task it must end with all tests passing. Its rollouts are always marked privileged.
"""

from __future__ import annotations

import difflib
import re

from agentpref.agent.episode import Episode, PolicyOutput
from agentpref.agent.policies.base import Policy
from agentpref.agent.protocol import Action
from agentpref.agent.record import PolicyInfo


def minimal_hunk(current: str, target: str) -> tuple[str, str] | None:
    """(old, new) for the first differing hunk, widened by context lines until ``old`` occurs
    exactly once in ``current``; None when the texts are equal or no unique hunk exists."""
    cur, ref = current.splitlines(keepends=True), target.splitlines(keepends=True)
    ops = [op for op in difflib.SequenceMatcher(None, cur, ref, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return None
    _, i1, i2, j1, j2 = ops[0]
    # Context may only grow into unchanged lines: before i1 everything is equal; after i2 the
    # next hunk (if any) bounds it.
    limit_after = ops[1][1] - i2 if len(ops) > 1 else len(cur) - i2
    before = after = 0
    while True:
        old = "".join(cur[i1 - before:i2 + after])
        if old and current.count(old) == 1:
            return old, "".join(ref[j1 - before:j2 + after])
        grew = False
        if before < i1:
            before, grew = before + 1, True
        if after < limit_after:
            after, grew = after + 1, True
        if not grew:
            return None


def _quote_failure(observation: str) -> str:
    """The most telling line of a test failure: the first assertion/exception line."""
    for line in observation.splitlines():
        s = line.strip()
        if s.startswith("E ") and len(s) > 3:
            return s[1:].strip()[:160]
    for line in observation.splitlines():
        if line.startswith("--- "):
            return line[4:].strip()[:160]
    return observation.splitlines()[0][:160] if observation else "the tests fail"


def _first_changed_line(old: str, new: str) -> tuple[str, str]:
    for a, b in zip(old.splitlines(), new.splitlines(), strict=False):
        if a != b:
            return a.strip(), b.strip()
    return old.strip().splitlines()[0] if old.strip() else "", new.strip().splitlines()[0] if new.strip() else ""


class OraclePolicy(Policy):
    backend = "oracle"
    privileged = True

    def info(self) -> PolicyInfo:
        return super().info().model_copy(update={"model": "oracle (reference fix)", "sampling": {}})

    def act(self, episodes: list[Episode], seed: int) -> list[PolicyOutput]:
        return [self._turn(ep) for ep in episodes]

    def _turn(self, ep: Episode) -> PolicyOutput:
        text, action = self._next(ep)
        return PolicyOutput(text=f"{text}\n{action.render()}")

    def _remaining(self, ep: Episode) -> list[str]:
        ws = ep.workspace
        return [p for p, content in ep.task.reference_fix.items()
                if not (ws.root / p).exists() or (ws.root / p).read_text(encoding="utf-8") != content]

    def _next(self, ep: Episode) -> tuple[str, Action]:
        steps = ep.steps
        remaining = self._remaining(ep)
        targets = sorted(ep.task.reference_fix) or list(ep.task.editable)
        ran = [s for s in steps if s.action is not None and s.action.name == "run_tests"]
        if not steps:
            return ("Let me start by reading the code I may need to change.",
                    Action(name="read_file", arguments={"path": targets[0]}))
        if not ran:
            return ("Now let me run the tests to see how the bug shows up.", Action(name="run_tests"))
        last = steps[-1]
        if remaining:
            path = remaining[0]
            current = (ep.workspace.root / path).read_text(encoding="utf-8")
            target = ep.task.reference_fix[path]
            hunk = minimal_hunk(current, target)
            edit_failed = last.action is not None and last.action.name == "edit" and not last.tool_ok
            if hunk is None or edit_failed:
                return (f"I'll write the corrected version of {path}.",
                        Action(name="write_file", arguments={"path": path, "content": target}))
            old, new = hunk
            bad, good = _first_changed_line(old, new)
            line = current[: current.index(old)].count("\n") + 1
            quote = _quote_failure(ran[-1].observation)
            what = (f"`{bad}` should be `{good}`" if bad and good else
                    "a line is missing" if good else "a line must go")
            return (f"The tests fail with: {quote}\nThe cause is in {path} near line {line}: {what}. "
                    "I'll make that minimal edit.",
                    Action(name="edit", arguments={"path": path, "old": old, "new": new}))
        if last.action is None or last.action.name != "run_tests":
            return ("Let me re-run the tests to check the fix.", Action(name="run_tests"))
        edits = [s for s in steps if s.edited]
        passed = last.tests is not None and last.tests.all_passed
        fixed = ", ".join(sorted({s.edited for s in edits if s.edited})) or "nothing"
        status = "the tests pass" if passed else f"the tests still fail ({_summary(last.observation)})"
        return ("The fix is in place.",
                Action(name="finish", arguments={"summary": f"Fixed the bug with a minimal edit to {fixed}; {status}."}))


def _summary(observation: str) -> str:
    first = observation.splitlines()[0] if observation else ""
    return re.sub(r"\s+", " ", first)[:120]
