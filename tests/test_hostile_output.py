"""Hostile model output (docs/reliability.md): whatever a model writes, parsing it and running the
tool it names never raises. A malformed turn is a protocol error with a short, clear message; a
well-formed call with bad arguments is a tool error the model sees as its observation."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentpref.agent.protocol import (
    TOOL_NAMES,
    Action,
    ProtocolError,
    parse_native_call,
    parse_text_turn,
    protocol_error_observation,
    validate_call,
)
from agentpref.agent.tools import Workspace

pytestmark = pytest.mark.reliability
MESSAGE_LIMIT = 600  # an error message never echoes a huge input back to the model
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# JSON-ish values: nested, of every type, with odd strings (lone surrogates come from "\ud800")
odd_text = st.one_of(
    st.text(), st.text(alphabet=st.characters(codec=None)), st.just("\ud800"), st.just("\x00"), st.just("a" * 5000)
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=20,
)


def wrap(body: str) -> str:
    return f"<tool_call>{body}</tool_call>"


def check(result) -> None:
    assert isinstance(result, (Action, ProtocolError))
    if isinstance(result, ProtocolError):
        assert result.message and len(result.message) <= MESSAGE_LIMIT, result.message[:200]
        assert len(protocol_error_observation(result)) <= MESSAGE_LIMIT + 400


@FUZZ
@given(st.text())
def test_any_text_parses_to_an_action_or_a_protocol_error(text):
    check(parse_text_turn(text))


@FUZZ
@given(st.sampled_from(TOOL_NAMES + ("rm", "", "x" * 3000)), json_values)
def test_any_call_payload_is_validated_never_raised(name, arguments):
    for payload in ({"name": name, "arguments": arguments}, {"name": arguments}, arguments):
        try:
            body = json.dumps(payload)
        except (TypeError, ValueError):
            continue
        check(parse_text_turn(wrap(body)))
        check(parse_text_turn("thinking...\n" + wrap(body) + "\ndone"))
    check(validate_call(name, arguments))
    try:
        check(parse_native_call(name if isinstance(name, str) else "x", json.dumps(arguments), "c1"))
    except (TypeError, ValueError):
        pass


@pytest.mark.parametrize(
    "text",
    [
        wrap("[" * 100_000 + "]" * 100_000),  # nesting past Python's recursion limit
        wrap('{"name": "read_file", "arguments": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001),
        wrap('{"name": "' + "x" * 1_000_000 + '", "arguments": {}}'),  # a huge unknown tool name
        wrap('{"name": "read_file", "arguments": {"path": "' + "p" * 1_000_000 + '", "extra": 1}}'),
        wrap('{"name": "read_file", "arguments": {"path": 7}}'),
        wrap('{"name": "edit", "arguments": {"path": ["a"], "old": {"x": 1}, "new": null}}'),
        wrap('{"name": "read_file", "arguments": {"path": "a.py", "start_line": 1e309}}'),
        wrap('{"name": "read_file", "arguments": {"path": "a.py", "start_line": 99999999999999999999999}}'),
        wrap('{"name": "run_tests", "arguments": {"targets": "tests/test_a.py"}}'),
        wrap(b"\xff\xfe{\x80}".decode("utf-8", errors="surrogateescape")),  # undecodable bytes from a decoder
        "".join(wrap('{"name": "run_tests", "arguments": {}}') for _ in range(10_000)),
        "<tool_call>" * 10_000,
        "\x00" * 100,
    ],
)
def test_pathological_turns_are_protocol_errors(text):
    result = parse_text_turn(text)
    check(result)


def test_many_calls_in_one_turn_are_one_named_error():
    result = parse_text_turn("".join(wrap('{"name": "run_tests", "arguments": {}}') for _ in range(500)))
    assert isinstance(result, ProtocolError) and result.kind == "multiple_tool_calls"
    assert "500 tool calls" in result.message


def test_deep_nesting_is_invalid_json_not_a_crash():
    result = parse_text_turn(wrap("[" * 100_000 + "]" * 100_000))
    assert isinstance(result, ProtocolError) and result.kind in ("invalid_json", "bad_call_shape")


# ---- tool arguments that pass the schema but are hostile for the filesystem --------------------
TASK = "builtin/anagram_groups/min_size_exclusive"
paths = st.one_of(
    st.text(max_size=300),
    st.just("\x00"),
    st.just("a\x00b.py"),
    st.just("\ud800.py"),
    st.just("p" * 5000),
    st.just("anagram_groups.py\x00"),
    st.just("/" * 3),
    st.just("~/x"),
)


@pytest.fixture(scope="module")
def workspace(builtin_tasks, tmp_path_factory):
    from agentpref.sandbox.limits import Limits
    from agentpref.sandbox.runner import TestRunner

    with TestRunner("fork", Limits(per_test_timeout_s=1.0, wall_timeout_s=30)) as runner:
        yield Workspace(builtin_tasks[TASK], tmp_path_factory.mktemp("hostile") / "ws", runner)


def run_tool(ws, name, **arguments):
    action = validate_call(name, arguments)
    if isinstance(action, ProtocolError):  # the schema already refused it: fine
        check(action)
        return None
    obs = ws.execute(action)
    assert obs.text and len(obs.text) <= ws.observation_limit + 100
    if not obs.ok:
        assert obs.error is not None and obs.text.startswith("Error: ")
    return obs


@FUZZ
@given(path=paths, text=odd_text)
def test_file_tools_never_raise_on_hostile_arguments(workspace, path, text):
    editable = sorted(workspace.editable)[0]
    before = (workspace.root / editable).read_text()
    run_tool(workspace, "read_file", path=path)
    run_tool(workspace, "list_files", path=path)
    run_tool(workspace, "search", pattern=text, path=path)
    run_tool(workspace, "search", pattern=text or "x", regex=True)
    run_tool(workspace, "edit", path=path, old=text or "x", new=text + "y")
    run_tool(workspace, "write_file", path=path, content=text)
    # a lone surrogate or NUL must not reach the disk half-written: the file is either changed
    # by a valid edit or left as it was
    obs = run_tool(workspace, "edit", path=editable, old="def ", new="def \ud800")
    assert obs is None or not obs.ok
    assert (workspace.root / editable).read_text() == before or obs is None or obs.ok is False
    (workspace.root / editable).write_text(before)


def test_a_catastrophic_regex_is_refused_or_bounded(workspace):
    import time

    editable = sorted(workspace.editable)[0]
    workspace.execute(Action(name="write_file", arguments={"path": editable, "content": "a" * 40 + "!"}))
    start = time.perf_counter()
    obs = workspace.execute(Action(name="search", arguments={"pattern": "(a+)+$", "regex": True}))
    assert time.perf_counter() - start < 10 and obs.text
