"""The privileged oracle: minimal hunks, a disciplined episode shape, and the harness self-test
(every valid task ends with all visible and hidden tests passing), on every task source."""

import pytest

from agentpref.agent.generation import run_generation
from agentpref.agent.policies.oracle import minimal_hunk
from agentpref.agent.record import read_rollouts
from agentpref.agent.tools import changed_lines

SRC = "def f(x):\n    y = x + 1\n    return y\n\n\ndef g(x):\n    y = x + 1\n    return y * 2\n"


def test_minimal_hunk_grows_context_until_unique():
    target = SRC.replace("    return y * 2", "    return y * 3")
    assert minimal_hunk(SRC, target) == ("    return y * 2\n", "    return y * 3\n")
    # the changed line occurs twice: context is added until the old text is unique
    target = SRC.replace("def g(x):\n    y = x + 1", "def g(x):\n    y = x - 1")
    old, new = minimal_hunk(SRC, target)
    assert SRC.count(old) == 1 and SRC.replace(old, new) == target and "def g" in old
    assert minimal_hunk(SRC, SRC) is None


@pytest.mark.parametrize(
    "change",
    [
        ("    return y\n\n\n", "    return y\n\n\nZ = 1\n\n"),
        ("    y = x + 1\n    return y * 2", "    return (x + 1) * 2"),
    ],
)
def test_minimal_hunk_handles_insertions_and_deletions(change):
    target = SRC.replace(*change, 1)
    old, new = minimal_hunk(SRC, target)
    assert SRC.count(old) == 1 and SRC.replace(old, new, 1) == target


def _run_oracle(generate_config, tmp_path, *overrides):
    cfg = generate_config("backend=oracle", *overrides, run_dir=tmp_path / "run")
    summary = run_generation(cfg)
    return summary, read_rollouts(tmp_path / "run" / "rollouts.jsonl")


def _with_mistake(generate_config, tmp_path, kind, *overrides):
    """The oracle's records on 8 train tasks, every episode planned with the mistake ``kind``."""
    return _run_oracle(
        generate_config,
        tmp_path,
        "tasks.split=train",
        "tasks.limit=8",
        "agent=compact",
        "backend.perturb_rate=1.0",
        f"backend.perturb_kinds=[{kind}]",
        *overrides,
    )[1]


def test_oracle_plays_a_disciplined_privileged_episode(generate_config, tmp_path):
    summary, records = _run_oracle(generate_config, tmp_path, "tasks.programs=[anagram_groups,bank_account]")
    assert summary.episodes == len(records) == 4 and summary.pass_rate == 1.0
    for r in records:
        assert r.policy.privileged and r.policy.backend == "oracle" and r.end_reason == "finished"
        names = [s.action.name for s in r.steps]
        assert names[:2] == ["read_file", "run_tests"] and names[-2:] == ["run_tests", "finish"]
        assert set(names[2:-2]) == {"edit"} and r.protocol_errors == 0
        before, after = r.steps[1].tests, r.steps[-2].tests
        assert not before.all_passed and after.all_passed
        assert r.final.resolved and r.final.hidden.all_passed
        quote = r.steps[2].raw_text.splitlines()[0]
        assert quote.startswith("The tests fail with: ") and len(quote) > 25
        # minimal: the oracle's diff is exactly the reference fix's
        assert r.reference_diff_lines and changed_lines(r.final.diff) == r.reference_diff_lines
        assert r.task_editable == [r.steps[0].action.arguments["path"]]


def test_oracle_on_quixbugs_and_bugsinpy_checkouts(generate_config, tmp_path):
    s1, r1 = _run_oracle(
        generate_config, tmp_path / "q", "tasks=quixbugs", "tasks.root=tests/fixtures/quixbugs_mini/clone"
    )
    s2, r2 = _run_oracle(generate_config, tmp_path / "b", "tasks=bugsinpy", "tasks.root=tests/fixtures/bugsinpy_mini")
    assert s1.episodes >= 3 and s1.pass_rate == 1.0
    assert s2.episodes == 2 and s2.pass_rate == 1.0, [r.final for r in r2]


@pytest.mark.slow
def test_oracle_solves_every_builtin_task(run_cli, tmp_path):
    """The Done-when command itself: python generate.py backend=oracle tasks=builtin."""
    r = run_cli("generate.py", "backend=oracle", "tasks=builtin", "logger=none", f"run_dir={tmp_path}/run")
    assert r.returncode == 0, r.stderr[-2000:]
    import json

    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["episodes"] == summary["resolved"] == 132 and summary["stop_reason"] == "completed"


@pytest.mark.parametrize("fmt", ["json", "block", "lines"])
def test_oracle_recovers_from_each_planned_mistake_in_every_edit_format(generate_config, tmp_path, fmt):
    """Recovery demonstrations: one deliberate mistake per episode (perturb_rate=1), marked
    perturbed, then the oracle's recovery; every episode still ends resolved and finished."""
    summary, records = _run_oracle(
        generate_config,
        tmp_path,
        "tasks.split=train",
        "tasks.limit=16",
        "agent=compact",
        f"agent.edit_format={fmt}",
        "backend.perturb_rate=1.0",
        "backend.perturb_kinds=[malformed_call,wrong_path,stale_edit,wrong_edit]",
    )
    assert summary.pass_rate == 1.0 and all(r.end_reason == "finished" for r in records)
    seen = set()
    for r in records:
        perturbed = [s for s in r.steps if s.perturbed]
        assert len(perturbed) <= 1
        if not perturbed:
            continue
        p = perturbed[0]
        seen.add(p.protocol_error.kind if p.protocol_error else p.tool_error or "applied_wrong_edit")
        after = r.steps[p.index + 1]
        assert not after.perturbed and after.protocol_error is None and after.tool_ok
        assert after.raw_text.split("\n")[0] in {
            "My last reply was not a valid tool call. Here it is again, complete.",
            "That path does not exist. I'll use a file from the workspace listing.",
            "That edit did not apply. Let me read those lines again before editing.",
            "Let me run the tests to check that edit.",
        }
        # no mistake is ever repeated: every later turn is a valid call that worked
        assert all(s.protocol_error is None and s.tool_ok for s in r.steps[p.index + 1 :])
    assert len(seen) >= 3, seen
    assert {"unclosed_tool_call", "not_found"} <= seen or {"invalid_json", "not_found"} <= seen


def test_recovery_demos_train_only_their_unperturbed_turns(generate_config, compose_config, tmp_path):
    from agentpref.data.build import BuildDataConfig, build_data

    _run_oracle(
        generate_config, tmp_path, "tasks.split=train", "tasks.limit=12", "agent=compact", "backend.perturb_rate=0.5"
    )
    cfg = compose_config(
        "build_data",
        BuildDataConfig,
        f"runs=[{tmp_path}/run]",
        "trajectory_pairs.enabled=false",
        "agent=compact",
        "sft.max_per_task=1",
        run_dir=str(tmp_path / "data"),
    )
    stats = build_data(cfg)
    import json

    rows = [json.loads(line) for line in (tmp_path / "data" / "sft.jsonl").read_text().splitlines()]
    assert stats.sft.examples == len(rows) == 12
    recovery = [r for r in rows if r["metadata"]["perturbed_steps"]]
    assert recovery and all("loss_mask" not in r for r in rows if not r["metadata"]["perturbed_steps"])
    for row in recovery:
        mask, messages = row["loss_mask"], row["messages"]
        assert len(mask) == len(messages)
        masked = [m for m, k in zip(messages, mask) if m["role"] == "assistant" and not k]
        assert len(masked) == row["metadata"]["perturbed_steps"] == 1
        assert not any(k for m, k in zip(messages, mask) if m["role"] != "assistant")


def test_stuck_demonstrations_stop_cleanly_after_a_checked_edit(generate_config, compose_config, tmp_path):
    """``stuck``: a wrong edit (masked), the failing test run, then a finish that says the tests
    still fail; build_data keeps it (finished, unresolved) with the edit masked."""
    from agentpref.data.build import BuildDataConfig, build_data

    records = _with_mistake(generate_config, tmp_path, "stuck")
    stuck = [r for r in records if r.perturbed_steps and r.steps[-1].action.arguments["summary"].startswith("Not")]
    assert len(stuck) >= 5
    for r in stuck:
        names = [s.action.name for s in r.steps]
        assert names[-3:] == ["edit", "run_tests", "finish"] and [s.perturbed for s in r.steps[-3:]] == [
            True,
            False,
            False,
        ]
        assert r.steps[-3].edited and not r.steps[-2].tests.all_passed and r.end_reason == "finished"
        assert r.steps[-1].action.arguments["summary"].startswith("Not fixed: ") and not r.final.resolved
    cfg = compose_config(
        "build_data",
        BuildDataConfig,
        f"runs=[{tmp_path}/run]",
        "trajectory_pairs.enabled=false",
        "agent=compact",
        run_dir=str(tmp_path / "data"),
    )
    build_data(cfg)
    import json

    rows = [json.loads(line) for line in (tmp_path / "data" / "sft.jsonl").read_text().splitlines()]
    kept = [r for r in rows if r["metadata"]["perturbed_steps"] and not r["metadata"]["resolved"]]
    assert len(kept) == len(stuck)
    assert all(
        sum(1 for m, k in zip(r["messages"], r["loss_mask"]) if m["role"] == "assistant" and not k) == 1 for r in kept
    )


def test_explain_fix_off_names_the_line_but_not_the_code(generate_config, tmp_path):
    _, records = _run_oracle(generate_config, tmp_path, "tasks.programs=[anagram_groups]", "backend.explain_fix=false")
    edits = [s for r in records for s in r.steps if s.action.name == "edit"]
    assert edits and all(r.final.resolved for r in records)
    for s in edits:
        said = s.raw_text.split("<tool_call>")[0]
        assert said.startswith("The tests fail with: ") and "near line" in said and "should be" not in said


@pytest.mark.parametrize("edit_format", ["lines", "json"])
def test_quote_line_copies_the_replaced_lines_as_read_file_shows_them(generate_config, tmp_path, edit_format):
    _, records = _run_oracle(
        generate_config,
        tmp_path,
        "tasks.split=train",
        "tasks.limit=6",
        "agent=compact",
        f"agent.edit_format={edit_format}",
        "backend.quote_line=true",
        "backend.perturb_rate=1.0",
        "backend.perturb_kinds=[wrong_edit,wrong_place]",
    )
    assert all(r.final.resolved for r in records) and records[0].policy.sampling["quote_line"]
    quoted = 0
    for r in records:
        shown = set()  # every line the episode has seen so far
        for s in r.steps:
            if s.action is not None and s.action.name == "edit" and "The cause is in" in s.raw_text:
                said = s.raw_text.split("<tool_call>")[0].splitlines()
                quote = said[2:-1]
                assert said[-1] == "I'll make the minimal edit there." and quote and all(q in shown for q in quote)
                if "start_line" in s.action.arguments:
                    assert quote[0].startswith(f"{s.action.arguments['start_line']}| ")
                else:  # json edits: read_file shows no line numbers
                    assert "\n".join(quote) == s.action.arguments["old"].rstrip("\n")
                quoted += 1
            shown |= set((s.observation or "").splitlines())
            if s.edited and "old" in s.action.arguments:  # json edits show no lines: the model wrote them
                shown |= set(s.action.arguments["new"].splitlines())
    assert quoted >= 2 * len(records)  # the wrong edit and the fix both quote


def test_narrate_off_turns_are_the_call_alone(generate_config, tmp_path):
    _, records = _run_oracle(
        generate_config,
        tmp_path,
        "tasks.programs=[anagram_groups]",
        "backend.narrate=false",
        "backend.perturb_rate=1.0",
        "agent=compact",
    )
    assert all(r.end_reason == "finished" for r in records)
    for r in records:
        for s in r.steps:
            assert s.raw_text.startswith("<tool_call>"), s.raw_text[:80]


def test_stuck_repeat_puts_the_same_edit_again_before_the_finish(generate_config, tmp_path):
    records = _with_mistake(generate_config, tmp_path, "stuck_repeat")
    stuck = [r for r in records if r.perturbed_steps == 2]
    assert len(stuck) >= 5
    for r in stuck:
        assert [s.action.name for s in r.steps[-4:]] == ["edit", "run_tests", "edit", "finish"]
        assert [s.perturbed for s in r.steps[-4:]] == [True, False, True, False]
        assert r.steps[-2].raw_text == r.steps[-4].raw_text and r.steps[-2].tool_error == "no_change"
        assert r.steps[-1].raw_text.startswith("Repeating that edit changes nothing") and not r.final.resolved


@pytest.mark.parametrize("edit_format", ["lines", "json"])
def test_wrong_place_is_undone_then_fixed(generate_config, tmp_path, edit_format):
    """``wrong_place``: an edit to a code line away from the bug (masked), the failing test run, an
    edit that restores that line (a different edit, not a repeat), the fix, and a resolved task."""
    records = _with_mistake(generate_config, tmp_path, "wrong_place", f"agent.edit_format={edit_format}")
    placed = [r for r in records if r.perturbed_steps]
    assert len(placed) >= 5
    for r in placed:
        names = [s.action.name for s in r.steps]
        wrong = next(i for i, s in enumerate(r.steps) if s.perturbed)
        assert names[wrong : wrong + 2] == ["edit", "run_tests"] and r.steps[wrong].edited
        assert not r.steps[wrong + 1].tests.all_passed
        edits = [s for s in r.steps[wrong + 2 :] if s.action.name == "edit"]
        assert len(edits) == 2 and all(s.tool_ok for s in edits)
        assert all(s.raw_text != r.steps[wrong].raw_text for s in edits)
        assert any("I'll undo it" in s.raw_text for s in edits), [s.raw_text for s in r.steps]
        assert r.final.resolved and r.end_reason == "finished"


@pytest.mark.parametrize("edit_format", ["lines", "json"])
def test_bad_indent_crashes_the_run_then_the_fix_is_indented_right(generate_config, tmp_path, edit_format):
    """``bad_indent``: the fix indented too deep (masked, it applies), a test run that crashes on
    an IndentationError the next turn quotes, the same fix indented right, and a resolved task."""
    records = _with_mistake(generate_config, tmp_path, "bad_indent", f"agent.edit_format={edit_format}")
    broken = [r for r in records if r.perturbed_steps]
    assert len(broken) >= 4
    for r in broken:
        bad = next(i for i, s in enumerate(r.steps) if s.perturbed)
        assert [s.action.name for s in r.steps[bad : bad + 3]] == ["edit", "run_tests", "edit"]
        assert r.steps[bad].tool_ok and r.steps[bad + 1].tests.crashed
        crash = r.steps[bad + 1].observation
        assert "IndentationError" in crash and "/site-packages/" not in crash and "<frozen" not in crash
        assert "IndentationError" in r.steps[bad + 2].raw_text and r.steps[bad + 2].tool_ok
        assert r.final.resolved and r.end_reason == "finished"
