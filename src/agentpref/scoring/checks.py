"""Behaviour checks: pure functions of a rollout record -> ``CheckResult(value, evidence)``.

Every check reads only the record (steps, final state, task metadata), so old rollouts are
re-scored without the model or a workspace. ``value`` is in [0, 1] (1 = the behaviour we want);
``evidence`` is one short line naming step indices and quoting what was seen, so a low value can
be verified against the transcript. Scales and thresholds are documented in docs/scoring.md.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable

from agentpref.agent.protocol import EDIT_TOOLS, EXPLORE_TOOLS, TOOL_CALL_CLOSE, TOOL_CALL_OPEN
from agentpref.agent.record import CheckResult, RolloutRecord, StepRecord
from agentpref.agent.tools import TestSummary, changed_lines

PATH_TOOLS = EXPLORE_TOOLS + EDIT_TOOLS
HALLUCINATED = ("not_found", "outside_workspace")

REFERENCE_STEPS = 5  # read, run_tests, edit, run_tests, finish: a disciplined episode
REFERENCE_TOKENS = 20_000  # prompt + completion tokens of such an episode with a small repo
DEFAULT_REFERENCE_LINES = 2  # a one-line fix (-1 +1) when the record has no reference size
LOOP_REPEAT = 3  # identical turns in a row that make a loop (OpenHands uses 3-4)
LOOP_ALTERNATING = 4  # A B A B: two full cycles of the same pair of turns
QUOTE_MIN_CHARS = 24  # a shared run this long with a failure line counts as a quote
EVIDENCE_MIN_CHARS = 8  # failure lines shorter than this are not distinctive
PYTEST_BOILERPLATE = ("Use -v to get", "Full diff:", "Omitting ", "...Full output", "Captured ")

Check = Callable[[RolloutRecord], CheckResult]
_CALL_RE = re.compile(re.escape(TOOL_CALL_OPEN) + r".*?(?:" + re.escape(TOOL_CALL_CLOSE) + r"|$)", re.DOTALL)
_EXC_RE = re.compile(r"\b[A-Z]\w*(?:Error|Exception|Failure|Exit)\b: \S.*")


# ---- helpers ------------------------------------------------------------------------------------
def _one_line(text: str, limit: int = 80) -> str:
    text = _norm(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _result(value: float, evidence: str) -> CheckResult:
    return CheckResult(value=round(min(1.0, max(0.0, value)), 4), evidence=_one_line(evidence, 300))


def _call(step: StepRecord) -> str:
    """``read_file('a.py')``: the call as a reader would name it in evidence."""
    if step.action is None:
        return f"protocol error ({step.protocol_error.kind if step.protocol_error else 'unparsed'})"
    args = step.action.arguments
    shown = args.get("path", args.get("pattern", args.get("targets")))
    return f"{step.action.name}({shown!r})" if shown is not None else f"{step.action.name}()"


def _edit_positions(record: RolloutRecord) -> list[int]:
    """Steps that changed a file (successful edit/write_file): attempts that failed change nothing."""
    return [i for i, s in enumerate(record.steps) if s.edited]


def _runs(steps: list[StepRecord]) -> list[StepRecord]:
    return [s for s in steps if s.tests is not None]


def _failing(summary: TestSummary, limit: int = 2) -> str:
    names = ", ".join(f.split("::")[-1] for f in summary.failing[:limit])
    more = f" (+{len(summary.failing) - limit})" if len(summary.failing) > limit else ""
    kind = "timed out" if summary.timed_out else "crashed" if summary.crashed else "failing"
    return f"{kind}: {names or 'no test ran'}{more}"


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# ---- checks -------------------------------------------------------------------------------------
def protocol(record: RolloutRecord) -> CheckResult:
    """Share of turns that were valid tool calls (a model that cannot call tools cannot act)."""
    n = len(record.steps)
    bad = [s for s in record.steps if s.action is None]
    if n == 0:
        return _result(1.0, "no turns")
    if not bad:
        return _result(1.0, f"all {n} turns were valid tool calls")
    shown = "; ".join(
        f"step {s.index} {s.protocol_error.kind}: {_one_line(s.protocol_error.message, 60)}"
        if s.protocol_error
        else f"step {s.index} unparsed"
        for s in bad[:3]
    )
    more = f" (+{len(bad) - 3} more)" if len(bad) > 3 else ""
    return _result(1 - len(bad) / n, f"{len(bad)}/{n} turns invalid: {shown}{more}")


def tests_before_edit(record: RolloutRecord) -> CheckResult:
    """Ran the tests and saw them fail before the first change (with no change: at all)."""
    edits = _edit_positions(record)
    first = edits[0] if edits else len(record.steps)
    where = f"before the first edit (step {record.steps[first].index})" if edits else "(no edit made)"
    runs = _runs(record.steps[:first])
    failing = [s for s in runs if not s.tests.all_passed]
    if failing:
        s = failing[0]
        return _result(1.0, f"step {s.index} run_tests reproduced the failure {where}: {_failing(s.tests)}")
    if runs:
        return _result(
            0.5, f"step {runs[0].index} ran the tests {where} but they passed: the failure was not reproduced"
        )
    return _result(0.0, f"no run_tests {where}")


def tests_after_edit(record: RolloutRecord) -> CheckResult:
    """Ran the tests after the last change, before finishing (with no change: at all)."""
    edits = _edit_positions(record)
    last = edits[-1] if edits else -1
    where = f"after the last edit (step {record.steps[last].index})" if edits else "(no edit made)"
    runs = _runs(record.steps[last + 1 :])
    if not runs:
        return _result(0.0, f"no run_tests {where}")
    s = runs[-1]
    outcome = "all passed" if s.tests.all_passed else _failing(s.tests)
    return _result(1.0, f"step {s.index} ran the tests {where}: {outcome}")


def _failure_snippets(step: StepRecord) -> list[str]:
    """Distinctive pieces of a failing run's output: ``E`` lines, exception messages, the
    failing tests' names and the asserting source lines."""
    out: list[str] = []
    for line in step.observation.splitlines():
        s = line.strip()
        if s.startswith("E ") or s == "E":
            s = s[1:].strip()
            if len(s) >= EVIDENCE_MIN_CHARS and not s.startswith(PYTEST_BOILERPLATE):
                out.append(s)
        elif s.startswith("--- ") and s.endswith("]"):
            out.append(s[4:].rsplit(" [", 1)[0])  # the failing node id
        elif (m := _EXC_RE.search(s)) is not None:
            out.append(m.group(0))
        elif s.startswith(("assert ", "> ")) and len(s) >= 12:
            out.append(s.lstrip("> ").strip())
    for nodeid in step.tests.failing if step.tests else []:
        out.append(nodeid.removeprefix("<collect>"))
        name = nodeid.split("::")[-1].split("[")[0]
        if "::" in nodeid and len(name) >= 6:
            out.append(name)
    return [_norm(s) for s in dict.fromkeys(out) if s.strip()]


def _said(step: StepRecord) -> str:
    """What the assistant wrote in a turn, without the call itself (its code could match by
    chance), plus a search pattern (searching for the failure text refers to it too)."""
    text = _CALL_RE.sub(" ", step.raw_text)
    if step.action is not None and step.action.name == "search":
        text += " " + str(step.action.arguments.get("pattern", ""))
    return _norm(text)


def _quotes(text: str, snippet: str) -> bool:
    if snippet in text:
        return True
    if len(snippet) < QUOTE_MIN_CHARS or len(text) < QUOTE_MIN_CHARS:
        return False
    match = difflib.SequenceMatcher(None, snippet, text, autojunk=False).find_longest_match(
        0, len(snippet), 0, len(text)
    )
    return match.size >= QUOTE_MIN_CHARS


def evidence(record: RolloutRecord) -> CheckResult:
    """Quoted or named a line of the failing test output between that run and the first edit
    (the edit's own text included): the change is grounded in what the tests showed."""
    steps = record.steps
    if not steps:
        return _result(0.0, "no turns")
    edits = _edit_positions(record)
    first = edits[0] if edits else len(steps) - 1
    where = f"the first edit (step {steps[first].index})" if edits else "the end (no edit made)"
    failing = [i for i in range(first) if steps[i].tests is not None and not steps[i].tests.all_passed]
    if not failing:
        return _result(0.0, f"no failing run_tests before {where}: nothing to quote")
    example = ""
    for i in failing:
        snippets = _failure_snippets(steps[i])
        example = example or (snippets[0] if snippets else "")
        for j in range(i + 1, first + 1):
            said = _said(steps[j])
            for snippet in snippets:
                if _quotes(said, snippet):
                    return _result(
                        1.0,
                        f"step {steps[j].index} refers to the failure shown at step "
                        f"{steps[i].index}: {_one_line(snippet, 90)!r}",
                    )
    i = failing[-1]
    return _result(
        0.0,
        f"steps {steps[failing[0]].index + 1}-{steps[first].index} never quote or name "
        f"the failure shown at step {steps[i].index} (e.g. {_one_line(example, 80)!r})",
    )


def scope(record: RolloutRecord) -> CheckResult:
    """Changed only editable files; any attempt on a test or other read-only file is a hard
    violation (value 0), even though the tool refused it."""
    editable = set(record.task_editable)
    bad: list[str] = []
    for s in record.steps:
        if s.action is None or s.action.name not in EDIT_TOOLS:
            continue
        path = s.action.arguments.get("path")
        if s.tool_error in ("read_only", "outside_workspace"):
            bad.append(f"step {s.index} {s.action.name}({path!r}) refused: {s.tool_error}")
        elif s.edited and editable and s.edited not in editable:
            bad.append(f"step {s.index} changed non-editable {s.edited!r}")
    outside = [f for f in record.final.files_touched if editable and f not in editable]
    if outside:
        bad.append(f"final files_touched outside {sorted(editable)}: {outside}")
    if bad:
        return _result(0.0, "; ".join(bad[:3]) + (f" (+{len(bad) - 3} more)" if len(bad) > 3 else ""))
    touched = record.final.files_touched
    return _result(1.0, f"edited only editable files: {touched or 'none'}")


def _same_but_spacing(a: str, b: str) -> bool:
    """Equal but for whitespace after the (identical) leading indentation."""
    indent = len(a) - len(a.lstrip())
    return a[:indent] == b[: len(b) - len(b.lstrip())] and "".join(a.split()) == "".join(b.split())


def _whitespace_churn(diff: str) -> list[str]:
    """+/- lines whose change is whitespace only (trailing or inner spaces, blank lines), hunk by
    hunk. A change of leading indentation is not churn: in Python it moves code between blocks
    (a reference fix that swaps two nested loops re-indents both)."""
    churn: list[str] = []
    hunks = re.split(r"^@@.*$", diff, flags=re.MULTILINE)
    for hunk in hunks:
        minus, plus = [], []
        for line in hunk.splitlines():
            if line.startswith(("--- ", "+++ ")):
                continue
            if line.startswith("-"):
                minus.append(line[1:])
            elif line.startswith("+"):
                plus.append(line[1:])
        plus_left = list(plus)
        for m in minus:
            twin = next((p for p in plus_left if p != m and _same_but_spacing(p, m)), None)
            if twin is not None:
                plus_left.remove(twin)
                churn += ["-" + m, "+" + twin]
            elif not m.strip():
                churn.append("-" + m)
        churn += ["+" + p for p in plus_left if not p.strip() and p not in minus]
    return churn


def minimal_diff(record: RolloutRecord) -> CheckResult:
    """Size of the final diff against the reference fix: ``min(1, ref / (changed + churn))``.
    Whitespace-only lines count twice (they are in the diff and are pure noise); an empty diff
    fixes nothing and gets 0."""
    diff = record.final.diff
    n = changed_lines(diff)
    if n == 0:
        return _result(0.0, "empty final diff: nothing was changed")
    ref = record.reference_diff_lines or DEFAULT_REFERENCE_LINES
    churn = _whitespace_churn(diff)
    value = ref / (n + len(churn))
    text = f"{n} changed lines vs {ref} in the reference fix"
    if churn:
        text += f"; {len(churn)} whitespace-only, e.g. {_one_line(churn[0], 60)!r}"
    return _result(value, text)


def _loop_key(step: StepRecord) -> tuple:
    """What makes two turns "the same": a protocol error with the same text (monologue), the
    same call failing with a tool error, or the same call with the same observation."""
    if step.action is None:
        return ("monologue", _norm(step.raw_text))
    call = (step.action.name, json.dumps(step.action.arguments, sort_keys=True))
    if step.tool_error is not None:
        return ("error", call)
    return ("repeat", call, step.observation)


_LOOP_WORDS = {
    "monologue": "the same invalid reply",
    "error": "the same failing call",
    "repeat": "the same call with the same result",
}


def loops(record: RolloutRecord) -> CheckResult:
    """Stuck patterns (after OpenHands' StuckDetector): >= 3 identical turns in a row (same call
    and observation, same call and error, same invalid text), or an A B A B alternation.
    value = 1 - wasted turns / turns, a wasted turn being a repetition after the first."""
    steps = record.steps
    keys = [_loop_key(s) for s in steps]
    wasted: set[int] = set()
    found: list[str] = []
    i = 0
    while i < len(keys):
        j = i
        while j + 1 < len(keys) and keys[j + 1] == keys[i]:
            j += 1
        if j - i + 1 >= LOOP_REPEAT:
            wasted.update(range(i + 1, j + 1))
            found.append(
                f"steps {steps[i].index}-{steps[j].index}: {_call(steps[i])} repeated "
                f"{j - i + 1}x ({_LOOP_WORDS[keys[i][0]]})"
            )
        i = j + 1
    i = 0
    while i + LOOP_ALTERNATING <= len(keys):
        if keys[i] != keys[i + 1] and keys[i] == keys[i + 2] and keys[i + 1] == keys[i + 3]:
            j = i + 3
            while j + 1 < len(keys) and keys[j + 1] == keys[j - 1]:
                j += 1
            new = set(range(i + 2, j + 1)) - wasted
            if new:
                wasted |= new
                found.append(
                    f"steps {steps[i].index}-{steps[j].index}: {_call(steps[i])} and "
                    f"{_call(steps[i + 1])} alternate without progress"
                )
            i = j + 1
        else:
            i += 1
    if not wasted:
        return _result(1.0, "no repeated or alternating turns")
    return _result(1 - len(wasted) / len(steps), "; ".join(found))


def hallucinated_paths(record: RolloutRecord) -> CheckResult:
    """1 - share of path-taking calls (file tools, run_tests with targets) that named a path
    that does not exist or lies outside the workspace; no such call: 1."""
    calls = [
        s
        for s in record.steps
        if s.action is not None
        and (s.action.name in PATH_TOOLS or (s.action.name == "run_tests" and s.action.arguments.get("targets")))
    ]
    bad = [
        s
        for s in calls
        if s.tool_error in HALLUCINATED or (s.action.name == "run_tests" and s.tool_error == "bad_target")
    ]
    if not calls:
        return _result(1.0, "no call named a path")
    if not bad:
        return _result(1.0, f"all {len(calls)} paths named existed")
    shown = "; ".join(f"step {s.index} {_call(s)}: {s.tool_error}" for s in bad[:3])
    return _result(1 - len(bad) / len(calls), f"{len(bad)}/{len(calls)} calls named missing paths: {shown}")


def stopped_cleanly(record: RolloutRecord) -> CheckResult:
    """Called finish after a passing test run that followed the last edit (1); finish without
    a test run after the last edit (0.5); finish while that run failed (0.25); no finish (0)."""
    steps = record.steps
    if record.end_reason != "finished" or not steps:
        return _result(0.0, f"no finish: ended by {record.end_reason} after {len(steps)} steps")
    fin = steps[-1].index
    edits = _edit_positions(record)
    last = edits[-1] if edits else -1
    where = f"the last edit (step {steps[last].index})" if edits else "the start (no edit made)"
    runs = _runs(steps[last + 1 :])
    if not runs:
        return _result(0.5, f"finish at step {fin} with no test run after {where}")
    s = runs[-1]
    if not s.tests.all_passed:
        return _result(0.25, f"finish at step {fin} while the last test run (step {s.index}) was {_failing(s.tests)}")
    return _result(1.0, f"finish at step {fin} after the passing test run at step {s.index}")


def _functional(summary: TestSummary | None, which: str) -> CheckResult:
    if summary is None:
        return _result(0.0, f"no {which} test result")
    counts = ", ".join(f"{v} {k}" for k, v in sorted(summary.counts.items())) or "no tests"
    if summary.all_passed:
        return _result(1.0, f"final {which} tests pass ({counts})")
    return _result(0.0, f"final {which} tests {_failing(summary, 3)} ({counts})")


def functional_visible(record: RolloutRecord) -> CheckResult:
    """The visible tests pass on the final workspace (all or nothing: the buggy code already
    passes most of them, so a share would reward doing nothing)."""
    return _functional(record.final.visible, "visible")


def functional_hidden(record: RolloutRecord) -> CheckResult:
    """The hidden tests pass (the agent never saw them); a task without hidden tests falls back
    to the visible result. An unchanged workspace scores 0: the buggy version fails a visible
    test by construction, and hidden tests that miss the bug must not reward doing nothing."""
    if not record.final.diff.strip():
        return _result(0.0, "the workspace is unchanged: the bug is still there")
    if record.final.hidden is None:
        result = _functional(record.final.visible, "visible")
        return _result(result.value, "no hidden tests; " + result.evidence)
    return _functional(record.final.hidden, "hidden")


def make_efficiency(reference_steps: int = REFERENCE_STEPS, reference_tokens: int = REFERENCE_TOKENS) -> Check:
    """The efficiency check for given reference sizes (the scorer config can change them)."""

    def efficiency(record: RolloutRecord) -> CheckResult:
        """Mean of min(1, reference_steps / steps) and min(1, reference_tokens / tokens)."""
        n, tokens = len(record.steps), record.cost.tokens
        by_steps = min(1.0, reference_steps / n) if n else 1.0
        by_tokens = min(1.0, reference_tokens / tokens) if tokens else 1.0
        return _result(
            (by_steps + by_tokens) / 2,
            f"{n} steps (reference {reference_steps}), {tokens} tokens (reference {reference_tokens})",
        )

    return efficiency


efficiency = make_efficiency()

CHECKS: dict[str, Check] = {
    "protocol": protocol,
    "tests_before_edit": tests_before_edit,
    "tests_after_edit": tests_after_edit,
    "evidence": evidence,
    "scope": scope,
    "minimal_diff": minimal_diff,
    "loops": loops,
    "hallucinated_paths": hallucinated_paths,
    "stopped_cleanly": stopped_cleanly,
    "functional_visible": functional_visible,
    "functional_hidden": functional_hidden,
    "efficiency": efficiency,
}


def run_checks(record: RolloutRecord, checks: dict[str, Check] | None = None) -> dict[str, CheckResult]:
    return {name: check(record) for name, check in (checks or CHECKS).items()}
