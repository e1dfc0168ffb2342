"""Edit formats (agent.edit_format) and the compact framing: every format's calls round-trip
through render and parse, hostile text in a call's body is a named protocol error, the line-range
edit and numbered read_file act on the workspace, and framings get distinct prompt hashes."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentpref.agent.config import AgentConfig
from agentpref.agent.episode import Episode, PolicyOutput, prompt_hash, system_message
from agentpref.agent.protocol import (
    DIVIDER,
    EDIT_FORMATS,
    REPLACE,
    SEARCH,
    Action,
    ProtocolError,
    parse_text_turn,
    protocol_error_observation,
    tool_signatures,
)
from agentpref.agent.tools import Workspace, fit_indent

TASK = "builtin/anagram_groups/min_size_exclusive"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
code_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


def edit_action(fmt: str, new: str, old: str = "x = 1\n") -> Action:
    if fmt == "lines":
        return Action(name="edit", arguments={"path": "a.py", "start_line": 2, "end_line": 3, "new": new})
    return Action(name="edit", arguments={"path": "a.py", "old": old, "new": new})


@pytest.mark.parametrize("fmt", EDIT_FORMATS)
def test_calls_of_every_format_round_trip(fmt):
    calls = [
        edit_action(fmt, '    return "a\\\\b" + x  # </code>\n    y = {1: 2}\n'),
        Action(name="write_file", arguments={"path": "a.py", "content": "print('hi')\n\nx = 1\n"}),
        Action(name="read_file", arguments={"path": "a.py", "start_line": 3}),
        Action(name="run_tests", arguments={}),
        Action(name="finish", arguments={"summary": "done"}),
    ]
    for action in calls:
        text = "I think so.\n" + action.render(fmt)
        assert parse_text_turn(text, fmt) == parse_text_turn(action.render(fmt), fmt)
        parsed = parse_text_turn(text, fmt)
        assert isinstance(parsed, Action) and parsed.name == action.name
        assert parsed.arguments | {} == {k: v for k, v in parsed.arguments.items()}
        for key, value in action.arguments.items():
            assert parsed.arguments[key] == value, (fmt, key)
    if fmt != "json":  # code travels outside the JSON: no escaped newlines or quotes
        body = edit_action(fmt, 'say("hi")\n').render(fmt)
        assert 'say("hi")' in body and "\\n" not in body.split("}}", 1)[1]


@pytest.mark.parametrize("fmt", ["block", "lines"])
@pytest.mark.parametrize("new", ["", "x\n", "\n", "  a\n\n  b\n"])
def test_body_edge_cases_round_trip(fmt, new):
    action = edit_action(fmt, new, old="q = 0\n")
    parsed = parse_text_turn(action.render(fmt), fmt)
    assert isinstance(parsed, Action) and parsed.arguments["new"] == new


@pytest.mark.parametrize(
    ("fmt", "text", "says"),
    [
        ("block", '<tool_call>{"name": "edit", "arguments": {"path": "a.py"}}\nold\nnew\n</tool_call>', SEARCH),
        (
            "block",
            f'<tool_call>{{"name": "edit", "arguments": {{"path": "a.py"}}}}\n{SEARCH}\nx\n{REPLACE}\n'
            f"{DIVIDER}\ny\n</tool_call>",
            "in the order",
        ),
        (
            "block",
            f'<tool_call>{{"name": "edit", "arguments": {{"path": "a.py"}}}}\n{SEARCH}\n{DIVIDER}\ny\n'
            f"{REPLACE}\n</tool_call>",
            "argument 'old'",
        ),
        ("lines", '<tool_call>{"name": "run_tests", "arguments": {}}\nprint(1)\n</tool_call>', "take a body"),
        (
            "lines",
            '<tool_call>{"name": "edit", "arguments": {"path": "a.py", "start_line": 2}}\nx\n</tool_call>',
            "end_line",
        ),
        (
            "lines",
            '<tool_call>{"name": "edit", "arguments": {"path": "a.py", "start_line": 1, "end_line": 1}} x = 2'
            "\n</tool_call>",
            "new line",
        ),
        (
            "lines",
            '<tool_call>{"name": "edit", "arguments": {"path": "a.py", "start_line": 1, "end_line": 1}',
            "closed",
        ),
        ("json", edit_action("lines", "x\n").render("lines"), "not valid JSON"),
    ],
)
@pytest.mark.reliability
def test_malformed_bodies_are_named_protocol_errors(fmt, text, says):
    error = parse_text_turn(text, fmt)
    assert isinstance(error, ProtocolError) and says in error.message, error


@FUZZ
@given(body=st.text(max_size=300), fmt=st.sampled_from(["block", "lines"]))
@pytest.mark.reliability
def test_any_body_parses_to_an_action_or_a_protocol_error(body, fmt):
    for name, args in (
        ("edit", {"path": "a.py"}),
        ("edit", {"path": "a.py", "start_line": 1, "end_line": 2}),
        ("write_file", {"path": "a.py"}),
        ("finish", {"summary": "x"}),
    ):
        text = f"<tool_call>{json.dumps({'name': name, 'arguments': args})}\n{body}</tool_call>"
        result = parse_text_turn(text, fmt)
        assert isinstance(result, (Action, ProtocolError))
        if isinstance(result, ProtocolError):
            assert len(result.message) <= 500


@FUZZ
@given(new=code_text, fmt=st.sampled_from(EDIT_FORMATS))
def test_any_code_survives_the_round_trip(new, fmt):
    action = edit_action(fmt, new if new.endswith("\n") or not new else new + "\n")
    parsed = parse_text_turn(action.render(fmt), fmt)
    if "</tool_call>" in new or (fmt == "block" and any(m in new.splitlines() for m in (SEARCH, DIVIDER, REPLACE))):
        return  # code that contains the protocol's own markers cannot travel in a body
    assert isinstance(parsed, Action) and parsed.arguments["new"] == action.arguments["new"]


@pytest.fixture
def workspace(builtin_tasks, fork_runner, tmp_path):
    return Workspace(builtin_tasks[TASK], tmp_path / "ws", fork_runner, line_numbers=True)


def test_numbered_read_and_line_range_edit(workspace):
    path = sorted(workspace.editable)[0]
    original = (workspace.root / path).read_text().splitlines(keepends=True)
    shown = workspace.execute(Action(name="read_file", arguments={"path": path, "start_line": 2, "end_line": 4}))
    assert shown.text.splitlines()[1:] == [f"{n}| {original[n - 1].rstrip(chr(10))}" for n in (2, 3, 4)]
    obs = workspace.execute(
        Action(name="edit", arguments={"path": path, "start_line": 3, "end_line": 4, "new": "X = 1"})
    )
    assert obs.ok and "replaced lines 3-4 with 1 line" in obs.text and "3| X = 1" in obs.text
    after = (workspace.root / path).read_text().splitlines(keepends=True)
    assert after == original[:2] + ["X = 1\n"] + original[4:]
    for args, kind in [
        ({"start_line": 5, "end_line": 4}, "bad_target"),
        ({"start_line": 1, "end_line": 10_000}, "bad_target"),
        ({"start_line": 3, "end_line": 3, "new": "X = 1\n"}, "no_change"),
    ]:
        obs = workspace.execute(Action(name="edit", arguments={"path": path, "new": "y\n"} | args))
        assert not obs.ok and obs.error == kind
    obs = workspace.execute(
        Action(
            name="edit",
            arguments={"path": "tests/test_anagram_groups.py", "start_line": 1, "end_line": 1, "new": "x\n"},
        )
    )
    assert obs.error == "read_only"


def test_framings_have_their_own_prompt_hashes(agent_config):
    compact = AgentConfig(**(agent_config.model_dump() | {"tool_spec": "signatures", "edit_format": "lines"}))
    hashes = set()
    for agent in (
        agent_config,
        compact,
        compact.model_copy(update={"edit_format": "block"}),
        compact.model_copy(update={"line_numbers": False}),
    ):
        system = system_message(agent, "text_prompt")
        hashes.add(prompt_hash(system, None, agent.edit_format, agent.numbered))
    assert len(hashes) == 4
    # the default framing keeps the hash it had before edit formats existed
    system = system_message(agent_config, "text_prompt")
    assert prompt_hash(system, None) == prompt_hash(system, None, "json", False)
    short = system_message(compact, "text_prompt")
    assert len(short) < len(system) / 2 and tool_signatures("lines")[3].startswith("edit(path, start_line, end_line)")


def test_protocol_error_example_names_a_real_workspace_file(builtin_tasks, fork_runner, tmp_path, agent_config):
    task = builtin_tasks[TASK]
    ep = Episode(
        Workspace(task, tmp_path / "ws", fork_runner), sample_index=0, seed=0, agent=agent_config, mode="text_prompt"
    )
    step = ep.apply(PolicyOutput(text="I would change line 3."))
    example = step.observation.splitlines()[2]
    assert example == Action(name="read_file", arguments={"path": task.editable[0]}).render()
    assert isinstance(parse_text_turn(example), Action) and (ep.workspace.root / task.editable[0]).is_file()
    assert "example.py" in protocol_error_observation(step.protocol_error)  # the default when no file is known


SRC = "class A:\n    def f(self, x):\n        if x:\n            return 1\n\n        return x + 2\n"


@pytest.mark.parametrize(
    ("start", "end", "new", "expected", "level_from"),
    [
        # one level too deep on a code line: shifted left to the replaced line's level
        (3, 3, "            if not x:\n", "        if not x:\n", 3),
        # too shallow, two lines: the block keeps its inner shape
        (3, 4, "if not x:\n    return 0\n", "        if not x:\n            return 0\n", 3),
        # a blank line replaced: the level of the next code line
        (5, 5, "                y = 3\n", "        y = 3\n", 6),
    ],
)
def test_fit_indent_shifts_a_block_that_does_not_compile_as_written(start, end, new, expected, level_from):
    lines = SRC.splitlines(keepends=True)
    assert fit_indent(lines, start, end, new) == (expected, level_from)
    fitted = "".join(lines[: start - 1]) + expected + "".join(lines[end:])
    compile(fitted, "a.py", "exec")


@pytest.mark.parametrize(
    ("source", "start", "new"),
    [
        (SRC, 6, "        return x - 2\n"),  # compiles as written: applied as written
        ("def f(x):\n    if x:\n        y = 1\n        return y\n", 4, "    return y\n"),  # a dedent that compiles
        (SRC, 6, "        return (x\n"),  # no shift makes it compile: as written, the tests will say why
        (SRC, 6, "\n"),  # nothing to indent
        ("def f(:\n    pass\n", 2, "        pass\n"),  # the file did not compile before: not ours to judge
    ],
)
def test_fit_indent_leaves_other_edits_alone(source, start, new):
    assert fit_indent(source.splitlines(keepends=True), start, start, new) is None


def test_reindent_in_the_workspace_says_so(workspace, agent_config):
    path = sorted(workspace.editable)[0]
    original = (workspace.root / path).read_text()
    lines = original.splitlines(keepends=True)

    def breaks(i: int) -> bool:  # four spaces deeper, line i no longer compiles
        try:
            compile("".join(lines[: i - 1] + ["    " + lines[i - 1]] + lines[i:]), path, "exec")
        except SyntaxError:
            return True
        return False

    n = next(i for i, line in enumerate(lines, 1) if line.startswith("        ") and breaks(i))
    deeper = "    " + lines[n - 1]
    edit = Action(name="edit", arguments={"path": path, "start_line": n, "end_line": n, "new": deeper})
    assert workspace.execute(edit).ok  # off by default: applied as written
    assert (workspace.root / path).read_text().splitlines(keepends=True)[n - 1] == deeper
    (workspace.root / path).write_text(original)
    workspace.reindent = True
    obs = workspace.execute(edit)  # as written the file no longer compiles; shifted back it reads as before
    assert not obs.ok and obs.error == "no_change"
    changed = deeper.rstrip("\n") + "  # changed\n"
    obs = workspace.execute(edit.model_copy(update={"arguments": edit.arguments | {"new": changed}}))
    assert obs.ok and f"re-indented to line {n}'s level" in obs.text
    assert (workspace.root / path).read_text().splitlines()[n - 1] == lines[n - 1].rstrip("\n") + "  # changed"
    with pytest.raises(ValueError, match="agent.edit_format=lines"):
        AgentConfig(**(agent_config.model_dump() | {"reindent": True}))
    episode = Episode(
        workspace,
        sample_index=0,
        seed=0,
        agent=AgentConfig(**(agent_config.model_dump() | {"edit_format": "lines"})),
        mode="text_prompt",
    )
    assert episode.workspace.reindent is False  # the agent config decides
