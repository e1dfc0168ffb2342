"""The rollout record: one schema-validated JSON line per episode (see docs/generation.md).

Versioned with ``schema_version``; everything later stages need is here (the transcript in the
text protocol, each step's parsed action or protocol error, test results before and after edits,
the final diff, hidden-test grading, tokens and cost), so re-scoring and dataset building never
need the model again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentpref.agent.protocol import Action, ProtocolError
from agentpref.agent.tools import TestSummary, ToolErrorKind
from agentpref.errors import StorageError
from agentpref.jsonl import read_models

ROLLOUT_SCHEMA_VERSION = 1
EndReason = Literal["finished", "max_steps", "context_budget", "budget", "policy_error"]


class PolicyInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")
    backend: str
    model: str
    adapter: str | None = None
    privileged: bool = False  # the oracle: knows the reference fix
    protocol: Literal["text", "native"] = "text"
    sampling: dict[str, Any] = Field(default_factory=dict)


class StepRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    index: int
    raw_text: str  # the assistant turn as generated (text protocol rendering for native calls)
    action: Action | None = None
    protocol_error: ProtocolError | None = None
    observation: str
    tool_ok: bool | None = None
    tool_error: ToolErrorKind | None = None
    tests: TestSummary | None = None  # when the step ran the tests
    edited: str | None = None  # path changed by this step
    perturbed: bool = False  # a deliberate mistake of a recovery demonstration (never trained)
    localized: bool | None = None  # the edit touched a line the reference fix changes
    # (None: not an applied edit, or a record from before)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_s: float = 0.0
    tool_latency_s: float = 0.0


class FinalState(BaseModel):
    model_config = ConfigDict(extra="forbid")
    diff: str
    files_touched: list[str]
    visible: TestSummary
    hidden: TestSummary | None = None
    resolved: bool  # visible and hidden tests all pass


class Cost(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    usd: float = 0.0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def add(self, prompt_tokens: int, completion_tokens: int, usd: float = 0.0) -> None:
        """Spend more (a run's running total)."""
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.usd += usd


class CheckResult(BaseModel):
    value: float = Field(ge=0, le=1)
    evidence: str = ""


class RolloutRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schema_version: int = ROLLOUT_SCHEMA_VERSION
    run_id: str
    task_id: str
    task_source: str
    task_program: str
    split: str
    sample_index: int
    seed: int
    task_editable: list[str] = Field(default_factory=list)  # files the agent may change
    reference_diff_lines: int | None = None  # changed lines (+/-) of the reference fix: the minimal size
    policy: PolicyInfo
    prompt_hash: str  # system prompt + tool schema + chat template (agent.json in the run dir)
    messages: list[dict[str, Any]]  # the transcript, text protocol (system, user, assistant, tool)
    steps: list[StepRecord]
    end_reason: EndReason
    final: FinalState
    cost: Cost
    duration_s: float
    checks: dict[str, CheckResult] = Field(default_factory=dict)  # filled by the scorer
    score: float | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.task_id, self.sample_index)

    @property
    def protocol_errors(self) -> int:
        return sum(s.protocol_error is not None for s in self.steps)

    @property
    def perturbed_steps(self) -> int:
        return sum(s.perturbed for s in self.steps)


class RolloutWriter:
    """Appends records as JSON lines, flushed and fsynced per episode, so a killed run loses
    nothing that finished. A write that fails (disk full) is rolled back to the last whole line
    and ends the run with a StorageError; re-running the command resumes."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.written = 0

    def write(self, record: RolloutRecord) -> None:
        data = (record.model_dump_json() + "\n").encode("utf-8")
        start = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            _write_all(self._fd, data)
            os.fsync(self._fd)
        except OSError as exc:
            try:
                os.ftruncate(self._fd, start)  # no half line left behind
            except OSError:
                pass  # repair_tail cuts it on resume
            raise StorageError(
                f"could not append to {self.path} ({exc.strerror or exc}): the {self.written} episodes "
                f"finished before it in this run are saved, {record.task_id}#{record.sample_index} is not; "
                "free disk space and re-run the same command to resume"
            ) from None
        self.written += 1

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is out (a short write is possible on a nearly full disk)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def repair_tail(path: Path) -> int:
    """Cut a half-written last line (a run killed mid-write); returns the bytes removed."""
    if not path.exists():
        return 0
    data = path.read_bytes()
    if not data or data.endswith(b"\n"):
        return 0
    keep = data.rfind(b"\n") + 1
    with path.open("r+b") as fh:
        fh.truncate(keep)
    return len(data) - keep


def read_rollouts(path: Path) -> list[RolloutRecord]:
    """Load records; a line that does not validate is a one-line DataError naming it."""
    return read_models(path, RolloutRecord, "rollout record")
