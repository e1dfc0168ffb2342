"""``study.py``: run pipeline stages (generate, build_data, train, evaluate, report) in order, in
one process, each into ``<run_dir>/<stage>``.

A stage is an entry point plus the command-line overrides it would get; they are composed with
that entry point's own config (so every key is checked exactly as on the command line) and may
interpolate ``${run_dir}`` (earlier stages' outputs) and ``${params.X}`` (the study's knobs, what a
W&B sweep or a Hydra multirun varies). ``study.json`` records each finished stage; re-running
the same run dir skips finished stages and resumes the rest with their own resume logic.

A train stage whose data holds no example (e.g. the SFT model's rollouts gave no preference pair)
is *skipped*, not failed: the study records why, skips the stages that read its output, runs the
rest, and the report names the missing rows. A skipped stage stays skipped on resume.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agentpref.errors import ConfigError
from agentpref.run_files import MethodInfo, Objective, StageRecord, StudyRecord
from agentpref.tracking import LoggerConfig, Tracker, WandbLogger, run_id


class StageSkipped(Exception):
    """A stage with nothing to do. ``reason``: why this stage did not run (one line); ``method``:
    the report row it would have led to; ``why``: why that row is missing (the report's note)."""

    def __init__(self, reason: str, method: str | None = None, why: str | None = None):
        super().__init__(reason)
        self.reason, self.method, self.why = reason, method, why or reason

    @property
    def note(self) -> str:
        return f"{self.method}: {self.why}" if self.method else self.why


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entry: str = Field(description="a pipeline command (agentpref.entrypoints), e.g. generate or train")
    overrides: list[str] = Field(default_factory=list, description="as on that entry point's command line")
    enabled: bool = True

    @field_validator("entry")
    @classmethod
    def _known(cls, entry: str) -> str:
        from agentpref.entrypoints import ENTRY_POINTS

        stages = [name for name, e in ENTRY_POINTS.items() if e.stage]
        if entry not in stages:
            raise ValueError(f"use one of {', '.join(stages)}")
        return entry


class StudyConfig(BaseModel):
    """Config of ``study.py`` (conf/study.yaml); the stages come from a preset (experiment=study_*)."""

    model_config = ConfigDict(extra="forbid")
    stages: dict[str, Stage]
    params: dict[str, Any] = Field(default_factory=dict, description="knobs the stages interpolate")
    metric: str | None = Field(None, description="<evaluate stage>/<metric>: the study's objective")
    notes: str | None = Field(None, description="what the study's sizes mean; printed first and last")
    stage_loggers: bool = Field(
        True,
        description="each stage its own live W&B run in the study's group (off, and always under a "
        "W&B sweep agent: the study's one run carries every stage's metrics)",
    )
    keep: str | None = Field(
        None,
        description="a folder (e.g. results/cpu_study/seed0): each finished stage's small result "
        "files (summary.json, stats.json, train.json, study.json) are copied to <keep>/<stage>/ at once, "
        "so a study cut off later, or whose outputs/ is lost, leaves its numbers to commit",
    )
    only: list[str] | None = Field(
        None, description="run just these stages (e.g. one ablation row and its evaluation); the rest stay as they are"
    )
    logger: LoggerConfig = Field(discriminator="kind")
    run_dir: str

    @model_validator(mode="after")
    def _known_only(self) -> StudyConfig:
        unknown = [name for name in self.only or [] if name not in self.stages]
        if unknown:
            raise ValueError(f"only={unknown}: no such stage; stages: {', '.join(self.stages)}")
        return self

    @field_validator("stages")
    @classmethod
    def _reachable_names(cls, stages: dict[str, Stage]) -> dict[str, Stage]:
        for name in stages:
            if "." in name:
                raise ValueError(f"stage {name!r}: rename it without '.' (stages.<name>.enabled=false cannot reach it)")
        return stages


def _points_into(value: str, dirs: dict[str, Path]) -> str | None:
    """The name of the dir of ``dirs`` that a path in an override value lies in, if any."""
    for part in re.split(r"[\[\],'\"\s]+", value):
        if "/" not in part:
            continue
        path = Path(part).resolve()
        for name, folder in dirs.items():
            if path == folder or folder in path.parents:
                return name
    return None


def reads_skipped(stage: Stage, root: Path, skipped: dict[str, StageRecord]) -> str | None:
    """The skipped stage whose output one of ``stage``'s overrides points into, if any."""
    dirs = {name: (root / name).resolve() for name in skipped}
    for override in stage.overrides:
        found = _points_into(override.partition("=")[2], dirs)
        if found:
            return found
    return None


def _train_method(cfg: Any) -> str:
    """The row label evaluate.py would give this train run (for the note of a skipped one)."""
    from agentpref.evaluation.run import method_label
    from agentpref.training.artifacts import trained_algo

    trl = cfg.trl_overrides
    beta = trl.get("beta")
    if cfg.algo.name == "dpo" and beta is None:
        import trl as trl_lib

        beta = trl_lib.DPOConfig.__dataclass_fields__["beta"].default
    loss = trl.get("loss_type")
    return method_label(
        MethodInfo(
            algo=cfg.algo.name,
            beta=beta if cfg.algo.name == "dpo" else None,
            loss_type=loss if loss is None or isinstance(loss, str) else "+".join(loss),
            pairs=cfg.algo.pairs if cfg.algo.name == "dpo" else None,
            init_algo=trained_algo(cfg.init_from),
        )
    )


def _no_examples(exc: Any, cfg: Any, root: Path) -> StageSkipped:
    data = Path(cfg.data).resolve()
    producer = next((p for p in (data, *data.parents) if p.parent == root.resolve()), None)
    where = f"the {producer.name} stage produced" if producer else f"data={cfg.data} has"
    return StageSkipped(f"{where} {exc.what}", _train_method(cfg), f"not trained — {where} {exc.what}")


def run_stage(
    name: str, stage: Stage, out: Path, logger: WandbLogger | None = None, skipped: dict[str, StageRecord] | None = None
) -> Any:
    """Compose, validate and run one stage in this process; returns its summary. ``logger``: the
    stage's W&B run (the study's group, ``job_type`` the stage's name), or None for none, unless the
    stage sets its own ``logger``. Raises :class:`StageSkipped` for a train stage without examples
    and a report whose runs were all skipped (``skipped``: the study's skipped stages, whose runs a
    report leaves out)."""
    from omegaconf import OmegaConf

    from agentpref.entrypoints import compose, entry_point, run_entry, validate

    overrides = [*stage.overrides, f"run_dir={out}"]
    own_logger = any(o.lstrip("+~").startswith(("logger=", "logger.")) for o in stage.overrides)
    logged = entry_point(stage.entry).logged
    if logged and logger is None and not own_logger:
        overrides.insert(0, "logger=none")  # the study's one W&B run carries the stages' metrics
    try:
        cfg = compose(stage.entry, overrides)
    except Exception as exc:  # Hydra's override / missing-key errors, named with the stage
        raise ConfigError(f"stage {name!r} ({stage.entry}): {str(exc).splitlines()[0]}") from None
    if logged and logger is not None:
        if not own_logger:
            cfg.logger = OmegaConf.create(logger.model_dump(mode="json"))
        elif cfg.logger.kind == "wandb":  # the stage's own logger, in the study's group all the same
            cfg.logger.group = cfg.logger.group or logger.group
            cfg.logger.job_type, cfg.logger.notes = cfg.logger.job_type or name, cfg.logger.notes or logger.notes
    command = f"python study.py (stage {name}): {stage.entry}.py " + " ".join(overrides)
    try:
        if stage.entry == "train":
            from agentpref.training.run import NoExamplesError

            try:
                return run_entry(stage.entry, cfg, command)
            except NoExamplesError as exc:  # the study goes on; train.py alone fails with it
                raise _no_examples(exc, validate("train", cfg), out.parent) from None
        if stage.entry == "report" and skipped:  # rows of skipped stages: left out, named under the table
            runs = [str(r) for r in cfg.runs]
            dirs = {n: (out.parent / n).resolve() for n in skipped}
            gone = {run: _points_into(run, dirs) for run in runs}
            notes = list(dict.fromkeys(skipped[g].note for g in gone.values() if g))
            keep = [run for run, g in gone.items() if not g]
            if not keep:
                raise StageSkipped("every run it reports was skipped: " + "; ".join(notes))
            cfg.runs, cfg.missing = keep, [*cfg.missing, *notes]
        return run_entry(stage.entry, cfg, command)
    except ConfigError as exc:
        raise ConfigError(f"stage {name!r} ({stage.entry}): {exc}") from None


def _objective(cfg: StudyConfig, done: dict[str, StageRecord]) -> float | None:
    stage, _, metric = cfg.metric.partition("/")
    if stage not in done or done[stage].status == "skipped":
        return None
    metrics = done[stage].summary.get("metrics") or {}
    if metric not in metrics:
        raise ConfigError(f"metric={cfg.metric}: stage {stage!r} has no metric {metric!r}")
    return metrics[metric].get("value")


def _stage_summary(result: Any) -> dict[str, Any]:
    """What study.json keeps of a stage's result: its summary without per-task data."""
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    return {k: v for k, v in result.items() if k not in ("per_task", "config")} if isinstance(result, dict) else {}


KEPT_FILES = ("summary.json", "stats.json", "train.json", "generation.json")


def keep_results(root: Path, stage: str | None, keep: Path) -> None:
    """Copy a stage's small result files and study.json (``stage=None``: study.json only) under
    ``keep``: what report.py and the tables need, without rollouts, datasets or weights. Paths
    under the working directory are written relative to it (committed files name no machine's paths)."""
    here = f"{Path.cwd().resolve()}/"
    files = [
        (root / stage / name, keep / stage / name) for name in KEPT_FILES if stage and (root / stage / name).is_file()
    ]
    for src, dst in [*files, (root / StudyRecord.FILE, keep / StudyRecord.FILE)]:
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(src.read_text(encoding="utf-8").replace(here, ""), encoding="utf-8")


def _group_logger(cfg: StudyConfig, root: Path) -> WandbLogger | None:
    """The study's W&B settings: its group (``logger.group``, or one named after the run dir) and
    notes; None without W&B. Under a W&B sweep agent the stages log into the study's run (the
    agent's), so stage runs are turned off there."""
    import os

    if not isinstance(cfg.logger, WandbLogger) or cfg.logger.mode == "disabled":
        return None
    if cfg.stage_loggers and os.environ.get("WANDB_SWEEP_ID"):
        print("[study] under a W&B sweep agent: one run for the study, none per stage", file=sys.stderr)
        cfg.stage_loggers = False
    group = cfg.logger.group or f"{root.resolve().name}-{run_id(root)}"
    return cfg.logger.model_copy(update={"group": group, "notes": cfg.logger.notes or cfg.notes})


def run_study(cfg: StudyConfig, config_dict: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every enabled stage in order; returns the study record (also ``<run_dir>/study.json``)."""
    if not cfg.stages:
        raise ConfigError("the study has no stages: pick a preset, e.g. experiment=study_demo")
    if cfg.metric and cfg.metric.partition("/")[0] not in cfg.stages:
        raise ConfigError(
            f"metric={cfg.metric}: no stage {cfg.metric.partition('/')[0]!r}; stages: {', '.join(cfg.stages)}"
        )
    root = Path(cfg.run_dir)
    root.mkdir(parents=True, exist_ok=True)
    previous = StudyRecord.read_if_present(root)
    record = StudyRecord(
        stages=previous.stages if previous else {}, params=cfg.params, run_dir=str(root), notes=cfg.notes
    )
    if cfg.notes:
        print(f"[study] note: {cfg.notes}", file=sys.stderr)
    done = record.stages
    enabled = [(n, s) for n, s in cfg.stages.items() if s.enabled and (cfg.only is None or n in cfg.only)]
    logger = _group_logger(cfg, root)
    started = time.perf_counter()
    for i, (name, stage) in enumerate(enabled, 1):
        prior = done.get(name)
        if prior:
            if prior.overrides != stage.overrides:
                raise ConfigError(
                    f"stage {name!r} already ran in {root} with other overrides ({prior.overrides}): use a new run_dir"
                )
            how = "done before, skipped" if prior.status == "done" else f"skipped before — {prior.reason}"
            print(f"[study] {i}/{len(enabled)} {name} ({stage.entry}): {how}", file=sys.stderr)
            continue
        skipped = {n: s for n, s in done.items() if s.status == "skipped"}
        t0 = time.perf_counter()
        try:
            blocker = reads_skipped(stage, root, skipped) if stage.entry != "report" else None
            if blocker:  # its input was never made
                method = next((o.partition("=")[2] for o in stage.overrides if o.startswith("method=")), None)
                raise StageSkipped(
                    f"it reads {blocker}, which was skipped", method or skipped[blocker].method, skipped[blocker].why
                )
            print(
                f"[study] {i}/{len(enabled)} {name} ({stage.entry}) -> {root / name}  "
                f"[{time.perf_counter() - started:.0f}s so far]",
                file=sys.stderr,
                flush=True,
            )
            stage_logger = logger.model_copy(update={"job_type": name}) if logger and cfg.stage_loggers else None
            result = run_stage(name, stage, root / name, stage_logger, skipped)
            done[name] = StageRecord(
                entry=stage.entry,
                overrides=stage.overrides,
                status="done",
                seconds=round(time.perf_counter() - t0, 1),
                run_dir=str(root / name),
                summary=_stage_summary(result),
            )
        except StageSkipped as skip:
            print(
                f"[study] {i}/{len(enabled)} {name} ({stage.entry}): skipped — {skip.reason}",
                file=sys.stderr,
                flush=True,
            )
            done[name] = StageRecord(
                entry=stage.entry,
                overrides=stage.overrides,
                status="skipped",
                reason=skip.reason,
                method=skip.method,
                why=skip.why,
                note=skip.note,
                seconds=round(time.perf_counter() - t0, 1),
                run_dir=str(root / name),
            )
        record.write(root)
        if cfg.keep:
            keep_results(root, name, Path(cfg.keep))
    record.objective = Objective(metric=cfg.metric, value=_objective(cfg, done)) if cfg.metric else None
    record.seconds = round(sum(s.seconds for s in done.values()), 1)
    record.write(root)
    if cfg.keep:  # the finished record: objective and total time
        keep_results(root, None, Path(cfg.keep))
    config = config_dict or cfg.model_dump(mode="json")
    tracker = Tracker(logger or cfg.logger, root, config, job_type="study", name=f"study-{root.name}")
    try:
        tracker.use(*(s.run_dir for s in done.values() if s.entry == "evaluate" and s.status == "done"))
        summary = {f"{name}/seconds": s.seconds for name, s in done.items()}
        for name, stage in done.items():  # evaluation metrics of every evaluate stage
            if stage.entry != "evaluate":
                continue
            for metric, m in stage.summary.get("metrics", {}).items():
                if m.get("value") is not None:
                    summary[f"{name}/{metric}"] = m["value"]
        if record.objective and record.objective.value is not None:
            summary |= {cfg.metric: record.objective.value, "objective": record.objective.value}
        tracker.summary(summary)
    finally:
        tracker.finish()
    return record


def print_summary(record: StudyRecord) -> None:
    lines = [
        f"  {name:<16} {s.entry:<10} {s.seconds:>8.1f}s  {s.run_dir}"
        + (f"  (skipped — {s.reason})" if s.status == "skipped" else "")
        for name, s in record.stages.items()
    ]
    print(
        "\n".join([f"[study] {record.run_dir}: {len(record.stages)} stages, {record.seconds:.0f}s", *lines]),
        file=sys.stderr,
    )
    if record.objective:
        print(f"[study] {record.objective.metric} = {record.objective.value}", file=sys.stderr)
    if record.notes:
        print(f"[study] note: {record.notes}", file=sys.stderr)
    print(json.dumps(record.model_dump(mode="json", exclude={"stages"}) | {"stages": list(record.stages)}))
