"""JSON-lines files of pydantic records (task caches, rollouts): one place for the line-level
validation error, which names the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from agentpref.errors import DataError

M = TypeVar("M", bound=BaseModel)


def read_models(path: Path, model: type[M], what: str) -> list[M]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append(model.model_validate_json(line))
            except ValueError as exc:
                first = str(exc).splitlines()[0]
                raise DataError(f"{path}:{lineno}: not a valid {what} ({first}); fix or remove that line") from None
    return out
