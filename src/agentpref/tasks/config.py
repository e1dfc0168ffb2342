"""Config models of the ``tasks`` and ``sandbox`` groups (conf/tasks/*.yaml, conf/sandbox/*.yaml)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentpref.sandbox.limits import Limits
from agentpref.tasks.mutations import OPERATOR_CLASSES


class _TaskSetBase(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programs: list[str] | None = Field(None, description="only these programs (names)")
    split: Literal["train", "heldout"] | None = Field(None, description="keep one side of the split")
    heldout_fraction: float = Field(0.25, ge=0, le=1)
    split_salt: str = "agentpref"
    per_program: int | None = Field(
        None,
        ge=1,
        description="at most N tasks of each source program (the first ones): a spread-out subset of a large set",
    )
    limit: int | None = Field(None, ge=1, description="first N tasks after filtering")


class BuiltinTasks(_TaskSetBase):
    kind: Literal["builtin"] = "builtin"
    root: str | None = Field(None, description="corpus directory; default: the packaged corpus")


class QuixBugsTasks(_TaskSetBase):
    kind: Literal["quixbugs"] = "quixbugs"
    root: str = Field(description="a clone of the public QuixBugs repository")


class BugsInPyTasks(_TaskSetBase):
    kind: Literal["bugsinpy"] = "bugsinpy"
    root: str = Field(description="a folder of prepared BugsInPy bug checkouts")


class SyntheticTasks(_TaskSetBase):
    kind: Literal["synthetic"] = "synthetic"
    sources: list[Literal["builtin", "quixbugs"]] = ["builtin"]
    quixbugs_root: str | None = Field(None, description="also mutate QuixBugs' correct programs")
    seed: int = 0
    mutants_per_program: int = Field(20, ge=1)
    max_attempts_per_program: int = Field(80, ge=1)
    n_mutations: int = Field(1, ge=1, le=5, description="mutations per mutant (difficulty knob)")
    operators: list[Literal[OPERATOR_CLASSES]] = list(OPERATOR_CLASSES)  # type: ignore[valid-type]
    cache_dir: str = "data/cache/synthetic"
    per_test_timeout_s: float = Field(1.0, gt=0, description="per-test timeout while validating mutants")


TaskSetConfig = Annotated[BuiltinTasks | QuixBugsTasks | BugsInPyTasks | SyntheticTasks, Field(discriminator="kind")]


class TasksCommandConfig(BaseModel):
    """Config of ``tasks.py`` (conf/tasks_cli.yaml)."""

    model_config = ConfigDict(extra="forbid")
    command: Literal["list", "validate", "synthesize"] = "list"
    tasks: TaskSetConfig
    sandbox: Limits
    runner: Literal["fork", "subprocess"] = "fork"
    workers: int = Field(2, ge=1)
    run_dir: str
    verbose: bool = False
