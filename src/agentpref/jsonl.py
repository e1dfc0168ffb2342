"""JSON-lines files (task caches, rollouts, datasets): one place for the line-level validation
error, which names the file, the line and the fix, and for atomic writes."""

from __future__ import annotations

import os
from collections.abc import Iterable
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


def write_lines_atomic(path: Path, lines: Iterable[str]) -> None:
    """Write one JSON document per line to a temp file beside ``path``, fsync, rename: readers
    (and a crash) never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
