"""The Task contract (see docs/tasks.md): a small repository the agent must fix.

A task is self-contained data: the buggy workspace files, which of them may be edited, the visible
test targets the agent can run, hidden tests used only for grading, and the reference fix, which
only graders and the privileged oracle may see. Large checkouts (BugsInPy) point at a directory on
disk (``base_dir``) instead of inlining every file.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agentpref.jsonl import read_models, write_lines_atomic

TASK_SCHEMA_VERSION = 1
Split = Literal["train", "heldout"]
# Never copied from an on-disk checkout into a workspace: VCS data, caches, environments.
COPY_IGNORE = (".git", "__pycache__", ".pytest_cache", ".venv", "venv", "env", ".tox", "*.pyc")


def _check_relpath(path: str) -> str:
    p = Path(path)
    if p.is_absolute() or ".." in p.parts or path.strip() == "" or "\\" in path:
        raise ValueError(f"path {path!r} must be relative to the workspace, without '..'")
    return p.as_posix()


class Task(BaseModel):
    """One bug-fix task. Frozen: derive variants with ``model_copy(update=...)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = TASK_SCHEMA_VERSION
    id: str
    source: str = Field(description="builtin | synthetic | quixbugs | bugsinpy | ...")
    program: str = Field(description="source program key; the unit of the train/heldout split")
    files: dict[str, str] = Field(description="workspace files (buggy version), visible tests included")
    base_dir: str | None = Field(None, description="on-disk directory copied under `files`")
    editable: list[str]
    visible_tests: list[str] = Field(description="pytest targets (paths or node ids) the agent may run")
    hidden_tests: dict[str, str] = Field(default_factory=dict, description="test files added only for grading")
    hidden_test_targets: list[str] = Field(default_factory=list)
    reference_fix: dict[str, str] = Field(description="path -> fixed content, for graders and the oracle only")
    split: Split = "train"
    category: str | None = None
    difficulty: str | None = None
    description: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("editable", "visible_tests", "hidden_test_targets")
    @classmethod
    def _relative_targets(cls, values: list[str]) -> list[str]:
        return [_check_relpath(v.split("::", 1)[0]) + ("::" + v.split("::", 1)[1] if "::" in v else "") for v in values]

    @field_validator("files", "hidden_tests", "reference_fix")
    @classmethod
    def _relative_files(cls, values: dict[str, str]) -> dict[str, str]:
        return {_check_relpath(k): v for k, v in values.items()}

    @model_validator(mode="after")
    def _consistent(self) -> Task:
        if not self.editable:
            raise ValueError("editable is empty: name the files the agent may change")
        if not self.visible_tests:
            raise ValueError("visible_tests is empty: the agent needs a test it can run")
        outside = sorted(set(self.reference_fix) - set(self.editable))
        if outside:
            raise ValueError(f"reference_fix changes non-editable files {outside}")
        if self.base_dir is None:
            missing = sorted(p for p in self.editable if p not in self.files)
            if missing:
                raise ValueError(f"editable files {missing} are not in the workspace files")
        return self

    # ---- views -------------------------------------------------------------------------
    @property
    def test_command(self) -> str:
        """The visible test command as a developer would type it in the workspace."""
        return "python -m pytest -q " + " ".join(self.visible_tests)

    def fixed_files(self) -> dict[str, str]:
        """Workspace files with the reference fix applied (inline files only)."""
        return {**self.files, **self.reference_fix}

    def content_hash(self) -> str:
        blob = json.dumps([self.base_dir, self.files, self.hidden_tests, self.visible_tests], sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def public_view(self) -> dict[str, Any]:
        """What a (non-privileged) policy may know: no reference fix, no hidden tests."""
        return self.model_dump(include={"id", "editable", "visible_tests", "description"}) | {
            "test_command": self.test_command
        }

    # ---- materialisation -----------------------------------------------------------------
    def materialize(self, dest: Path, *, fixed: bool = False, with_hidden: bool = False) -> Path:
        """Write the workspace into ``dest`` (created): buggy by default, or with the fix."""
        dest.mkdir(parents=True, exist_ok=True)
        if self.base_dir is not None:
            shutil.copytree(
                self.base_dir, dest, dirs_exist_ok=True, symlinks=True, ignore=shutil.ignore_patterns(*COPY_IGNORE)
            )
        files = self.fixed_files() if fixed else dict(self.files)
        if with_hidden:
            files.update(self.hidden_tests)
        write_files(dest, files)
        return dest


def write_files(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def save_tasks(tasks: list[Task], path: Path) -> None:
    """Write tasks as JSON lines (atomically: a crash never leaves half a file)."""
    write_lines_atomic(path, (task.model_dump_json() for task in tasks))


def load_tasks(path: Path) -> list[Task]:
    return read_models(path, Task, "task")
