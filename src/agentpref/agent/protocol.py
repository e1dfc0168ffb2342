"""The tool protocol: tool schemas, the ``Action`` every policy produces, and the text parser.

Text models write one call per turn as ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``
(the Hermes/Qwen convention); API models use native function calling. Both become an ``Action``.
A turn that does not parse is a ``ProtocolError`` with a message that says what was wrong and
shows a valid call; it is answered as an observation, never raised.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TOOL_CALL_OPEN, TOOL_CALL_CLOSE = "<tool_call>", "</tool_call>"


# ---- tool argument models (the single source of the JSON schemas) ---------------------------
class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListFilesArgs(_Args):
    path: str = Field(".", description="directory relative to the workspace root")


class ReadFileArgs(_Args):
    path: str = Field(description="file relative to the workspace root")
    start_line: int | None = Field(None, ge=1, description="first line to show (1-based)")
    end_line: int | None = Field(None, ge=1, description="last line to show (inclusive)")


class SearchArgs(_Args):
    pattern: str = Field(min_length=1, description="text to look for (a regular expression if regex=true)")
    path: str = Field(".", description="file or directory to search in")
    regex: bool = Field(False, description="treat pattern as a Python regular expression")


class EditArgs(_Args):
    path: str = Field(description="file to change (must be editable)")
    old: str = Field(min_length=1, description="exact text to replace; must occur exactly once")
    new: str = Field(description="replacement text")


class WriteFileArgs(_Args):
    path: str = Field(description="file to overwrite (must be editable)")
    content: str = Field(description="the complete new file content")


class RunTestsArgs(_Args):
    targets: list[str] | None = Field(
        None, description="visible test files or node ids to run; default: all visible tests")


class FinishArgs(_Args):
    summary: str = Field(description="one or two sentences: what was wrong and what you changed")


TOOLS: dict[str, tuple[type[_Args], str]] = {
    "list_files": (ListFilesArgs, "List the files under a directory of the workspace."),
    "read_file": (ReadFileArgs, "Show a file's content, optionally only a range of lines."),
    "search": (SearchArgs, "Find lines matching a pattern in the workspace (like grep -n)."),
    "edit": (EditArgs, "Replace one exact occurrence of `old` with `new` in an editable file."),
    "write_file": (WriteFileArgs, "Overwrite an editable file with new content."),
    "run_tests": (RunTestsArgs, "Run the visible tests in a sandbox and show the failures."),
    "finish": (FinishArgs, "End the episode once the tests pass (or you cannot do better)."),
}
TOOL_NAMES = tuple(TOOLS)
EDIT_TOOLS = ("edit", "write_file")                     # change the workspace
EXPLORE_TOOLS = ("list_files", "read_file", "search")   # look without changing anything
ToolName = Literal["list_files", "read_file", "search", "edit", "write_file", "run_tests", "finish"]


def _clean_schema(schema: dict) -> dict:
    """pydantic's JSON schema without titles (noise in a prompt) and with plain optional types."""
    props = {}
    for name, prop in schema.get("properties", {}).items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        if "anyOf" in prop:  # X | None -> X (None is expressed by leaving the argument out)
            types = [t for t in prop.pop("anyOf") if t.get("type") != "null"]
            prop.update(types[0])
            prop.pop("default", None)
        props[name] = prop
    out = {"type": "object", "properties": props, "additionalProperties": False}
    if schema.get("required"):
        out["required"] = schema["required"]
    return out


def tool_schemas() -> list[dict[str, Any]]:
    """OpenAI-style function schemas (also what chat templates take as ``tools=``)."""
    return [
        {"type": "function", "function": {"name": name, "description": desc,
                                          "parameters": _clean_schema(model.model_json_schema())}}
        for name, (model, desc) in TOOLS.items()
    ]


# ---- actions and parse errors ----------------------------------------------------------------
class Action(BaseModel):
    """One parsed tool call."""

    model_config = ConfigDict(extra="forbid")
    name: ToolName
    arguments: dict[str, Any] = Field(default_factory=dict)
    call_id: str | None = None  # native function calling id (API models)

    def render(self) -> str:
        """The call in the text protocol (how it appears in text transcripts and SFT data)."""
        body = json.dumps({"name": self.name, "arguments": self.arguments}, ensure_ascii=False)
        return f"{TOOL_CALL_OPEN}{body}{TOOL_CALL_CLOSE}"


ProtocolErrorKind = Literal[
    "no_tool_call", "unclosed_tool_call", "multiple_tool_calls", "invalid_json", "bad_call_shape",
    "unknown_tool", "bad_arguments", "empty_output",
]


MESSAGE_LIMIT = 500   # a message never echoes a huge input back into the model's context


def clip(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (hostile output can be megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 15]}...[{len(text)} chars]"


class ProtocolError(BaseModel):
    kind: ProtocolErrorKind
    message: str

    @field_validator("message")
    @classmethod
    def _bounded(cls, message: str) -> str:
        return message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT - 20] + " ...[cut]"


EXAMPLE_CALL = '<tool_call>{"name": "read_file", "arguments": {"path": "example.py"}}</tool_call>'


def protocol_error_observation(error: ProtocolError) -> str:
    """The observation sent back after a malformed turn: what was wrong and how a valid call looks."""
    return (f"Protocol error ({error.kind}): {error.message}\n"
            f"Reply with exactly one tool call per turn, for example:\n{EXAMPLE_CALL}\n"
            f"Tools: {', '.join(TOOL_NAMES)}.")


def validate_call(name: Any, arguments: Any, call_id: str | None = None) -> Action | ProtocolError:
    """Check a call's name and arguments against the tool schemas (shared by both protocols)."""
    if not isinstance(name, str) or name not in TOOLS:
        return ProtocolError(kind="unknown_tool",
                             message=f"unknown tool {clip(name)}; the tools are {', '.join(TOOL_NAMES)}")
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        return ProtocolError(kind="bad_call_shape",
                             message=f'"arguments" must be a JSON object, got {type(arguments).__name__}')
    model = TOOLS[name][0]
    try:
        parsed = model.model_validate(arguments)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p)[:40] for p in err["loc"])[:80] or "arguments"
        fields = ", ".join(model.model_fields)
        return ProtocolError(kind="bad_arguments",
                             message=f"{name}: argument '{where}': {err['msg']} (arguments of {name}: {fields})")
    return Action(name=name, arguments=parsed.model_dump(exclude_none=True, exclude_defaults=False),
                  call_id=call_id)


_CALL_RE = re.compile(re.escape(TOOL_CALL_OPEN) + r"(.*?)" + re.escape(TOOL_CALL_CLOSE), re.DOTALL)


def parse_text_turn(text: str) -> Action | ProtocolError:
    """Parse one assistant turn of a text model. Prose around the single call is allowed."""
    if not text.strip():
        return ProtocolError(kind="empty_output", message="the reply was empty")
    calls = _CALL_RE.findall(text)
    if not calls:
        if TOOL_CALL_OPEN in text:
            return ProtocolError(kind="unclosed_tool_call",
                                 message=f"{TOOL_CALL_OPEN} was opened but never closed with {TOOL_CALL_CLOSE}")
        return ProtocolError(kind="no_tool_call", message=f"no {TOOL_CALL_OPEN}...{TOOL_CALL_CLOSE} block in the reply")
    if len(calls) > 1:
        return ProtocolError(kind="multiple_tool_calls",
                             message=f"{len(calls)} tool calls in one turn; make one call, read its result, then the next")
    body = calls[0].strip()
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        return ProtocolError(kind="invalid_json", message=f"the tool call is not valid JSON ({exc.msg} at char {exc.pos})")
    except RecursionError:
        return ProtocolError(kind="invalid_json", message="the tool call is nested too deeply to be a tool call")
    if not isinstance(payload, dict) or "name" not in payload:
        return ProtocolError(kind="bad_call_shape",
                             message='the tool call must be a JSON object {"name": ..., "arguments": {...}}')
    extra = sorted(set(payload) - {"name", "arguments"})
    if extra:
        return ProtocolError(kind="bad_call_shape", message=f"unexpected keys {extra} in the tool call; "
                             'use {"name": ..., "arguments": {...}}')
    return validate_call(payload["name"], payload.get("arguments", {}))


def parse_native_call(name: str, arguments_json: str, call_id: str | None) -> Action | ProtocolError:
    """Parse a native function call (API models): arguments arrive as a JSON string."""
    try:
        arguments = json.loads(arguments_json) if arguments_json.strip() else {}
    except json.JSONDecodeError as exc:
        return ProtocolError(kind="invalid_json",
                             message=f"the arguments of {clip(name)} are not valid JSON ({exc.msg} at char {exc.pos})")
    except RecursionError:
        return ProtocolError(kind="invalid_json", message=f"the arguments of {clip(name)} are nested too deeply")
    return validate_call(name, arguments, call_id)
