"""The files a command leaves in its run dir for the next one: one pydantic model each, with a
``kind`` and a ``version``.

Each file has one writer (:meth:`RunFile.write`, called by the command that makes it) and one
reader (:meth:`RunFile.read`): pointed at the wrong file (another kind, another version, broken
JSON, a missing field) the reader fails with one line that names the config key and the fix.
Files written before kinds existed (no ``kind``, no ``version``) are read as version 0 and
upgraded by :meth:`RunFile.upgrade_v0`. The rollout records themselves are the versioned
:class:`agentpref.agent.record.RolloutRecord`; the models here hold only plain values, so any
stage may read them without importing the stage that wrote them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agentpref.errors import ConfigError
from agentpref.jsonl import write_lines_atomic


class RunFile(BaseModel):
    """Base of the run-dir files: ``FILE`` its name; for error messages ``WHAT`` it is, ``WRITER``
    the command that makes it and ``DIR`` where it lives."""

    model_config = ConfigDict(extra="forbid")
    FILE: ClassVar[str]
    WHAT: ClassVar[str]
    WRITER: ClassVar[str]
    DIR: ClassVar[str]
    kind: str
    version: int

    @classmethod
    def expected(cls) -> tuple[str, int]:
        return cls.model_fields["kind"].default, cls.model_fields["version"].default

    def write(self, run_dir: str | Path, file: str | None = None) -> Path:
        """Atomically, so a reader (or a crash) never sees half a file."""
        path = Path(run_dir) / (file or self.FILE)
        write_lines_atomic(path, [self.model_dump_json(indent=2)])
        return path

    @classmethod
    def upgrade_v0(cls, data: dict[str, Any], path: Path) -> dict[str, Any]:
        """A file of this kind from before kinds and versions (at ``path``), in this version's shape."""
        return data

    @classmethod
    def read(cls, run_dir: str | Path, key: str = "run_dir", file: str | None = None):
        """The file in ``run_dir`` (``key``: the config key that pointed there, named in errors)."""
        name = file or cls.FILE
        path = Path(run_dir) / name
        if not path.is_file():
            raise ConfigError(f"{key}: {run_dir} has no {name}: point it at {cls.DIR} (has it finished?)")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{key}: {path} is not valid JSON ({exc}): re-run {cls.WRITER} there") from None
        kind, version = cls.expected()
        if isinstance(data, dict) and "kind" not in data and "version" not in data:
            data = cls.upgrade_v0(data, path) | {"kind": kind, "version": version}
        if not isinstance(data, dict) or data.get("kind") != kind:
            found = data.get("kind") if isinstance(data, dict) else type(data).__name__
            raise ConfigError(f"{key}: {path} is not {cls.WHAT} (kind={found!r}): point it at {cls.DIR}")
        if data.get("version") != version:
            raise ConfigError(
                f"{key}: {path} is version {data.get('version')!r} of {kind!r}, this agentpref reads version "
                f"{version}: re-run {cls.WRITER} into a new run_dir, or use the agentpref that wrote it"
            )
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(map(str, err["loc"])) or "(top level)"
            raise ConfigError(f"{key}: {path}: {where}: {err['msg']}: re-run {cls.WRITER} there") from None

    @classmethod
    def read_if_present(cls, run_dir: str | Path, key: str = "run_dir", file: str | None = None):
        """As :meth:`read`, or None when the file does not exist."""
        return cls.read(run_dir, key, file) if (Path(run_dir) / (file or cls.FILE)).is_file() else None


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- generate.py ---------------------------------------------------------------------------------
class GenerationManifest(RunFile):
    """``agent.json``: the policy and the agent's prompt parts; a resumed run must match it."""

    FILE, WHAT, WRITER, DIR = "agent.json", "a generate.py agent manifest", "generate.py", "a generate.py run dir"
    kind: Literal["generate_manifest"] = "generate_manifest"
    version: Literal[1] = 1
    run_id: str
    policy: dict[str, Any]
    prompt_mode: str
    prompt_hash: str
    system_prompt: str
    task_prompt: str
    tools: list[dict[str, Any]]
    edit_format: str
    line_numbers: bool
    chat_template: str | None
    limits: dict[str, int]


class GenerationSummary(RunFile):
    """``summary.json`` of generate.py (``generation.json`` in an evaluate.py run dir)."""

    FILE, WHAT, WRITER, DIR = "summary.json", "a generate.py summary", "generate.py", "a generate.py run dir"
    kind: Literal["generate"] = "generate"
    version: Literal[1] = 1
    episodes: int
    resolved: int
    pass_rate: float
    protocol_error_rate: float
    episodes_with_protocol_error: int
    mean_steps: float
    prompt_tokens: int
    completion_tokens: int
    usd: float
    end_reasons: dict[str, int]
    new_episodes: int
    resumed_episodes: int
    failed_episodes: int
    failures: list[str]
    pending_left: int
    stop_reason: str
    spent_tokens: int
    spent_usd: float
    tasks: int
    shard: dict[str, int]
    run_dir: str
    seconds: float
    profile: dict[str, Any]

    @classmethod
    def upgrade_v0(cls, data: dict[str, Any], path: Path) -> dict[str, Any]:
        return {"profile": {}} | data  # written before the profile existed


# ---- build_data.py -------------------------------------------------------------------------------
class DatasetYield(_Part):
    """How many examples one dataset got, per task, per 1M generated tokens, per USD spent and
    per wall-clock hour of the generation behind it (on the machine that ran it)."""

    examples: int
    per_task: float
    per_1m_generated_tokens: float | None
    usd_per_example: float | None
    per_wall_hour: float | None = None


class SftYield(DatasetYield):
    privileged: int  # examples from privileged (oracle) episodes
    dropped: dict[str, int]  # why records made no example
    turn_tokens: dict[str, Any]  # assistant-turn length percentiles: sizes backend.max_new_tokens


class TrajectoryPairsYield(DatasetYield):
    counts: dict[str, Any]


class StepPairsYield(DatasetYield):
    stats: dict[str, Any]


class DataStats(RunFile):
    """``stats.json`` of build_data.py: what the datasets were built from and how much each yielded."""

    FILE, WHAT, WRITER, DIR = "stats.json", "build_data.py stats", "build_data.py", "a build_data.py run dir"
    kind: Literal["build_data"] = "build_data"
    version: Literal[1] = 1
    runs: dict[str, int]  # run dir -> complete records read
    records: int
    train_records: int
    heldout_skipped: int
    partial_lines_skipped: int
    train_tasks: int
    generated_tokens: int
    usd: float
    generation_seconds: float | None = Field(None, description="wall time of the generate.py runs read")
    scorer: str
    mean_score: float
    sft: SftYield | None = None
    trajectory_pairs: TrajectoryPairsYield | None = None
    step_pairs: StepPairsYield | None = None
    seconds: float
    run_dir: str

    @classmethod
    def upgrade_v0(cls, data: dict[str, Any], path: Path) -> dict[str, Any]:
        data = dict(data)
        data["run_dir"] = data.pop("output_dir", None) or data.get("run_dir") or str(path.parent)  # older name
        return data


class SFTExample(BaseModel):
    """A line of sft.jsonl: TRL's conversational format (other columns of a dataset brought from
    elsewhere are ignored)."""

    model_config = ConfigDict(extra="ignore")
    messages: list[dict[str, Any]] = Field(min_length=2)
    loss_mask: list[bool] | None = None  # per message; None = every assistant message
    tools: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class PreferencePair(BaseModel):
    """A line of pairs.jsonl / step_pairs.jsonl; the loss masks are per completion message."""

    model_config = ConfigDict(extra="ignore")
    prompt: list[dict[str, Any]] = Field(min_length=1)
    chosen: list[dict[str, Any]] = Field(min_length=1)
    rejected: list[dict[str, Any]] = Field(min_length=1)
    chosen_loss_mask: list[bool] | None = None
    rejected_loss_mask: list[bool] | None = None
    tools: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


# ---- train.py ------------------------------------------------------------------------------------
class TrainHparams(_Part):
    """What names the method in evaluate.py's labels and report.py's tables; DPO's only for DPO."""

    learning_rate: float
    num_train_epochs: float
    max_steps: int
    max_length: int | None
    beta: float | None = None
    loss_type: str | None = None
    pairs: list[str] | None = None
    mask_environment: bool | None = None


class TrainManifest(RunFile):
    """``train.json``: what was trained from what (written before training starts)."""

    FILE, WHAT, WRITER, DIR = "train.json", "a train.py manifest", "train.py", "a finished train.py run dir"
    kind: Literal["train_manifest"] = "train_manifest"
    version: Literal[1] = 1
    algo: Literal["sft", "dpo"]
    model: str
    init_from: str | None
    reference: dict[str, Any]
    data: list[str]
    examples: int
    git_sha: str | None
    world_size: int
    global_batch_size: int
    gradient_accumulation_steps: int
    hparams: TrainHparams
    data_scorer: str | None
    truncation: dict[str, int] | None = Field(
        None, description="DPO: pairs cut at max_length, and those left without a policy token on a side"
    )


class TrainSummary(RunFile):
    """``summary.json`` of train.py, written when training finished: its presence means done."""

    FILE, WHAT, WRITER, DIR = "summary.json", "a train.py summary", "train.py", "a finished train.py run dir"
    kind: Literal["train"] = "train"
    version: Literal[1] = 1
    algo: Literal["sft", "dpo"]
    model: str
    steps: int
    train_loss: float
    first_loss: float | None
    seconds: float
    seconds_per_step: float
    input_tokens: int
    world_size: int
    global_batch_size: int
    gradient_accumulation_steps: int
    resumed_from: str | None
    output: str
    final: dict[str, float] = Field(default_factory=dict, description="the last logged loss, rewards, ...")
    ref_cache: dict[str, Any] | None = None
    rank_weight_checksums: list[str] = Field(default_factory=list)
    merged: str | None = None

    @classmethod
    def upgrade_v0(cls, data: dict[str, Any], path: Path) -> dict[str, Any]:
        final = {k.removeprefix("final/"): v for k, v in data.items() if k.startswith("final/")}
        return {k: v for k, v in data.items() if not k.startswith("final/")} | {"final": final}


# ---- evaluate.py ---------------------------------------------------------------------------------
class MethodInfo(_Part):
    """Where an evaluated policy came from (a train.py run dir's manifest, or nothing: base)."""

    algo: str | None = None
    beta: float | None = None
    loss_type: str | None = None
    init_algo: str | None = None
    data_scorer: str | None = None
    pairs: list[str] | None = None
    policy_from: str | None = None
    policy_step: int | None = None
    train_step: int | None = None
    train_tokens: int | None = None


class TaskSetInfo(_Part):
    kind: str
    split: str | None
    tasks: int
    task_ids: list[str]
    incomplete: list[str] = Field(default_factory=list, description="tasks left out: fewer than K finished samples")


class EvaluationSummary(RunFile):
    """``summary.json`` of evaluate.py: metrics with CIs and the per-task components behind them,
    so report.py recomputes intervals and paired tests without the rollouts. Blocks added after
    version 1 (diagnostics, the generation's summary, provenance) default to empty."""

    FILE, WHAT, WRITER, DIR = "summary.json", "an evaluate.py summary", "evaluate.py", "an evaluate.py run dir"
    kind: Literal["evaluate"] = "evaluate"
    version: Literal[1] = 1
    method: str
    method_info: MethodInfo
    model: str
    model_id: str | None = None
    adapter: str | None = None
    task_set: TaskSetInfo
    samples_per_task: int
    ks: list[int]
    temperature: float
    top_p: float | None = None
    top_k: int | None = None
    greedy: bool
    scorer: str
    confidence: float
    bootstrap_resamples: int
    seed: int
    complete: bool
    episodes: int
    metrics: dict[str, dict[str, Any]]
    per_task: dict[str, Any]
    diagnostics: dict[str, Any] = Field(default_factory=dict)
    comparison: dict[str, Any] | None = None
    generation: dict[str, Any] = Field(default_factory=dict, description="the generation's summary, as written")
    git_sha: str | None = None
    run_dir: str
    config: dict[str, Any] = Field(default_factory=dict)
    seconds: float


# ---- study.py ------------------------------------------------------------------------------------
class StageRecord(_Part):
    entry: str
    overrides: list[str]
    status: Literal["done", "skipped"]
    seconds: float
    run_dir: str
    summary: dict[str, Any] = Field(default_factory=dict, description="the stage's summary, less per-task data")
    reason: str | None = None  # skipped: why this stage did not run
    method: str | None = None  # skipped: the report row it would have led to
    why: str | None = None  # skipped: why that row is missing
    note: str | None = None  # skipped: the line the report carries


class Objective(_Part):
    metric: str
    value: float | None


class StudyRecord(RunFile):
    """``study.json``: each finished (or skipped) stage; a re-run skips them and resumes the rest."""

    FILE, WHAT, WRITER, DIR = "study.json", "a study.py record", "study.py", "a study.py run dir"
    kind: Literal["study"] = "study"
    version: Literal[1] = 1
    stages: dict[str, StageRecord] = Field(default_factory=dict)
    params: dict[str, Any] = Field(default_factory=dict)
    run_dir: str
    notes: str | None = None
    objective: Objective | None = None
    seconds: float = 0.0


# ---- tasks.py ------------------------------------------------------------------------------------
class ValidationSummary(RunFile):
    """``summary.json`` of ``tasks.py validate``."""

    FILE, WHAT, WRITER, DIR = (
        "summary.json",
        "a tasks.py validate summary",
        "tasks.py validate",
        "a tasks.py validate run dir",
    )
    kind: Literal["tasks_validate"] = "tasks_validate"
    version: Literal[1] = 1
    tasks: int
    valid: int
    invalid: int
    load_errors: int
    hangs: int
    seconds: float
