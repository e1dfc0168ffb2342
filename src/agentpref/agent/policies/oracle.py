"""The privileged oracle: knows the reference fix and plays a disciplined episode.

look (read the file to fix) -> run the tests -> quote the failure -> the minimal edit (one diff
hunk per turn, with just enough context to be unique) -> re-run the tests -> finish.
It is the cheap source of protocol demonstrations for SFT and a self-test of the harness: on every
valid task it must end with all tests passing. Its rollouts are always marked privileged.

Recovery demonstrations (``backend.perturb_rate``): in a share of episodes the oracle makes one
deliberate mistake a small model makes (a malformed call, a made-up path, an edit whose old text
is not in the file, an edit that applies but leaves the tests failing) and then recovers. The
mistake's turn is marked ``perturbed`` (SFT masks it out of the loss); the recovery is trained.
``wrong_place`` is the mistake SmolLM2 makes most: an edit to a line away from the bug; the
recovery after the failing test run undoes it, then makes the fix (two different edits, where a
stuck model repeats its first).
``stuck`` shows the clean way out when no fix is found: a wrong edit (masked), the test run that
shows it failed, then ``finish`` saying the tests still fail, instead of repeating the edit until
the budget ends (what SFT models without it did); ``stuck_repeat`` puts the same edit again
(masked; it changes nothing) before the finish, the loop SmolLM2 falls into, so that the finish is
what follows it. ``explain_fix=False`` leaves the changed code out
of the edit turn's text (the failure quote and the line stay): small models copied it into loops.
``bad_indent`` is the fix indented four spaces too deep, the mistake SmolLM2's edits make most
(the module no longer compiles, the test run crashes on an IndentationError); the recovery reads
the error and writes the edit again, indented right.
``quote_line=True`` copies the lines an edit replaces into its text, as ``read_file`` shows
them: the edit is then that quote with one change.
``narrate=False`` drops the text before every call: each turn is the call alone.
"""

from __future__ import annotations

import ast
import difflib
import random
import re

from agentpref.agent.config import SamplingConfig
from agentpref.agent.episode import Episode, PolicyOutput
from agentpref.agent.policies.base import Policy
from agentpref.agent.protocol import TOOL_CALL_CLOSE, TOOL_CALL_OPEN, Action
from agentpref.agent.record import PolicyInfo, StepRecord
from agentpref.models import ModelConfig

PERTURBATIONS: tuple[str, ...] = ("malformed_call", "wrong_path", "stale_edit", "wrong_edit", "stuck")
_AWAY = 4  # wrong_place edits this many lines or more from the bug (its own hunk)
STUCK = ("stuck", "stuck_repeat")
_STATE = "oracle_perturb"  # policy_state key: [kind, done, mistakes made]
_PLACED = "oracle_wrong_place"  # policy_state key: (line, its text) of a wrong_place edit not yet undone


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
        old = "".join(cur[i1 - before : i2 + after])
        if old and current.count(old) == 1:
            return old, "".join(ref[j1 - before : j2 + after])
        grew = False
        if before < i1:
            before, grew = before + 1, True
        if after < limit_after:
            after, grew = after + 1, True
        if not grew:
            return None


def line_hunk(current: str, target: str) -> tuple[int, int, str] | None:
    """(start_line, end_line, new text) replacing the first differing lines (the lines edit
    format); an insertion or deletion takes one neighbouring line along, so the range is never
    empty and the new text never blank."""
    cur, ref = current.splitlines(keepends=True), target.splitlines(keepends=True)
    ops = [op for op in difflib.SequenceMatcher(None, cur, ref, autojunk=False).get_opcodes() if op[0] != "equal"]
    if not ops:
        return None
    _, i1, i2, j1, j2 = ops[0]
    for _, a1, a2, _, b2 in ops[1:]:  # nearby changes go in the same edit (one range to fix)
        if a1 - i2 > 3:
            break
        i2, j2 = a2, b2
    if i1 == i2 or j1 == j2:
        if i1 > 0:
            i1, j1 = i1 - 1, j1 - 1
        elif i2 < len(cur):
            i2, j2 = i2 + 1, j2 + 1
        elif i1 == i2:  # inserting into an empty file
            return None
    new = "".join(ref[j1:j2])
    if not new.endswith("\n"):
        new += "\n"
    return i1 + 1, i2, new


_WRONG = [
    (r"<=", "<"),
    (r">=", ">"),
    (r"(?<![<>=!])<(?![<=])", "<="),
    (r"(?<![<>=!-])>(?![>=])", ">="),
    (r"\+ 1\b", "- 1"),
    (r"- 1\b", "+ 1"),
    (r"==", "!="),
    (r"!=", "=="),
    (r"\band\b", "or"),
    (r"\bor\b", "and"),
    (r"\b0\b", "1"),
    (r"\b1\b", "2"),
    (r"\bTrue\b", "False"),
    (r"\bFalse\b", "True"),
    (r"\[-1\]", "[0]"),
    (r"\[0\]", "[-1]"),
    (r" \+ ", " - "),
    (r" - ", " + "),
    (r" \* ", " + "),
    (r"\bnot ", ""),
    (r"\bif ", "if not "),
    (r"\breturn \S.*", "return None"),
]


def wrong_variant(line: str, avoid: set[str]) -> str | None:
    """A plausible but wrong rewrite of a code line (one operator or constant changed)."""
    code, _, _ = line.partition("#")
    for pattern, repl in _WRONG:
        if re.search(pattern, code):
            out = re.sub(pattern, repl, code, count=1) + line[len(code) :]
            if out != line and out not in avoid:
                return out
    return None


_SYNTAX_AT = re.compile(r'^E\s+File "([^"]+)", line (\d+)')
_ERROR_LINE = re.compile(r"^E\s+(\w+Error: .*)")


def _quote_failure(observation: str) -> str:
    """The most telling line of a test failure: the first assertion/exception line; for a module
    that does not compile, the error with its file and line."""
    lines = observation.splitlines()
    for i, line in enumerate(lines):
        s = line.strip()
        where = _SYNTAX_AT.match(s)
        error = where and next((m.group(1) for m in map(_ERROR_LINE.match, lines[i + 1 : i + 4]) if m), None)
        if error:
            return f"{error} ({where.group(1)}, line {where.group(2)})"[:160]
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

    def __init__(
        self,
        model: ModelConfig,
        sampling: SamplingConfig,
        batch_size: int,
        perturb_rate: float = 0.0,
        perturb_kinds: tuple[str, ...] = PERTURBATIONS,
        seed: int = 0,
        explain_fix: bool = True,
        narrate: bool = True,
        quote_line: bool = False,
    ):
        super().__init__(model, sampling, batch_size)
        self.perturb_rate, self.perturb_kinds, self.perturb_seed = perturb_rate, tuple(perturb_kinds), seed
        self.explain_fix, self.narrate, self.quote_line = explain_fix, narrate, quote_line

    def info(self) -> PolicyInfo:
        sampling = (
            {"perturb_rate": self.perturb_rate, "perturb_kinds": list(self.perturb_kinds)} if self.perturb_rate else {}
        )
        if not self.explain_fix:
            sampling["explain_fix"] = False
        if not self.narrate:
            sampling["narrate"] = False
        if self.quote_line:
            sampling["quote_line"] = True
        return super().info().model_copy(update={"model": "oracle (reference fix)", "sampling": sampling})

    def act(self, episodes: list[Episode], seed: int) -> list[PolicyOutput]:
        return [self._turn(ep) for ep in episodes]

    def _turn(self, ep: Episode) -> PolicyOutput:
        out = self._planned_turn(ep)
        if not self.narrate:  # the call alone: nothing to copy into a loop
            out.text = out.text[out.text.find(TOOL_CALL_OPEN) :] if TOOL_CALL_OPEN in out.text else out.text
        return out

    def _planned_turn(self, ep: Episode) -> PolicyOutput:
        text, action = self._next(ep)
        fmt = ep.agent.edit_format
        plan = self._plan(ep)
        runs = [s for s in ep.steps if s.tests is not None]
        if plan is not None and plan[0] in STUCK and plan[2] and runs and runs[-1].tests.all_passed:
            plan[0], plan[1] = "wrong_edit", True  # the "wrong" edit happened to pass: not stuck
        repeated = plan is not None and plan[0] == "stuck_repeat" and plan[2] == 2
        if repeated or (plan is not None and plan[0] == "stuck" and plan[1] and action.name == "edit"):
            text, action = self._give_up(ep)  # the wrong edit was checked and failed
        elif plan is not None and plan[0] == "stuck_repeat" and plan[1] and action.name == "edit":
            plan[2] = 2  # the same edit again, as a stuck model does
            return PolicyOutput(text=next(s.raw_text for s in reversed(ep.steps) if s.perturbed), perturbed=True)
        elif plan is not None and not plan[1]:
            mistake = self._mistake(ep, "wrong_edit" if plan[0] in STUCK else plan[0], text, action)
            if mistake is not None:
                plan[1], plan[2] = True, plan[2] + 1
                return PolicyOutput(text=mistake, perturbed=True)
        return PolicyOutput(text=f"{text}\n{action.render(fmt)}")

    @staticmethod
    def _span(current: str, action: Action) -> tuple[int, int]:
        """The line range an edit replaces (an ``old`` string: the lines it covers)."""
        args = action.arguments
        if "start_line" in args:
            return args["start_line"], args["end_line"]
        start = current[: current.index(args["old"])].count("\n") + 1
        return start, start + args["old"].rstrip("\n").count("\n")

    @staticmethod
    def _cause(ep: Episode, quote: str, path: str, current: str, start: int, end: int) -> str:
        """The edit turn's text with the lines to change quoted as ``read_file`` shows them."""
        where = f"line {start}" if start == end else f"lines {start}-{end}"
        return (
            f"The tests fail with: {quote}\nThe cause is in {path} at {where}:\n"
            f"{ep.workspace.show(current.splitlines(), start, end)}\nI'll make the minimal edit there."
        )

    @staticmethod
    def _give_up(ep: Episode) -> tuple[str, Action]:
        edited = ", ".join(sorted({s.edited for s in ep.steps if s.edited})) or "the code"
        return (
            "The tests still fail after my edit and I have no better fix, so I stop here."
            if not ep.steps[-1].perturbed
            else "Repeating that edit changes nothing and the tests still fail. I have no better fix, so I stop here.",
            Action(name="finish", arguments={"summary": f"Not fixed: my edit to {edited} left the tests failing."}),
        )

    # ---- recovery demonstrations -----------------------------------------------------------------
    def _plan(self, ep: Episode) -> list | None:
        """[kind, done, mistakes made] for an episode picked for a mistake (seeded by task and
        sample), else None."""
        if not self.perturb_rate or not self.perturb_kinds:
            return None
        if _STATE not in ep.policy_state:
            rng = random.Random(f"{self.perturb_seed}:{ep.task.id}:{ep.sample_index}")
            picked = rng.random() < self.perturb_rate
            ep.policy_state[_STATE] = [rng.choice(self.perturb_kinds), False, 0] if picked else None
        return ep.policy_state[_STATE]

    def _mistake(self, ep: Episode, kind: str, text: str, action: Action) -> str | None:
        """The turn with the planned mistake in place of ``action``, or None when this turn is not
        where that mistake happens."""
        fmt = ep.agent.edit_format
        if kind == "malformed_call" and (ep.steps or action.name != "read_file"):
            call = action.render(fmt)
            rng = random.Random(f"{self.perturb_seed}:{ep.task.id}:{ep.sample_index}:call")
            broken = rng.choice(
                [
                    call[: -len(TOOL_CALL_CLOSE)],  # unclosed
                    call.replace('"arguments"', "arguments", 1),  # invalid JSON
                    call.replace('"}}', '"}', 1) if '"}}' in call else call[: -len(TOOL_CALL_CLOSE)],
                ]
            )
            return f"{text}\n{broken}"
        if kind == "wrong_path" and action.name == "read_file" and not ep.steps:
            path = action.arguments["path"]
            stem, dot, ext = path.rpartition(".")
            wrong = f"src/{path}" if not dot else f"{stem}s.{ext}" if not stem.endswith("s") else f"{stem[:-1]}.{ext}"
            return f"{text}\n{Action(name='read_file', arguments={'path': wrong}).render(fmt)}"
        if action.name != "edit":
            return None
        args = dict(action.arguments)
        if kind == "stale_edit":
            if "old" in args:  # old text that is not in the file: the code as it should be, or
                current = (ep.workspace.root / args["path"]).read_text(encoding="utf-8")  # unindented
                flat = "\n".join(" ".join(line.split()) for line in args["old"].splitlines()) + "\n"
                stale = next((t for t in (args["new"], flat) if t.strip() and t not in current), None)
                if stale is None:
                    return None
                args["old"] = stale
            else:  # a line range one off: the edit lands on the neighbouring line
                n = (ep.workspace.root / args["path"]).read_text(encoding="utf-8").count("\n")
                shift = 1 if args["end_line"] < n else -1
                if args["start_line"] + shift < 1:
                    return None
                args["start_line"] += shift
                args["end_line"] += shift
            return f"{text}\n{Action(name='edit', arguments=args).render(fmt)}"
        if kind == "wrong_place":
            return self._wrong_place(ep, text, args)
        if kind == "bad_indent":
            return self._bad_indent(ep, text, args)
        if kind == "wrong_edit":
            current = (ep.workspace.root / args["path"]).read_text(encoding="utf-8")
            target = ep.task.reference_fix[args["path"]]
            hunk = line_hunk(current, target)
            if hunk is None:
                return None
            start, end, new = hunk
            lines = current.splitlines(keepends=True)
            avoid = set(target.splitlines(keepends=True)) | set(lines)
            wrong = [wrong_variant(line, avoid) for line in lines[start - 1 : end]]
            at = next((i for i, w in enumerate(wrong) if w is not None), None)
            if at is None:
                return None
            changed = lines[start - 1 : end]
            changed[at] = wrong[at]
            if "old" in args:
                old = "".join(lines[start - 1 : end])
                if current.count(old) != 1:
                    return None
                args = {"path": args["path"], "old": old, "new": "".join(changed)}
            else:
                args = {"path": args["path"], "start_line": start, "end_line": end, "new": "".join(changed)}
            return f"{text}\n{Action(name='edit', arguments=args).render(fmt)}"
        return None

    def _wrong_place(self, ep: Episode, text: str, args: dict) -> str | None:
        """An edit to a code line at least ``_AWAY`` lines from the bug (one operator or constant
        changed); records the line so the recovery can say it undoes it."""
        current = (ep.workspace.root / args["path"]).read_text(encoding="utf-8")
        target = ep.task.reference_fix[args["path"]]
        hunk = line_hunk(current, target)
        if hunk is None:
            return None
        lines = current.splitlines(keepends=True)
        avoid = set(target.splitlines(keepends=True)) | set(lines)
        code = _code_lines(current)
        far = [
            n
            for n in range(1, len(lines) + 1)
            if n in code
            and (n < hunk[0] - _AWAY or n > hunk[1] + _AWAY)
            and current.count(lines[n - 1]) == 1
            and wrong_variant(lines[n - 1], avoid) is not None
        ]
        if not far:
            return None
        n = random.Random(f"{self.perturb_seed}:{ep.task.id}:{ep.sample_index}:place").choice(far)
        wrong = wrong_variant(lines[n - 1], avoid)
        args = (
            {"path": args["path"], "old": lines[n - 1], "new": wrong}
            if "old" in args
            else {"path": args["path"], "start_line": n, "end_line": n, "new": wrong}
        )
        ep.policy_state[_PLACED] = (n, lines[n - 1])
        runs = [s for s in ep.steps if s.tests is not None]
        quote = _quote_failure(runs[-1].observation) if runs else "the tests fail"
        said = (
            self._cause(ep, quote, args["path"], current, n, n)
            if self.quote_line
            else f"The tests fail with: {quote}\nThe cause is in {args['path']} near line {n}. "
            "I'll make the minimal edit."
        )
        return f"{said}\n{Action(name='edit', arguments=args).render(ep.agent.edit_format)}"

    @staticmethod
    def _bad_indent(ep: Episode, text: str, args: dict) -> str | None:
        """The fix with its first line indented four spaces too deep, when that breaks the module
        (the edit applies; the next test run crashes on an IndentationError)."""
        new = args["new"].splitlines(keepends=True)
        first = next((i for i, line in enumerate(new) if line.strip()), None)
        if first is None:
            return None
        new[first] = "    " + new[first]
        broken = {**args, "new": "".join(new)}
        current = (ep.workspace.root / args["path"]).read_text(encoding="utf-8")
        if "old" in args:
            after = current.replace(args["old"], broken["new"], 1)
        else:
            lines = current.splitlines(keepends=True)
            after = "".join(lines[: args["start_line"] - 1] + new + lines[args["end_line"] :])
        try:
            compile(after, args["path"], "exec")
        except SyntaxError:
            return f"{text}\n{Action(name='edit', arguments=broken).render(ep.agent.edit_format)}"
        return None

    def _undo(self, ep: Episode) -> tuple[str, Action] | None:
        """After a ``wrong_place`` edit failed its test run: the edit that restores the line."""
        if _PLACED not in ep.policy_state or ep.steps[-1].perturbed:
            return None
        n, original = ep.policy_state.pop(_PLACED)  # once: later edits may shift the lines
        path = next(s.edited for s in ep.steps if s.perturbed and s.edited)
        lines = (ep.workspace.root / path).read_text(encoding="utf-8").splitlines(keepends=True)
        if lines[n - 1] == original:
            return None
        args = (
            {"path": path, "old": lines[n - 1], "new": original}
            if ep.agent.edit_format != "lines"
            else {"path": path, "start_line": n, "end_line": n, "new": original}
        )
        return (
            f"The tests still fail: my edit to line {n} was not the fix. I'll undo it.",
            Action(name="edit", arguments=args),
        )

    @staticmethod
    def _recovery(step: StepRecord) -> str:
        """What the oracle says after its own mistake (the first thing a trained model should learn
        to say after one)."""
        if step.protocol_error is not None:
            return "My last reply was not a valid tool call. Here it is again, complete."
        if step.tool_error in ("not_found", "outside_workspace", "not_a_file"):
            return "That path does not exist. I'll use a file from the workspace listing."
        if step.tool_error is not None:
            return "That edit did not apply. Let me read those lines again before editing."
        return "Let me run the tests to check that edit."

    # ---- the disciplined episode ---------------------------------------------------------------
    def _remaining(self, ep: Episode) -> list[str]:
        ws = ep.workspace
        return [
            p
            for p, content in ep.task.reference_fix.items()
            if not (ws.root / p).exists() or (ws.root / p).read_text(encoding="utf-8") != content
        ]

    def _next(self, ep: Episode) -> tuple[str, Action]:
        text, action = self._plain_next(ep)
        if ep.steps and ep.steps[-1].perturbed:
            text = "\n".join(filter(None, [self._recovery(ep.steps[-1]), text]))
        return text, action

    def _plain_next(self, ep: Episode) -> tuple[str, Action]:
        steps = ep.steps
        remaining = self._remaining(ep)
        targets = sorted(ep.task.reference_fix) or list(ep.task.editable)
        ok = [s for s in steps if s.action is not None and s.tool_ok]
        ran = [s for s in ok if s.action.name == "run_tests"]
        if not any(s.action.name == "read_file" for s in ok):
            return (
                "Let me start by reading the code I may need to change.",
                Action(name="read_file", arguments={"path": targets[0]}),
            )
        if not ran:
            return ("Now let me run the tests to see how the bug shows up.", Action(name="run_tests"))
        real = steps[-1]
        if real.perturbed and real.edited:  # a wrong edit applied: check it
            return ("", Action(name="run_tests"))
        if real.perturbed and real.action is not None and real.action.name == "edit" and remaining:
            return ("", self._reread(ep, remaining[0]))  # a stale edit: look again
        last = next((s for s in reversed(steps) if not s.perturbed), steps[-1])
        undo = self._undo(ep)
        if undo is not None:
            return undo
        if remaining:
            path = remaining[0]
            current = (ep.workspace.root / path).read_text(encoding="utf-8")
            target = ep.task.reference_fix[path]
            hunk = minimal_hunk(current, target)
            lines = line_hunk(current, target) if ep.agent.edit_format == "lines" else None
            edit_failed = last.action is not None and last.action.name == "edit" and not last.tool_ok
            if hunk is None or edit_failed or (ep.agent.edit_format == "lines" and lines is None):
                return (
                    f"I'll write the corrected version of {path}.",
                    Action(name="write_file", arguments={"path": path, "content": target}),
                )
            old, new = hunk
            bad, good = _first_changed_line(old, new)
            line = current[: current.index(old)].count("\n") + 1
            quote = _quote_failure(ran[-1].observation)
            what = f"`{bad}` should be `{good}`" if bad and good else "a line is missing" if good else "a line must go"
            if lines is not None:
                start, end, new_lines = lines
                action = Action(
                    name="edit", arguments={"path": path, "start_line": start, "end_line": end, "new": new_lines}
                )
            else:
                action = Action(name="edit", arguments={"path": path, "old": old, "new": new})
            if self.quote_line:
                return self._cause(ep, quote, path, current, *self._span(current, action)), action
            if not self.explain_fix:
                return (
                    f"The tests fail with: {quote}\nThe cause is in {path} near line {line}. "
                    "I'll make the minimal edit.",
                    action,
                )
            return (
                f"The tests fail with: {quote}\nThe cause is in {path} near line {line}: {what}. "
                "I'll make that minimal edit.",
                action,
            )
        if last.action is None or last.action.name != "run_tests":
            return ("Let me re-run the tests to check the fix.", Action(name="run_tests"))
        edits = [s for s in steps if s.edited]
        passed = last.tests is not None and last.tests.all_passed
        fixed = ", ".join(sorted({s.edited for s in edits if s.edited})) or "nothing"
        status = "the tests pass" if passed else f"the tests still fail ({_summary(last.observation)})"
        return (
            "The fix is in place.",
            Action(name="finish", arguments={"summary": f"Fixed the bug with a minimal edit to {fixed}; {status}."}),
        )

    @staticmethod
    def _reread(ep: Episode, path: str) -> Action:
        current = (ep.workspace.root / path).read_text(encoding="utf-8")
        hunk = line_hunk(current, ep.task.reference_fix[path])
        n = current.count("\n") + 1
        start, end = (hunk[0], hunk[1]) if hunk else (1, n)
        return Action(
            name="read_file",
            arguments={"path": path, "start_line": max(1, start - 3), "end_line": min(n, max(end, start) + 3)},
        )


def _code_lines(source: str) -> set[int]:
    """Line numbers of code: not blank, not a comment, not inside a string statement (docstring)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    strings = {
        n
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)
    }
    return {
        i
        for i, line in enumerate(source.splitlines(), 1)
        if line.strip() and not line.lstrip().startswith("#") and i not in strings
    }


def _summary(observation: str) -> str:
    first = observation.splitlines()[0] if observation else ""
    return re.sub(r"\s+", " ", first)[:120]
