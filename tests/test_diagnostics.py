"""Agent diagnostics: edit/localisation/recovery/end-reason metrics from hand-made records, the
diagnostics block of summary.json and its W&B keys, and ``localized`` on a real workspace."""

import time

import pytest

from agentpref.agent.episode import Episode, PolicyOutput
from agentpref.agent.protocol import Action, ProtocolError
from agentpref.agent.record import Cost, FinalState, PolicyInfo, RolloutRecord, StepRecord
from agentpref.agent.tools import TestSummary, Workspace, touched_lines
from agentpref.evaluation.diagnostics import by_turn_table, diagnostics, wandb_scalars
from agentpref.evaluation.metrics import catalogue, task_components
from agentpref.evaluation.stats import ratio
from agentpref.scoring.checks import run_checks

TASK = "builtin/anagram_groups/min_size_exclusive"
FILE = "anagram_groups.py"
BUGGY = "if len(group) > min_size]"
FIXED = "if len(group) >= min_size]"


# ---- hand-made records -----------------------------------------------------------------------
def ok(name: str, localized: bool | None = None, **args) -> dict:
    step = {"action": Action(name=name, arguments=args), "observation": "ok", "tool_ok": True}
    if name in ("edit", "write_file"):
        step |= {"edited": "a.py", "localized": localized}
    return step


def failed(name: str, error: str, **args) -> dict:
    return {
        "action": Action(name=name, arguments=args),
        "observation": f"Error: {error}",
        "tool_ok": False,
        "tool_error": error,
    }


def bad(kind: str) -> dict:
    return {"protocol_error": ProtocolError(kind=kind, message=kind), "observation": "Protocol error"}


EDIT = {"path": "a.py", "old": "x", "new": "y"}
WRITE = {"path": "a.py", "content": "y"}


def record(task: str, sample: int, end_reason: str, steps: list[dict]) -> RolloutRecord:
    tests = TestSummary(targets=["t"], counts={"passed": 1}, all_passed=True)
    rec = RolloutRecord(
        run_id="r",
        task_id=task,
        task_source="builtin",
        task_program="p",
        split="heldout",
        sample_index=sample,
        seed=0,
        task_editable=["a.py"],
        policy=PolicyInfo(backend="test", model="hand"),
        prompt_hash="x",
        messages=[],
        steps=[StepRecord(index=i, raw_text="turn", **s) for i, s in enumerate(steps)],
        end_reason=end_reason,
        final=FinalState(diff="", files_touched=[], visible=tests, resolved=False),
        cost=Cost(),
        duration_s=1.0,
    )
    rec.checks, rec.score = run_checks(rec), 0.0
    return rec


def records() -> list[RolloutRecord]:
    return [
        # task a #0: both errors recovered; 3 valid edit calls, 2 applied, 1 of them localised
        record(
            "a",
            0,
            "finished",
            [
                bad("invalid_json"),
                ok("read_file", path="a.py"),
                failed("edit", "no_match", **EDIT),
                ok("edit", True, **EDIT),
                ok("edit", False, **EDIT),
                ok("finish", summary="done"),
            ],
        ),
        # task a #1: 4 errors, 1 recovered (a protocol error before another, a failed call before
        # a failed call, the last turn's error never)
        record(
            "a",
            1,
            "max_steps",
            [
                bad("no_tool_call"),
                bad("no_tool_call"),
                failed("write_file", "read_only", **WRITE),
                ok("write_file", True, **WRITE),
                failed("read_file", "not_found", path="b.py"),
            ],
        ),
        # task b #0: an applied edit from before ``localized`` existed (None: not judged)
        record("b", 0, "context_budget", [ok("edit", None, **EDIT), bad("bad_arguments")]),
        record("b", 1, "budget", [ok("read_file", path="a.py")]),
    ]


def test_metrics_from_hand_made_records():
    ids, comps = task_components(records(), [1])
    assert ids == ["a", "b"]
    expected = {  # metric: per-task (num, den) for tasks a, b
        "edit_apply_rate": ([3, 1], [5, 1]),
        "localization": ([2, 0], [3, 0]),
        "recovery_rate": ([3, 0], [6, 1]),
        "clean_stop_rate": ([1, 0], [2, 2]),
        "end/finished": ([1, 0], [2, 2]),
        "end/max_steps": ([1, 0], [2, 2]),
        "end/context_budget": ([0, 1], [2, 2]),
        "end/budget": ([0, 1], [2, 2]),
        "protocol_error_rate": ([3, 1], [11, 3]),
    }
    for name, (num, den) in expected.items():
        assert comps[name] == {"num": num, "den": den}, name
    values = {name: ratio(c["num"], c["den"]) for name, c in comps.items()}
    assert values["edit_apply_rate"] == pytest.approx(4 / 6)
    assert values["localization"] == pytest.approx(2 / 3)
    assert values["recovery_rate"] == pytest.approx(3 / 7)
    assert values["clean_stop_rate"] == values["end/finished"] == 0.25
    cat = catalogue([1])
    assert all(cat[m].description for m in expected)
    assert cat["end/finished"].higher_is_better and not cat["end/max_steps"].higher_is_better
    assert cat["recovery_rate"].higher_is_better and cat["localization"].fmt == "pct"


def test_diagnostics_block_and_wandb_keys():
    diag = diagnostics(records())
    assert diag["protocol_errors_by_turn"] == {
        "0": {"turns": 4, "protocol_errors": 2, "invalid_json": 1, "no_tool_call": 1},
        "1": {"turns": 3, "protocol_errors": 2, "bad_arguments": 1, "no_tool_call": 1},
        "2": {"turns": 2, "protocol_errors": 0},
        "3": {"turns": 2, "protocol_errors": 0},
        "4": {"turns": 2, "protocol_errors": 0},
        "5": {"turns": 1, "protocol_errors": 0},
    }
    assert list(diag["protocol_error_kinds"].items()) == [
        ("no_tool_call", 2),
        ("bad_arguments", 1),
        ("invalid_json", 1),
    ]  # most frequent first
    assert diag["tool_errors"] == {"no_match": 1, "not_found": 1, "read_only": 1}
    assert (
        diag["episodes"],
        diag["turns"],
        diag["edit_calls"],
        diag["edits_applied"],
        diag["edits_localized"],
        diag["error_turns"],
        diag["recovered"],
    ) == (4, 14, 6, 4, 2, 7, 3)
    assert diag["end_reasons"] == {"budget": 1, "context_budget": 1, "finished": 1, "max_steps": 1}

    flat = wandb_scalars(diag)
    assert flat["diag/edit_calls"] == 6 and flat["diag/protocol_error/no_tool_call"] == 2
    assert flat["diag/tool_error/no_match"] == 1 and flat["diag/end/finished"] == 1
    assert flat["diag/turn_1/protocol_error_rate"] == pytest.approx(2 / 3)
    columns, rows = by_turn_table(diag)
    assert columns[:4] == ["turn", "turns", "protocol_errors", "rate"] and len(rows) == 6
    assert rows[0][:4] == [0, 4, 2, 0.5] and rows[0][columns.index("invalid_json")] == 1
    assert wandb_scalars({}) == {} and by_turn_table({})[1] == []  # an older summary


def test_records_without_localized_still_load():
    step = ok("edit", None, **EDIT)
    data = StepRecord(index=0, raw_text="t", **step).model_dump()
    del data["localized"]
    assert StepRecord.model_validate(data).localized is None


# ---- localisation on a real workspace --------------------------------------------------------
def test_touched_lines():
    assert touched_lines(["a\n", "b\n", "c\n"], ["a\n", "B\n", "c\n"]) == {1}
    assert touched_lines(["a\n", "b\n"], ["a\n", "x\n", "b\n"]) == {0, 1}  # insertion: both sides
    assert touched_lines(["a\n", "b\n"], ["a\n"]) == {1}
    assert touched_lines(["a\n"], ["a\n"]) == set()


@pytest.fixture
def episode(builtin_tasks, fork_runner, tmp_path, agent_config):
    def make(name: str) -> Episode:
        ws = Workspace(builtin_tasks[TASK], tmp_path / name, fork_runner)
        return Episode(ws, sample_index=0, seed=0, agent=agent_config, mode="text_prompt")

    return make


def act(ep: Episode, name: str, **arguments) -> StepRecord:
    return ep.apply(PolicyOutput(text=Action(name=name, arguments=arguments).render()))


def test_edit_localized_on_a_real_workspace(episode):
    ep = episode("ws")
    source = (ep.workspace.root / FILE).read_text()
    header = '"""Find and group words that are anagrams of each other."""\n'
    setdefault = "        groups.setdefault(anagram_key(word, ignore_case), []).append(word)\n"
    assert source.count(header) == source.count(setdefault) == source.count("best = []") == 1

    assert act(ep, "read_file", path=FILE).localized is None  # not an edit
    assert act(ep, "edit", path=FILE, old="min_size]]", new="x").localized is None  # no_match: not applied
    shift = act(ep, "edit", path=FILE, old=header, new=header + "import os\nimport sys\n")
    assert shift.tool_ok and shift.localized is False  # elsewhere (and shifts lines)
    assert act(ep, "edit", path=FILE, old="best = []", new="best = list()").localized is False
    insert = act(ep, "edit", path=FILE, old=setdefault, new=setdefault + "    # min_size or more\n")
    assert insert.localized is True  # a pure insertion next to the buggy line
    fix = act(ep, "edit", path=FILE, old=BUGGY, new=FIXED)
    assert fix.edited == FILE and fix.localized is True  # the reference line, 3 lines further down now
    again = act(ep, "edit", path=FILE, old=FIXED, new=BUGGY)
    assert again.localized is False  # the file already matched the fix there

    fresh = episode("ws2")
    fixed = fresh.task.reference_fix[FILE]
    assert act(fresh, "write_file", path=FILE, content=source + "\n# end\n").localized is False
    assert act(fresh, "write_file", path=FILE, content=fixed).localized is True
    assert act(fresh, "write_file", path="tests/test_anagram_groups.py", content="").localized is None


def test_diagnostics_reach_wandb(tmp_path):
    """evaluate.py's W&B run carries the block's scalars and the by-turn table (offline run)."""

    from agentpref.evaluation.run import _log
    from agentpref.run_files import EvaluationSummary
    from agentpref.tracking import Tracker, WandbLogger

    recs = records()  # only the fields the logger reads; the rest of an evaluation is not needed here
    summary = EvaluationSummary.model_construct(
        method="hand", git_sha="x", metrics={}, diagnostics=diagnostics(recs), run_dir=str(tmp_path)
    )
    tracker = Tracker(WandbLogger(mode="offline", table_rows=0), tmp_path, {}, job_type="evaluate")
    _log(tracker, summary, recs)
    tracker.finish()
    assert list(tmp_path.glob("wandb/offline-run-*/files/media/table/protocol_errors_by_turn_*.table.json"))
    run_file, deadline = next(tmp_path.glob("wandb/offline-run-*/run-*.wandb")), time.monotonic() + 60
    while b"diag/edit_calls" not in run_file.read_bytes() and time.monotonic() < deadline:
        time.sleep(0.2)  # wandb's service writes the run file after finish() returns
    logged = run_file.read_bytes()
    assert b"diag/edit_calls" in logged and b"diag/turn_0/protocol_error_rate" in logged
