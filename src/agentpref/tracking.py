"""W&B, thinly: offline by default (no account needed), main process only, always finished.

Each run dir keeps its W&B run id (``wandb/run_id``), so a resumed run dir resumes its W&B run.
A run logs its output files as an artifact (``rollouts``, ``dataset``, ``model``, ``evaluation``)
named after its run dir, with the artifacts of the run dirs it read as inputs; ``wandb/lineage.json``
records both, which is how a later run finds its inputs' artifacts. Online, inputs are declared with
``use_artifact``; W&B refuses that offline, so ``python -m agentpref.tracking sync <dir>...`` uploads
the offline runs and then declares the recorded inputs through the API.
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
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
    job_type: str | None = Field(None, description="default: the entry point (study.py sets the stage's name)")
    notes: str | None = None
    tags: list[str] = Field(default_factory=list)
    table_rows: int = Field(16, ge=0, description="sample trajectories logged as a wandb.Table")
    artifacts: bool = Field(True, description="log the run's output files as a W&B artifact, its inputs as lineage")


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


LINEAGE_FILE = "lineage.json"  # under <run_dir>/wandb/


def run_id(run_dir: Path) -> str:
    """The W&B run id of a run dir: made on its first run and kept in it (``wandb/run_id``)."""
    path = run_dir / "wandb" / "run_id"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    made = uuid.uuid4().hex[:8]
    path.write_text(made + "\n", encoding="utf-8")
    return made


def find_lineage(path: Path) -> dict[str, Any] | None:
    """The lineage record of the run that made ``path`` (a run dir, or a file or dir up to two
    levels inside one, e.g. ``<run>/adapter`` or ``<run>/checkpoints/checkpoint-8``)."""
    path = Path(path).resolve()
    for folder in (path, *path.parents[:2]):
        record = folder / "wandb" / LINEAGE_FILE
        if record.is_file():
            return json.loads(record.read_text(encoding="utf-8"))
    return None


class Tracker:
    """One W&B run per job (a Hydra multirun gives one run per job); a no-op when turned off."""

    def __init__(
        self, cfg: LoggerConfig, run_dir: Path, config: dict[str, Any], *, job_type: str, name: str | None = None
    ):
        self.cfg, self.run, self.run_dir, self.inputs = cfg, None, Path(run_dir), []
        if isinstance(cfg, NoLogger) or cfg.mode == "disabled" or not is_main_process():
            return
        import wandb

        os.environ.setdefault("WANDB_SILENT", "true")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.run = wandb.init(
            project=cfg.project,
            entity=cfg.entity,
            mode=cfg.mode,
            group=cfg.group,
            tags=cfg.tags or None,
            notes=cfg.notes,
            dir=str(self.run_dir),
            config=config,
            job_type=cfg.job_type or job_type,
            name=name,
            id=run_id(self.run_dir),
            resume="allow",
            reinit="finish_previous",
        )

    @property
    def active(self) -> bool:
        return self.run is not None

    @property
    def table_rows(self) -> int:
        return self.cfg.table_rows if isinstance(self.cfg, WandbLogger) else 0

    @property
    def _artifacts(self) -> bool:
        return self.run is not None and isinstance(self.cfg, WandbLogger) and self.cfg.artifacts

    def use(self, *paths: str | Path | None) -> list[str]:
        """Declare the artifacts of the runs that made ``paths`` inputs of this run (runs that
        logged none are passed over); returns their references (``name:run-<id>``)."""
        if not self._artifacts:
            return []
        found = (find_lineage(Path(p)) for p in paths if p)
        self.inputs = list(dict.fromkeys([*self.inputs, *(f["artifact"] for f in found if f)]))
        self.run.config.update({"inputs": self.inputs}, allow_val_change=True)
        if self.cfg.mode == "online":
            for ref in self.inputs:
                try:
                    self.run.use_artifact(ref)
                except Exception as exc:  # lineage is worth a warning, never a failed run
                    print(f"[agentpref] W&B: could not declare input {ref}: {exc}", file=sys.stderr)
        return self.inputs

    def log_artifact(self, kind: str, paths: list[Path], metadata: dict[str, Any] | None = None) -> str | None:
        """Log the files and dirs of ``paths`` (those that exist) as this run's ``kind`` artifact,
        with its inputs in the metadata, and record it in ``wandb/lineage.json``."""
        if not self._artifacts:
            return None
        import wandb

        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.run_dir.resolve().name}-{kind}")
        artifact = wandb.Artifact(name, type=kind, metadata={"inputs": self.inputs} | (metadata or {}))
        for path in paths:
            if path.is_dir():
                artifact.add_dir(str(path), name=path.name)
            elif path.is_file():
                artifact.add_file(str(path))
        alias = f"run-{self.run.id}"
        self.run.log_artifact(artifact, aliases=["latest", alias])
        if self.cfg.mode == "online":
            artifact.wait()  # the next stage's run may declare it as input at once
        ref = f"{name}:{alias}"
        record = {
            "run_id": self.run.id,
            "entity": self.cfg.entity,
            "project": self.cfg.project,
            "artifact": ref,
            "type": kind,
            "inputs": self.inputs,
        }
        (self.run_dir / "wandb" / LINEAGE_FILE).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        return ref

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


def link_inputs(folders: list[Path], api: Any) -> list[tuple[str, str]]:
    """Declare, through the W&B API, the inputs recorded in every ``wandb/lineage.json`` under
    ``folders`` (after their offline runs were synced); returns the (run, artifact) pairs linked."""
    linked = []
    for record_file in sorted(f for folder in folders for f in Path(folder).rglob(f"wandb/{LINEAGE_FILE}")):
        record = json.loads(record_file.read_text(encoding="utf-8"))
        where = f"{record['entity'] or api.default_entity}/{record['project']}"
        run = api.run(f"{where}/{record['run_id']}")
        for ref in record["inputs"]:
            run.use_artifact(api.artifact(f"{where}/{ref}"))
            linked.append((record["run_id"], ref))
    return linked


def sync(folders: list[Path]) -> None:
    """Upload the offline runs under ``folders`` (oldest first) and declare their recorded inputs."""
    import subprocess

    import wandb

    runs = sorted((r for f in folders for r in Path(f).rglob("wandb/offline-run-*")), key=lambda r: r.name)
    if not runs:
        raise SystemExit(f"no offline W&B run under {', '.join(map(str, folders))}")
    subprocess.run(["wandb", "sync", *map(str, runs)], check=True)
    for run_name, ref in link_inputs(folders, wandb.Api()):
        print(f"{run_name} <- {ref}")


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "sync":
        raise SystemExit("usage: python -m agentpref.tracking sync <run or study dir>...")
    sync([Path(a) for a in sys.argv[2:]])
