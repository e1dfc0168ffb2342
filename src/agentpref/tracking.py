"""W&B, thinly: offline by default (no account needed), main process only, always finished.

``wandb sync <run_dir>/wandb/offline-run-*`` uploads an offline run later.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class WandbLogger(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["wandb"] = "wandb"
    project: str = "agentpref"
    entity: str | None = None
    mode: Literal["offline", "online", "disabled"] = "offline"
    group: str | None = None
    tags: list[str] = Field(default_factory=list)
    table_rows: int = Field(16, ge=0, description="sample trajectories logged as a wandb.Table")


class NoLogger(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["none"] = "none"


LoggerConfig = WandbLogger | NoLogger


def git_sha(short: bool = True) -> str | None:
    """The repo's commit (``-dirty`` when the working tree has changes), for W&B tags and manifests."""
    import subprocess

    root = Path(__file__).resolve().parents[2]
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return (sha[:8] if short else sha) + ("-dirty" if dirty else "")


def is_main_process() -> bool:
    return int(os.environ.get("RANK", os.environ.get("LOCAL_RANK", "0"))) == 0


class Tracker:
    """One W&B run per job (a Hydra multirun gives one run per job); a no-op when turned off."""

    def __init__(
        self, cfg: LoggerConfig, run_dir: Path, config: dict[str, Any], *, job_type: str, name: str | None = None
    ):
        self.cfg, self.run = cfg, None
        if isinstance(cfg, NoLogger) or cfg.mode == "disabled" or not is_main_process():
            return
        import wandb

        os.environ.setdefault("WANDB_SILENT", "true")
        run_dir.mkdir(parents=True, exist_ok=True)
        self.run = wandb.init(
            project=cfg.project,
            entity=cfg.entity,
            mode=cfg.mode,
            group=cfg.group,
            tags=cfg.tags or None,
            dir=str(run_dir),
            config=config,
            job_type=job_type,
            name=name,
            reinit="finish_previous",
        )

    @property
    def active(self) -> bool:
        return self.run is not None

    @property
    def table_rows(self) -> int:
        return self.cfg.table_rows if isinstance(self.cfg, WandbLogger) else 0

    def log(self, metrics: dict[str, Any], step: int | None = None) -> None:
        if self.run is not None:
            self.run.log(metrics, step=step)

    def summary(self, metrics: dict[str, Any]) -> None:
        if self.run is not None:
            for key, value in metrics.items():
                self.run.summary[key] = value

    def table(self, key: str, columns: list[str], rows: list[list[Any]]) -> None:
        if self.run is not None and rows:
            import wandb

            self.run.log({key: wandb.Table(columns=columns, data=rows)})

    def finish(self, exit_code: int = 0) -> None:
        if self.run is not None:
            self.run.finish(exit_code=exit_code)
            self.run = None
