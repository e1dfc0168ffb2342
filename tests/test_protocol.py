"""The text protocol parser and the tool schemas: every malformed turn becomes a named protocol
error with an observation that shows a valid call; valid calls become Actions."""

import json

import pytest

from agentpref.agent.protocol import (
    TOOL_NAMES,
    Action,
    ProtocolError,
    parse_native_call,
    parse_text_turn,
    protocol_error_observation,
    tool_schemas,
)


def call(name, **arguments):
    return f"<tool_call>{json.dumps({'name': name, 'arguments': arguments})}</tool_call>"


def test_valid_call_with_prose_around_it():
    action = parse_text_turn("I will read it first.\n" + call("read_file", path="a.py", start_line=3) + "\n")
    assert isinstance(action, Action)
    assert action.name == "read_file" and action.arguments == {"path": "a.py", "start_line": 3}


def test_defaults_are_filled_and_render_round_trips():
    action = parse_text_turn(call("search", pattern="x"))
    assert action.arguments == {"pattern": "x", "path": ".", "regex": False}
    assert parse_text_turn(action.render()) == action


def test_arguments_may_be_omitted_for_tools_without_required_ones():
    action = parse_text_turn('<tool_call>{"name": "run_tests"}</tool_call>')
    assert isinstance(action, Action) and action.name == "run_tests"


@pytest.mark.parametrize(
    ("text", "kind", "says"),
    [
        ("", "empty_output", "empty"),
        ("The bug is on line 3, change > to >=.", "no_tool_call", "no <tool_call>"),
        ('<tool_call>{"name": "run_tests", "arguments": {}}', "unclosed_tool_call", "never closed"),
        (call("run_tests") + call("finish", summary="x"), "multiple_tool_calls", "2 tool calls"),
        ("<tool_call>{name: run_tests}</tool_call>", "invalid_json", "not valid JSON"),
        ('<tool_call>["run_tests"]</tool_call>', "bad_call_shape", "JSON object"),
        ('<tool_call>{"tool": "run_tests"}</tool_call>', "bad_call_shape", "JSON object"),
        ('<tool_call>{"name": "run_tests", "args": {}}</tool_call>', "bad_call_shape", "unexpected keys ['args']"),
        ('<tool_call>{"name": "run_tests", "arguments": [1]}</tool_call>', "bad_call_shape", "must be a JSON object"),
        (call("open_file", path="a.py"), "unknown_tool", "unknown tool 'open_file'"),
        (call("read_file"), "bad_arguments", "argument 'path'"),
        (call("read_file", path="a.py", line=3), "bad_arguments", "argument 'line'"),
        (call("read_file", path="a.py", start_line="three"), "bad_arguments", "start_line"),
        (call("read_file", path="a.py", start_line=0), "bad_arguments", "start_line"),
        (call("edit", path="a.py", old="", new="x"), "bad_arguments", "argument 'old'"),
    ],
)
@pytest.mark.reliability
def test_malformed_turns_are_named_protocol_errors(text, kind, says):
    error = parse_text_turn(text)
    assert isinstance(error, ProtocolError)
    assert error.kind == kind and says in error.message
    observation = protocol_error_observation(error)
    assert kind in observation and "<tool_call>" in observation
    # the example in the observation is itself a valid call
    example = next(line for line in observation.splitlines() if line.startswith("<tool_call>"))
    assert isinstance(parse_text_turn(example), Action)


@pytest.mark.reliability
def test_native_calls_share_the_validation():
    assert parse_native_call("edit", '{"path": "a.py", "old": "x", "new": "y"}', "c1").call_id == "c1"
    assert parse_native_call("edit", '{"path": "a.py"', "c1").kind == "invalid_json"
    assert parse_native_call("edit", '{"path": "a.py"}', "c1").kind == "bad_arguments"
    assert parse_native_call("rm", "{}", "c1").kind == "unknown_tool"
    assert parse_native_call("run_tests", "", "c1").name == "run_tests"


def test_tool_schemas_are_openai_function_specs():
    schemas = tool_schemas()
    assert [s["function"]["name"] for s in schemas] == list(TOOL_NAMES)
    by_name = {s["function"]["name"]: s["function"] for s in schemas}
    assert by_name["edit"]["parameters"]["required"] == ["path", "old", "new"]
    assert by_name["read_file"]["parameters"]["properties"]["start_line"]["type"] == "integer"
    assert all(
        s["type"] == "function" and s["function"]["parameters"]["additionalProperties"] is False for s in schemas
    )
    assert "title" not in json.dumps(schemas)
