"""The agent's tools on a real task workspace: confinement, read-only tests, exact edits, tests
run through the sandboxed runner, and the episode bookkeeping around them."""

import os

import pytest

from agentpref.agent.episode import Episode, NativeCall, PolicyOutput
from agentpref.agent.protocol import Action
from agentpref.agent.tools import Workspace

TASK = "builtin/anagram_groups/min_size_exclusive"
BUGGY = "if len(group) > min_size]"
FIXED = "if len(group) >= min_size]"


@pytest.fixture
def ws(builtin_tasks, fork_runner, tmp_path):
    return Workspace(builtin_tasks[TASK], tmp_path / "ws", fork_runner)


def do(ws, name, **arguments):
    return ws.execute(Action(name=name, arguments=arguments))


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.py", "tests/../../x.py", "a\\b.py"])
@pytest.mark.reliability
def test_paths_outside_the_workspace_are_refused(ws, path):
    for tool, extra in [("read_file", {}), ("list_files", {}), ("write_file", {"content": "x"})]:
        obs = do(ws, tool, path=path, **extra)
        assert not obs.ok and obs.error == "outside_workspace", (tool, obs.text)


@pytest.mark.reliability
def test_symlink_out_of_the_workspace_is_refused(ws, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("token")
    os.symlink(secret, ws.root / "link.txt")
    obs = do(ws, "read_file", path="link.txt")
    assert obs.error == "outside_workspace" and "token" not in obs.text


@pytest.mark.reliability
def test_tests_and_other_files_are_read_only(ws):
    before = (ws.root / "tests/test_anagram_groups.py").read_text()
    for tool, args in [("edit", {"old": "def", "new": "xx"}), ("write_file", {"content": ""})]:
        obs = do(ws, tool, path="tests/test_anagram_groups.py", **args)
        assert obs.error == "read_only" and "anagram_groups.py" in obs.text
    assert do(ws, "write_file", path="new_module.py", content="x = 1").error == "read_only"
    assert (ws.root / "tests/test_anagram_groups.py").read_text() == before
    assert not (ws.root / "new_module.py").exists()


def test_missing_files_are_reported_as_not_found(ws):
    for tool in ("read_file", "list_files", "search"):
        args = {"pattern": "x"} if tool == "search" else {}
        obs = do(ws, tool, path="src/nothing_here.py", **args)
        assert obs.error == "not_found", tool


def test_read_file_line_ranges(ws):
    full = (ws.root / "anagram_groups.py").read_text().splitlines()
    obs = do(ws, "read_file", path="anagram_groups.py", start_line=4, end_line=6)
    assert obs.text.splitlines()[0] == f"anagram_groups.py (lines 4-6 of {len(full)})"
    assert obs.text.splitlines()[1:] == full[3:6]
    assert do(ws, "read_file", path="anagram_groups.py", start_line=999).error == "bad_target"
    assert do(ws, "read_file", path="anagram_groups.py", start_line=5, end_line=2).error == "bad_target"
    assert do(ws, "read_file", path="tests").error == "not_a_file"


def test_list_files_and_search(ws):
    listing = do(ws, "list_files").text.splitlines()
    assert listing == ["anagram_groups.py  (editable)", "tests/test_anagram_groups.py"]
    hits = do(ws, "search", pattern="min_size]").text
    assert hits.startswith("anagram_groups.py:") and BUGGY in hits
    assert do(ws, "search", pattern="def (group|largest)_", regex=True).text.count("anagram_groups.py:") == 2
    assert do(ws, "search", pattern="(", regex=True).error == "bad_pattern"
    assert "no matches" in do(ws, "search", pattern="zzzz").text


def test_edit_is_exact_and_unique(ws):
    assert do(ws, "edit", path="anagram_groups.py", old="min_size]x", new="y").error == "no_match"
    obs = do(ws, "edit", path="anagram_groups.py", old="return", new="return ")
    assert obs.error == "ambiguous" and "occurs" in obs.text
    assert do(ws, "edit", path="anagram_groups.py", old=BUGGY, new=BUGGY).error == "no_change"
    obs = do(ws, "edit", path="anagram_groups.py", old=BUGGY, new=FIXED)
    assert obs.ok and obs.text.startswith("Edited anagram_groups.py: replaced line ")
    assert FIXED in (ws.root / "anagram_groups.py").read_text()
    assert ws.touched == ["anagram_groups.py"]
    assert ws.diff().count("\n-") == 1 and f"+{' ' * 4}return" in ws.diff()


def test_run_tests_shows_failures_then_passes(ws):
    obs = do(ws, "run_tests")
    assert obs.ok and obs.tests is not None and not obs.tests.all_passed
    assert "failed" in obs.text.splitlines()[0] and "AssertionError" in obs.text
    assert all(f.startswith("tests/test_anagram_groups.py::") for f in obs.tests.failing)
    one = obs.tests.failing[0]
    assert do(ws, "run_tests", targets=[one]).tests.counts == {"failed": 1}
    assert do(ws, "run_tests", targets=["tests/hidden_or_made_up.py"]).error == "bad_target"
    do(ws, "edit", path="anagram_groups.py", old=BUGGY, new=FIXED)
    obs = do(ws, "run_tests")
    assert obs.tests.all_passed and obs.text.startswith("All ") and obs.text.endswith("tests passed.")


@pytest.mark.reliability
def test_observations_are_truncated(builtin_tasks, fork_runner, tmp_path):
    ws = Workspace(builtin_tasks[TASK], tmp_path / "ws", fork_runner, observation_limit=300)
    obs = do(ws, "read_file", path="anagram_groups.py")
    assert len(obs.text) < 400 and "characters cut" in obs.text


def test_episode_records_steps_and_grades(builtin_tasks, fork_runner, tmp_path, agent_config):
    ws = Workspace(builtin_tasks[TASK], tmp_path / "ws", fork_runner)
    ep = Episode(ws, sample_index=0, seed=1, agent=agent_config, mode="text_prompt")
    assert '"name": "edit"' in ep.messages[0]["content"]  # schemas rendered into the prompt
    assert (
        "Reported problem:" in ep.messages[1]["content"]
        and "anagram_groups.py  (editable)" in ep.messages[1]["content"]
    )
    ep.apply(PolicyOutput(text="I think the bug is in the comparison.", completion_tokens=9))
    edit = Action(name="edit", arguments={"path": "anagram_groups.py", "old": BUGGY, "new": FIXED})
    ep.apply(PolicyOutput(text=edit.render()))
    ep.apply(PolicyOutput(text=Action(name="finish", arguments={"summary": "fixed"}).render()))
    assert ep.end_reason == "finished"
    assert [m["role"] for m in ep.messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
    ]
    first, second, _ = ep.steps
    assert first.protocol_error.kind == "no_tool_call" and first.completion_tokens == 9
    assert second.edited == "anagram_groups.py" and second.tool_ok
    final = ep.grade()
    assert final.resolved and final.visible.all_passed and final.hidden.all_passed
    assert final.files_touched == ["anagram_groups.py"]


def test_episode_stops_at_max_steps_and_on_policy_errors(builtin_tasks, fork_runner, tmp_path, agent_config):
    agent = agent_config.model_copy(update={"max_steps": 2})
    ws = Workspace(builtin_tasks[TASK], tmp_path / "ws", fork_runner)
    ep = Episode(ws, sample_index=0, seed=1, agent=agent, mode="native")
    assert '"name": "edit"' not in ep.messages[0]["content"]  # native: schemas go in tools=
    ep.apply(PolicyOutput(text="hm", native_calls=[NativeCall(name="list_files", arguments="{}", call_id="a")]))
    assert ep.steps[0].raw_text == 'hm\n<tool_call>{"name": "list_files", "arguments": {"path": "."}}</tool_call>'
    ep.apply(PolicyOutput(native_calls=[]))
    assert ep.end_reason == "max_steps" and ep.steps[1].protocol_error.kind == "no_tool_call"
    ep2 = Episode(ws, sample_index=1, seed=1, agent=agent, mode="native")
    ep2.apply(PolicyOutput(error="HTTP 500 after 5 retries"))
    assert ep2.end_reason == "policy_error" and ep2.policy_error and not ep2.steps
