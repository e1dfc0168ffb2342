"""The tool protocol: tool schemas, the ``Action`` every policy produces, and the text parser.

Text models write one call per turn as ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>``
(the Hermes/Qwen convention); API models use native function calling. Both become an ``Action``.
A turn that does not parse is a ``ProtocolError`` with a message that says what was wrong and
shows a valid call; it is answered as an observation, never raised.

Edit formats (``agent.edit_format``) decide how code travels in an edit; they exist because code
inside a JSON string (escaped quotes and newlines) is where small models break the protocol:

- ``json``: ``edit(path, old, new)``, everything in the JSON arguments;
- ``block``: ``edit(path)`` with a SEARCH/REPLACE block after the JSON, inside the call;
- ``lines``: ``edit(path, start_line, end_line)`` with the new lines after the JSON (read_file
  then shows line numbers).

In ``block`` and ``lines`` ``write_file(path)`` takes the file content after the JSON as well.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

TOOL_CALL_OPEN, TOOL_CALL_CLOSE = "<tool_call>", "</tool_call>"
EditFormat = Literal["json", "block", "lines"]
EDIT_FORMATS: tuple[str, ...] = ("json", "block", "lines")
SEARCH, DIVIDER, REPLACE = "<<<<<<< SEARCH", "=======", ">>>>>>> REPLACE"


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


class EditLinesArgs(_Args):
    path: str = Field(description="file to change (must be editable)")
    start_line: int = Field(ge=1, description="first line to replace (1-based, as read_file numbers it)")
    end_line: int = Field(ge=1, description="last line to replace (inclusive)")
    new: str = Field(description="the replacement lines (empty: delete the lines)")


class WriteFileArgs(_Args):
    path: str = Field(description="file to overwrite (must be editable)")
    content: str = Field(description="the complete new file content")


class RunTestsArgs(_Args):
    targets: list[str] | None = Field(
        None, description="visible test files or node ids to run; default: all visible tests"
    )


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
# what the edit tools look like in the block and lines formats: code after the JSON, in the call
_FORMAT_TOOLS: dict[str, dict[str, tuple[type[_Args], str]]] = {
    "json": {},
    "block": {
        "edit": (
            EditArgs,
            f"Replace exact text in an editable file: after the JSON write {SEARCH}, "
            f"the lines to replace copied exactly, {DIVIDER}, the new lines, {REPLACE}.",
        ),
        "write_file": (WriteFileArgs, "Overwrite an editable file: the new content goes after the JSON."),
    },
    "lines": {
        "edit": (
            EditLinesArgs,
            "Replace lines start_line..end_line of an editable file (numbers as "
            "read_file shows them) with the lines written after the JSON.",
        ),
        "write_file": (WriteFileArgs, "Overwrite an editable file: the new content goes after the JSON."),
    },
}
# the argument that travels after the JSON (the "body") in the block and lines formats
_BODY_ARGS = {
    ("block", "write_file"): ("content",),
    ("lines", "write_file"): ("content",),
    ("lines", "edit"): ("new",),
    ("block", "edit"): ("old", "new"),
}


def tool_table(edit_format: str = "json") -> dict[str, tuple[type[_Args], str]]:
    """The tools with the argument models of an edit format."""
    if edit_format not in _FORMAT_TOOLS:
        raise ValueError(f"unknown edit format {edit_format!r}; use one of {', '.join(EDIT_FORMATS)}")
    return TOOLS | _FORMAT_TOOLS[edit_format]


EDIT_TOOLS = ("edit", "write_file")  # change the workspace
EXPLORE_TOOLS = ("list_files", "read_file", "search")  # look without changing anything
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


def tool_schemas(edit_format: str = "json") -> list[dict[str, Any]]:
    """OpenAI-style function schemas (also what chat templates take as ``tools=``). Native
    function calling has no body: the block format's schemas are the json format's."""
    table = tool_table("json" if edit_format == "block" else edit_format)
    return [
        {
            "type": "function",
            "function": {"name": name, "description": desc, "parameters": _clean_schema(model.model_json_schema())},
        }
        for name, (model, desc) in table.items()
    ]


def tool_signatures(edit_format: str = "json") -> list[str]:
    """One line per tool, ``name(arg, arg=default) - description`` (the compact framing): a
    fifth of the tokens of the JSON schemas. Arguments that travel after the JSON are left out."""
    lines = []
    for name, (model, desc) in tool_table(edit_format).items():
        body = _BODY_ARGS.get((edit_format, name), ())
        args = []
        for field, info in model.model_fields.items():
            if field in body:
                continue
            if info.is_required():
                args.append(field)
            elif info.default is not None:
                args.append(f"{field}={json.dumps(info.default)}")
            else:
                args.append(f"{field}?")
        lines.append(f"{name}({', '.join(args)}) - {desc}")
    return lines


# ---- actions and parse errors ----------------------------------------------------------------
class Action(BaseModel):
    """One parsed tool call."""

    model_config = ConfigDict(extra="forbid")
    name: ToolName
    arguments: dict[str, Any] = Field(default_factory=dict)
    call_id: str | None = None  # native function calling id (API models)

    def render(self, edit_format: str = "json") -> str:
        """The call in the text protocol of an edit format (transcripts, SFT data)."""
        fields = _BODY_ARGS.get((edit_format, self.name), ())
        if not fields or not all(isinstance(self.arguments.get(f), str) for f in fields):
            body = json.dumps({"name": self.name, "arguments": self.arguments}, ensure_ascii=False)
            return f"{TOOL_CALL_OPEN}{body}{TOOL_CALL_CLOSE}"
        args = {k: v for k, v in self.arguments.items() if k not in fields}
        head = json.dumps({"name": self.name, "arguments": args}, ensure_ascii=False)
        if fields == ("old", "new"):
            old, new = self.arguments["old"], self.arguments["new"]
            if old.endswith("\n") and (new.endswith("\n") or not new):
                old = old[:-1]  # the block's own line ends stand in for them
                new = new[:-1] if new else None
            block = f"{SEARCH}\n{old}\n{DIVIDER}\n" + (f"{new}\n" if new is not None else "") + REPLACE
            return f"{TOOL_CALL_OPEN}{head}\n{block}\n{TOOL_CALL_CLOSE}"
        text = self.arguments[fields[0]]  # as it is: "" (no lines) and "\n" (a blank line) differ
        return f"{TOOL_CALL_OPEN}{head}\n{text}{'' if not text or text.endswith(chr(10)) else chr(10)}{TOOL_CALL_CLOSE}"


ProtocolErrorKind = Literal[
    "no_tool_call",
    "unclosed_tool_call",
    "multiple_tool_calls",
    "invalid_json",
    "bad_call_shape",
    "unknown_tool",
    "bad_arguments",
    "empty_output",
]


MESSAGE_LIMIT = 500  # a message never echoes a huge input back into the model's context


def clip(value: Any, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters (hostile output can be megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 15]}...[{len(text)} chars]"


class ProtocolError(BaseModel):
    kind: ProtocolErrorKind
    message: str

    @field_validator("message")
    @classmethod
    def _bounded(cls, message: str) -> str:
        return message if len(message) <= MESSAGE_LIMIT else message[: MESSAGE_LIMIT - 20] + " ...[cut]"


EXAMPLE_PATH = "example.py"


def example_call(path: str = EXAMPLE_PATH) -> str:
    return Action(name="read_file", arguments={"path": path}).render()


def protocol_error_observation(error: ProtocolError, path: str = EXAMPLE_PATH) -> str:
    """The observation sent back after a malformed turn: what was wrong and how a valid call looks
    (``path``: a real file of the workspace, so the example is a call worth copying)."""
    return (
        f"Protocol error ({error.kind}): {error.message}\n"
        f"Reply with exactly one tool call per turn, for example:\n{example_call(path)}\n"
        f"Tools: {', '.join(TOOL_NAMES)}."
    )


def validate_call(
    name: Any, arguments: Any, call_id: str | None = None, edit_format: str = "json"
) -> Action | ProtocolError:
    """Check a call's name and arguments against the tool schemas (shared by both protocols)."""
    tools = tool_table(edit_format)
    if not isinstance(name, str) or name not in tools:
        return ProtocolError(
            kind="unknown_tool", message=f"unknown tool {clip(name)}; the tools are {', '.join(TOOL_NAMES)}"
        )
    if arguments is None:
        arguments = {}
    if not isinstance(arguments, dict):
        return ProtocolError(
            kind="bad_call_shape", message=f'"arguments" must be a JSON object, got {type(arguments).__name__}'
        )
    model = tools[name][0]
    try:
        parsed = model.model_validate(arguments)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p)[:40] for p in err["loc"])[:80] or "arguments"
        fields = ", ".join(model.model_fields)
        return ProtocolError(
            kind="bad_arguments", message=f"{name}: argument '{where}': {err['msg']} (arguments of {name}: {fields})"
        )
    return Action(name=name, arguments=parsed.model_dump(exclude_none=True, exclude_defaults=False), call_id=call_id)


CALL_RE = re.compile(re.escape(TOOL_CALL_OPEN) + r"(.*?)" + re.escape(TOOL_CALL_CLOSE), re.DOTALL)


def parse_text_turn(text: str, edit_format: str = "json") -> Action | ProtocolError:
    """Parse one assistant turn of a text model. Prose around the single call is allowed."""
    if not text.strip():
        return ProtocolError(kind="empty_output", message="the reply was empty")
    calls = CALL_RE.findall(text)
    if not calls:
        if TOOL_CALL_OPEN in text:
            return ProtocolError(
                kind="unclosed_tool_call",
                message=f"{TOOL_CALL_OPEN} was opened but never closed with {TOOL_CALL_CLOSE}",
            )
        return ProtocolError(kind="no_tool_call", message=f"no {TOOL_CALL_OPEN}...{TOOL_CALL_CLOSE} block in the reply")
    if len(calls) > 1:
        return ProtocolError(
            kind="multiple_tool_calls",
            message=f"{len(calls)} tool calls in one turn; make one call, read its result, then the next",
        )
    body, rest = calls[0].strip(), ""
    try:
        if edit_format == "json":
            payload = json.loads(body)
        else:  # the JSON may be followed by a body (code) inside the call
            payload, end = json.JSONDecoder().raw_decode(body)
            rest = calls[0].lstrip()[end:]
    except json.JSONDecodeError as exc:
        return ProtocolError(
            kind="invalid_json", message=f"the tool call is not valid JSON ({exc.msg} at char {exc.pos})"
        )
    except RecursionError:
        return ProtocolError(kind="invalid_json", message="the tool call is nested too deeply to be a tool call")
    if not isinstance(payload, dict) or "name" not in payload:
        return ProtocolError(
            kind="bad_call_shape", message='the tool call must be a JSON object {"name": ..., "arguments": {...}}'
        )
    extra = sorted(set(payload) - {"name", "arguments"})
    if extra:
        return ProtocolError(
            kind="bad_call_shape",
            message=f'unexpected keys {extra} in the tool call; use {{"name": ..., "arguments": {{...}}}}',
        )
    arguments = payload.get("arguments", {})
    takes_body = isinstance(payload["name"], str) and (edit_format, payload["name"]) in _BODY_ARGS
    if rest.strip() or takes_body:
        arguments = _with_body(payload["name"], arguments, rest, edit_format)
        if isinstance(arguments, ProtocolError):
            return arguments
    return validate_call(payload["name"], arguments, edit_format=edit_format)


def _with_body(name: Any, arguments: Any, rest: str, edit_format: str) -> Any:
    """The arguments with the body after the JSON filled in, or a ProtocolError."""
    fields = _BODY_ARGS.get((edit_format, name)) if isinstance(name, str) else None
    if not fields:
        return ProtocolError(
            kind="bad_call_shape",
            message=f"text after the JSON of {clip(name)}; only "
            f"{' and '.join(sorted({n for f, n in _BODY_ARGS if f == edit_format}))} take a "
            "body, the other calls end right after the JSON",
        )
    if not isinstance(arguments, dict):
        return arguments  # validate_call names the problem
    if not rest.strip() and all(f in arguments for f in fields):
        return arguments  # everything in the JSON: accepted too
    first_newline = rest.find("\n")
    if first_newline < 0 or rest[:first_newline].strip():
        return ProtocolError(kind="bad_call_shape", message=f"{name}: start the body on a new line after the JSON")
    body = rest[first_newline + 1 :]
    if fields == ("old", "new"):
        lines = (body[:-1] if body.endswith("\n") else body).split("\n")
        try:
            i, j, k = lines.index(SEARCH), lines.index(DIVIDER), lines.index(REPLACE)
        except ValueError:
            return ProtocolError(
                kind="bad_call_shape",
                message=f"edit: the body must be {SEARCH}, the old lines, "
                f"{DIVIDER}, the new lines, {REPLACE}, each marker on its own line",
            )
        if not i < j < k or any(line.strip() for line in lines[:i] + lines[k + 1 :]):
            return ProtocolError(
                kind="bad_call_shape",
                message=f"edit: one block, in the order {SEARCH}, {DIVIDER}, {REPLACE}, and nothing around it",
            )
        old, new = "\n".join(lines[i + 1 : j]), "\n".join(lines[j + 1 : k])
        return {**arguments, "old": old + "\n" if old else "", "new": new + "\n" if j + 1 < k else ""}
    return {**arguments, fields[0]: body if not body or body.endswith("\n") else body + "\n"}


def parse_native_call(
    name: str, arguments_json: str, call_id: str | None, edit_format: str = "json"
) -> Action | ProtocolError:
    """Parse a native function call (API models): arguments arrive as a JSON string, with the
    schemas of ``tool_schemas(edit_format)`` (no body: block calls use the json arguments)."""
    try:
        arguments = json.loads(arguments_json) if arguments_json.strip() else {}
    except json.JSONDecodeError as exc:
        return ProtocolError(
            kind="invalid_json",
            message=f"the arguments of {clip(name)} are not valid JSON ({exc.msg} at char {exc.pos})",
        )
    except RecursionError:
        return ProtocolError(kind="invalid_json", message=f"the arguments of {clip(name)} are nested too deeply")
    return validate_call(name, arguments, call_id, "json" if edit_format == "block" else edit_format)
