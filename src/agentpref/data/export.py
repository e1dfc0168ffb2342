"""The built datasets as Hugging Face ``datasets``, for trainers other than train.py.

``build_data.py`` writes ``hf/`` next to its JSONL files: a ``DatasetDict`` with a split per file
(``sft``, ``pairs``, ``step_pairs``). Every row keeps the project's messages (the text protocol the
policy was trained on, ``<tool_call>...</tool_call>`` in the assistant turns) and adds the same
conversation in OpenAI's function-calling form (``*_tool_calls`` columns): an assistant turn's call
becomes ``tool_calls`` (its prose stays ``content``), the observation after it a ``tool`` message with
that call's ``tool_call_id``, and a malformed turn stays plain text, its error note a ``user``
message (function calling has no tool result without a call). ``tools`` holds the JSON schemas
(a JSON string), ``metadata`` the row's metadata (a JSON string).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agentpref.agent.protocol import CALL_RE, Action, parse_text_turn, tool_schemas


def to_tool_calls(messages: list[dict[str, Any]], edit_format: str, start: int = 0) -> list[dict[str, Any]]:
    """``messages`` in OpenAI's function-calling form; ``start`` numbers the call ids (a pair's
    completion continues its prompt's numbering)."""
    out: list[dict[str, Any]] = []
    pending: str | None = None  # the id of the call whose result comes next
    n = start
    for message in messages:
        role, content = message["role"], message.get("content") or ""
        if role == "assistant":
            parsed = parse_text_turn(content, edit_format)
            if isinstance(parsed, Action):
                n += 1
                pending = f"call_{n}"
                call = {"name": parsed.name, "arguments": json.dumps(parsed.arguments, ensure_ascii=False)}
                prose = CALL_RE.sub("", content).strip()
                out.append(
                    {
                        "role": "assistant",
                        "content": prose,
                        "tool_calls": [{"id": pending, "type": "function", "function": call}],
                    }
                )
                continue
            pending = None
            out.append({"role": "assistant", "content": content})
        elif role == "tool":
            if pending is None:
                out.append({"role": "user", "content": content})
            else:
                out.append({"role": "tool", "tool_call_id": pending, "content": content})
            pending = None
        else:
            out.append({"role": role, "content": content})
    return out


def _calls(messages: list[dict[str, Any]]) -> int:
    return sum(len(m.get("tool_calls") or []) for m in messages)


def _plain(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"role": m["role"], "content": m.get("content") or ""} for m in messages]


def export_rows(rows: list[dict[str, Any]], edit_format: str) -> list[dict[str, Any]]:
    """Rows with the tool-call form beside the messages. ``metadata`` and ``tools`` are JSON
    strings (their shapes vary); the messages are native lists of messages."""
    tools = json.dumps(tool_schemas(edit_format))
    out = []
    for row in rows:
        new: dict[str, Any] = {"metadata": json.dumps(row.get("metadata", {})), "tools": tools}
        if "messages" in row:
            new["messages"] = _plain(row["messages"])
            new["messages_tool_calls"] = to_tool_calls(row["messages"], edit_format)
            new["loss_mask"] = row.get("loss_mask")
        else:
            prompt = to_tool_calls(row["prompt"], edit_format)
            for key in ("prompt", "chosen", "rejected"):
                new[key] = _plain(row[key])
            new["prompt_tool_calls"] = prompt
            for side in ("chosen", "rejected"):
                new[f"{side}_tool_calls"] = to_tool_calls(row[side], edit_format, _calls(prompt))
                new[f"{side}_loss_mask"] = row.get(f"{side}_loss_mask")
        out.append(new)
    return out


def export_hf(out: Path, splits: dict[str, list[dict[str, Any]]], edit_format: str) -> Path | None:
    """Save the non-empty splits as a ``DatasetDict`` under ``out/hf``; None when all are empty."""
    from datasets import Dataset, DatasetDict

    data = {name: Dataset.from_list(export_rows(rows, edit_format)) for name, rows in splits.items() if rows}
    if not data:
        return None
    DatasetDict(data).save_to_disk(str(out / "hf"))
    return out / "hf"
