"""Behaviour checks on hand-built trajectories: a disciplined episode scores 1.0 on every check,
and each bad episode lowers exactly the checks it should, with evidence naming the step."""

from __future__ import annotations

import pytest

from agentpref.agent.protocol import Action, ProtocolError
from agentpref.agent.record import (
    Cost,
    FinalState,
    PolicyInfo,
    RolloutRecord,
    StepRecord,
)
from agentpref.agent.tools import TestSummary
from agentpref.scoring.checks import CHECKS, make_efficiency, run_checks

EDITABLE = "buggy.py"
TEST_FILE = "tests/test_buggy.py"
FAIL_OBS = (
    "Tests: 1 failed, 4 passed.\n"
    f"--- {TEST_FILE}::test_add_carries [failed]\n"
    f"{TEST_FILE}:12: in test_add_carries\n"
    "    assert add_digits([9, 9]) == [1, 9, 8]\n"
    "E   AssertionError: assert [9, 8] == [1, 9, 8]\n"
    "E     Use -v to get more diff"
)
QUOTE = "The tests fail with: AssertionError: assert [9, 8] == [1, 9, 8]\nThe carry is dropped."
GOOD_DIFF = (
    f"--- a/{EDITABLE}\n+++ b/{EDITABLE}\n@@ -3,3 +3,3 @@\n def add_digits(ds):\n"
    "-    carry = 0 if x else 1\n+    carry = 1 if x else 0\n     return ds\n"
)


# ---- a compact trajectory language ---------------------------------------------------------------
def call(name: str, obs: str = "ok", *, text: str = "", error: str | None = None, **args) -> dict:
    return {
        "action": Action(name=name, arguments=args),
        "observation": obs,
        "tool_ok": error is None,
        "tool_error": error,
        "raw_text": text or f"Calling {name}.",
    }


def read(path: str = EDITABLE, obs: str | None = None, **kw) -> dict:
    return call("read_file", obs if obs is not None else f"{path}\ndef add_digits(ds): ...", path=path, **kw)


def search(pattern: str, obs: str = "buggy.py:3: carry = 0", **kw) -> dict:
    return call("search", obs, pattern=pattern, **kw)


def run(passed: bool, **kw) -> dict:
    failing = [] if passed else [f"{TEST_FILE}::test_add_carries"]
    summary = TestSummary(
        targets=[TEST_FILE],
        counts={"passed": 5} if passed else {"passed": 4, "failed": 1},
        all_passed=passed,
        failing=failing,
    )
    step = call("run_tests", "All 5 tests passed." if passed else FAIL_OBS, **kw)
    step["tests"] = summary
    return step


def edit(path: str = EDITABLE, *, text: str = QUOTE, error: str | None = None) -> dict:
    obs = f"Error: {path!r} is read-only (tests are never edited)" if error else f"Edited {path}: replaced line 3."
    step = call(
        "edit", obs, text=text, error=error, path=path, old="carry = 0 if x else 1", new="carry = 1 if x else 0"
    )
    if error is None:
        step["edited"] = path
    return step


def finish(**kw) -> dict:
    return call("finish", "Episode finished.", summary="Fixed the dropped carry.", **kw)


def bad(text: str, kind: str = "no_tool_call", message: str = "no <tool_call> block") -> dict:
    return {
        "protocol_error": ProtocolError(kind=kind, message=message),
        "raw_text": text,
        "observation": f"Protocol error ({kind}): {message}",
    }


def summary(passed: bool) -> TestSummary:
    return TestSummary(
        targets=["t"],
        counts={"passed": 5} if passed else {"passed": 4, "failed": 1},
        all_passed=passed,
        failing=[] if passed else [f"{TEST_FILE}::test_add_carries"],
    )


def make_record(
    steps: list[dict],
    *,
    end_reason: str | None = None,
    diff: str = GOOD_DIFF,
    visible: bool = True,
    hidden: bool | None = True,
    tokens: int = 500,
    reference: int | None = 2,
    touched: list[str] | None = None,
    **extra,
) -> RolloutRecord:
    """A RolloutRecord from compact steps; ``tokens`` per step (prompt + completion)."""
    records = [StepRecord(index=i, prompt_tokens=tokens - 50, completion_tokens=50, **s) for i, s in enumerate(steps)]
    if end_reason is None:
        last = records[-1].action if records else None
        end_reason = "finished" if last is not None and last.name == "finish" else "max_steps"
    edited = list(dict.fromkeys(s.edited for s in records if s.edited))
    final = FinalState(
        diff=diff,
        files_touched=touched if touched is not None else edited,
        visible=summary(visible),
        hidden=None if hidden is None else summary(hidden),
        resolved=visible and hidden is not False,
    )
    return RolloutRecord(
        run_id="r",
        task_id="builtin/buggy/carry",
        task_source="builtin",
        task_program="builtin:buggy",
        split="train",
        sample_index=0,
        seed=0,
        task_editable=[EDITABLE],
        reference_diff_lines=reference,
        policy=PolicyInfo(backend="test", model="hand"),
        prompt_hash="x",
        messages=[],
        steps=records,
        end_reason=end_reason,
        final=final,
        cost=Cost(prompt_tokens=sum(s.prompt_tokens for s in records), completion_tokens=50 * len(records)),
        duration_s=1.0,
        **extra,
    )


def good_steps() -> list[dict]:
    return [read(), run(False), edit(), run(True), finish()]


CHURN_DIFF = (
    f"--- a/{EDITABLE}\n+++ b/{EDITABLE}\n@@ -1,9 +1,12 @@\n-import os\n+import os  \n"
    " def add_digits(ds):\n-    carry = 0 if x else 1\n+    carry = 1 if x else 0\n"
    "-    total = 0\n+    total =  0\n+    extra = []\n+    extra.append(1)\n+\n"
    "-  return ds\n+    return ds\n"
)
MANY = [
    read(),
    call("list_files", "buggy.py\ntests/test_buggy.py"),
    search("carry"),
    read(TEST_FILE),
    read(start_line=1, end_line=3),
    search("add_digits"),
    call("list_files", "buggy.py", path="tests"),
    run(False),
    edit(),
    run(True),
    finish(),
]

# name -> (steps, record options, {check: step index its evidence must name (None: any)})
BAD = {
    "protocol_errors": (
        [bad("I will use grep", "unknown_tool", "unknown tool 'grep'"), run(False), edit(), run(True), finish()],
        {},
        {"protocol": 0},
    ),
    "bad_arguments": (
        [
            bad('{"name": "read_file"}', "bad_arguments", "read_file: argument 'path': missing"),
            run(False),
            edit(),
            run(True),
            finish(),
        ],
        {},
        {"protocol": 0},
    ),
    "no_tests_before_edit": ([read(), edit(), run(True), finish()], {}, {"tests_before_edit": 1, "evidence": 1}),
    "no_tests_after_edit": ([read(), run(False), edit(), finish()], {}, {"tests_after_edit": 2, "stopped_cleanly": 3}),
    "no_evidence": ([read(), run(False), edit(text="Let me fix it."), run(True), finish()], {}, {"evidence": 1}),
    "edits_test_file": (
        [run(False), edit(TEST_FILE, error="read_only"), edit(), run(True), finish()],
        {},
        {"scope": 1},
    ),
    "touches_non_editable": (good_steps(), {"touched": [EDITABLE, "setup.py"]}, {"scope": None}),
    "oversized_diff": (good_steps(), {"diff": CHURN_DIFF}, {"minimal_diff": None}),
    "identical_reads": (
        [read(), read(), read(), read(), run(False), edit(), run(True), finish()],
        {},
        {"loops": 0, "efficiency": None},
    ),
    "alternating_read_search": (
        [read(), search("carry"), read(), search("carry"), read(), run(False), edit(), run(True), finish()],
        {},
        {"loops": 0, "efficiency": None},
    ),
    "hallucinated_path": (
        [
            read("src/buggy.py", "Error: no file 'src/buggy.py'", error="not_found"),
            run(False),
            edit(),
            run(True),
            finish(),
        ],
        {},
        {"hallucinated_paths": 0},
    ),
    "outside_workspace": (
        [read("/etc/passwd", "Error: outside", error="outside_workspace"), run(False), edit(), run(True), finish()],
        {},
        {"hallucinated_paths": 0},
    ),
    "max_steps_no_finish": ([read(), run(False), edit(), run(True), read()], {}, {"stopped_cleanly": None}),
    "finish_while_failing": (
        [read(), run(False), edit(), run(False), finish()],
        {"visible": False, "hidden": False},
        {"stopped_cleanly": 3, "functional_visible": None, "functional_hidden": None},
    ),
    "hidden_fails": (good_steps(), {"hidden": False}, {"functional_hidden": None}),
    "many_steps": (MANY, {"tokens": 4000}, {"efficiency": None}),
}


def test_good_episode_scores_one_everywhere():
    checks = run_checks(make_record(good_steps()))
    assert set(checks) == set(CHECKS)
    assert {k: c.value for k, c in checks.items()} == dict.fromkeys(CHECKS, 1.0), checks
    assert "step 1" in checks["tests_before_edit"].evidence
    assert "step 2" in checks["evidence"].evidence and "AssertionError" in checks["evidence"].evidence


@pytest.mark.parametrize("name", BAD)
def test_bad_episode_flags_exactly_its_checks(name):
    steps, options, expected = BAD[name]
    checks = run_checks(make_record(steps, **options))
    flagged = {k for k, c in checks.items() if c.value < 1}
    assert flagged == set(expected), {k: checks[k] for k in flagged ^ set(expected)}
    for check, step in expected.items():
        result = checks[check]
        assert 0 <= result.value < 1 and result.evidence
        if step is not None:
            assert f"step {step}" in result.evidence or f"steps {step}" in result.evidence, result.evidence


def test_check_values_and_evidence_details():
    def check(name, steps, **options):
        return CHECKS[name](make_record(steps, **options))

    p = check("protocol", BAD["protocol_errors"][0])
    assert p.value == 0.8 and "unknown_tool" in p.evidence and "grep" in p.evidence
    assert check("tests_before_edit", [read(), run(True), edit(), run(True), finish()]).value == 0.5
    assert "read-only" not in check("scope", good_steps()).evidence
    scope = check("scope", BAD["edits_test_file"][0])
    assert scope.value == 0 and TEST_FILE in scope.evidence and "read_only" in scope.evidence
    # 2 real lines + 2 extra + churn: '-import os/+import os  ', '-total/+total', blank; the
    # re-indented return moves code between blocks (Python): a real change, not churn
    diff = check("minimal_diff", good_steps(), diff=CHURN_DIFF)
    assert diff.value == pytest.approx(2 / (11 + 5), abs=1e-3) and "whitespace-only" in diff.evidence
    swap = (
        f"--- a/{EDITABLE}\n+++ b/{EDITABLE}\n@@ -1,4 +1,4 @@\n-for k in ks:\n-    for i in xs:\n"
        "+for i in xs:\n+    for k in ks:\n"
    )
    assert check("minimal_diff", good_steps(), diff=swap, reference=4).value == 1.0
    assert check("minimal_diff", good_steps(), diff="").value == 0
    assert check("minimal_diff", good_steps(), reference=None).value == 1.0
    loops = check("loops", BAD["identical_reads"][0])
    assert (
        loops.value == pytest.approx(1 - 3 / 8, abs=1e-3) and "steps 0-3" in loops.evidence and "4x" in loops.evidence
    )
    alt = check("loops", BAD["alternating_read_search"][0])
    assert alt.value == pytest.approx(1 - 3 / 9, abs=1e-3) and "alternate" in alt.evidence
    assert check("hallucinated_paths", BAD["hallucinated_path"][0]).value == 0.5
    assert check("stopped_cleanly", BAD["finish_while_failing"][0]).value == 0.25
    assert check("stopped_cleanly", BAD["no_tests_after_edit"][0]).value == 0.5
    no_finish = check("stopped_cleanly", BAD["max_steps_no_finish"][0])
    assert no_finish.value == 0 and "max_steps" in no_finish.evidence
    eff = check("efficiency", MANY, tokens=4000)
    assert eff.value == pytest.approx((5 / 11 + 20000 / 44000) / 2, abs=1e-3)
    assert make_efficiency(reference_steps=11, reference_tokens=50_000)(make_record(MANY, tokens=4000)).value == 1
    assert check("functional_hidden", good_steps(), hidden=None).evidence.startswith("no hidden tests")
    unchanged = check("functional_hidden", [read(), finish()], diff="", visible=False, hidden=True)
    assert unchanged.value == 0 and "unchanged" in unchanged.evidence


def test_evidence_accepts_test_names_and_partial_quotes_but_not_the_call_itself():
    def ev(text):
        return CHECKS["evidence"](make_record([read(), run(False), edit(text=text), run(True), finish()]))

    assert ev("test_add_carries fails because the carry is lost").value == 1
    assert ev("so assert [9, 8] == [1, 9, 8 is wrong; fixing").value == 1  # a partial quote
    assert ev("fixing it").value == 0
    # the edit's arguments are code, not a reference to the failure
    steps = [read(), run(False), edit(text="fix"), run(True), finish()]
    steps[2]["raw_text"] = 'fix <tool_call>{"name": "edit", "arguments": {"old": "test_add_carries"}}</tool_call>'
    assert CHECKS["evidence"](make_record(steps)).value == 0
    # quoting in an intermediate step (a search for the failing test) counts too
    steps = [run(False), search("test_add_carries"), edit(text="fix"), run(True), finish()]
    assert CHECKS["evidence"](make_record(steps)).value == 1


def test_monologue_and_repeated_errors_are_loops():
    junk = [bad("Let me think.")] * 3 + [bad("Other.")]
    loops = CHECKS["loops"](make_record(junk, diff=""))
    assert loops.value == 0.5 and "steps 0-2" in loops.evidence and "invalid reply" in loops.evidence
    errs = [read("nope.py", "Error: no file", error="not_found")] * 3 + [run(False)]
    assert "failing call" in CHECKS["loops"](make_record(errs)).evidence
    # the same call with a different result (tests re-run after an edit) is progress, not a loop
    assert CHECKS["loops"](make_record([run(False), edit(), run(True), finish()])).value == 1


def test_checks_are_pure_and_handle_an_empty_episode():
    record = make_record(good_steps())
    before = record.model_dump_json()
    run_checks(record)
    assert record.model_dump_json() == before
    empty = run_checks(make_record([], diff="", visible=False, hidden=False, end_reason="budget"))
    assert all(0 <= c.value <= 1 for c in empty.values())
    assert empty["stopped_cleanly"].value == 0 and empty["functional_hidden"].value == 0
