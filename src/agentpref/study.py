"""``study.py``: run pipeline stages (generate, build_data, train, evaluate, report) in order, in
one process, each into ``<run_dir>/<stage>``.

A stage is an entry point plus the command-line overrides it would get; they are composed with
that entry point's own config (so every key is checked exactly as on the command line) and may
interpolate ``${run_dir}`` (earlier stages' outputs) and ``${params.X}`` (the study's knobs, what a
W&B sweep or a Hydra multirun varies). ``study.json`` records each finished stage; re-running
the same run dir skips finished stages and resumes the rest with their own resume logic.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentpref.errors import ConfigError
from agentpref.jsonl import write_lines_atomic
from agentpref.tracking import LoggerConfig, Tracker

Entry = Literal["generate", "build_data", "train", "evaluate", "report"]
STUDY_FILE = "study.json"
LOGGED = ("generate", "train", "evaluate")  # entry points with a logger group
CONF_DIR = Path(__file__).resolve().parents[2] / "conf"
# Which key of each entry point's config names its output dir.
OUTPUT_KEY = {"generate": "run_dir", "build_data": "output_dir", "train": "run_dir", "evaluate": "run_dir",
              "report": "out_dir"}


class Stage(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entry: Entry
    overrides: list[str] = Field(default_factory=list, description="as on that entry point's command line")
    enabled: bool = True


class StudyConfig(BaseModel):
    """Config of ``study.py`` (conf/study.yaml); the stages come from a preset (experiment=study_*)."""

    model_config = ConfigDict(extra="forbid")
    stages: dict[str, Stage]
    params: dict[str, Any] = Field(default_factory=dict, description="knobs the stages interpolate")
    metric: str | None = Field(None, description="<evaluate stage>/<metric>: the study's objective")
    notes: str | None = Field(None, description="what the study's sizes mean; printed first and last")
    stage_loggers: bool = Field(False, description="each stage its own W&B run (off: the study's one run "
                                                   "carries every stage's metrics, as a W&B sweep needs)")
    logger: LoggerConfig = Field(discriminator="kind")
    run_dir: str


def _compose(entry: str, overrides: list[str]) -> Any:
    """The entry point's config with these overrides, as its own command line would give it."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import open_dict

    import agentpref.config  # noqa: F401  (registers the ${launch_time:} and ${basename:} resolvers)

    if GlobalHydra.instance().is_initialized():  # inside study.py's own Hydra app
        cfg = compose(config_name=entry, overrides=overrides)
    else:
        with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
            cfg = compose(config_name=entry, overrides=overrides)
    with open_dict(cfg):
        cfg.pop("hydra", None)
    return cfg


def run_stage(name: str, stage: Stage, out: Path, stage_logger: bool = False) -> dict[str, Any]:
    """Compose, validate and run one stage in this process; returns its summary."""
    from omegaconf import OmegaConf

    from agentpref.config import validate_config

    overrides = [*stage.overrides, f"{OUTPUT_KEY[stage.entry]}={out}"]
    own_logger = any(o.lstrip("+~").startswith(("logger=", "logger.")) for o in stage.overrides)
    if stage.entry in LOGGED and not stage_logger and not own_logger:
        overrides.insert(0, "logger=none")  # one W&B run per study (a sweep's run is the study's)
    try:
        cfg = _compose(stage.entry, overrides)
    except Exception as exc:  # Hydra's override / missing-key errors, named with the stage
        raise ConfigError(f"stage {name!r} ({stage.entry}): {str(exc).splitlines()[0]}") from None
    try:
        if stage.entry == "generate":
            from agentpref.agent.generation import GenerateConfig, run_generation

            return run_generation(validate_config(cfg, GenerateConfig), OmegaConf.to_container(cfg, resolve=True))
        if stage.entry == "build_data":
            from agentpref.data.build import BuildDataConfig, build_data

            return build_data(validate_config(cfg, BuildDataConfig))
        if stage.entry == "train":
            from agentpref.training.config import TrainConfig
            from agentpref.training.run import train

            return train(validate_config(cfg, TrainConfig), OmegaConf.to_container(cfg, resolve=True))
        if stage.entry == "evaluate":
            from agentpref.evaluation.run import EvalConfig, run_evaluation

            return run_evaluation(validate_config(cfg, EvalConfig), OmegaConf.to_container(cfg, resolve=True))
        from agentpref.reporting.run import ReportConfig, make_report

        command = f"python study.py (stage {name}): report.py " + " ".join(overrides)
        return make_report(validate_config(cfg, ReportConfig), command)
    except ConfigError as exc:
        raise ConfigError(f"stage {name!r} ({stage.entry}): {exc}") from None


def _objective(cfg: StudyConfig, done: dict[str, Any]) -> float | None:
    if not cfg.metric:
        return None
    stage, _, metric = cfg.metric.partition("/")
    summary = done.get(stage, {}).get("summary") or {}
    value = (summary.get("metrics") or {}).get(metric, {}).get("value")
    if stage in done and value is None and metric not in (summary.get("metrics") or {}):
        raise ConfigError(f"metric={cfg.metric}: stage {stage!r} has no metric {metric!r}")
    return value


def run_study(cfg: StudyConfig, config_dict: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every enabled stage in order; returns the study record (also ``<run_dir>/study.json``)."""
    if not cfg.stages:
        raise ConfigError("the study has no stages: pick a preset, e.g. experiment=study_demo")
    if cfg.metric and cfg.metric.partition("/")[0] not in cfg.stages:
        raise ConfigError(f"metric={cfg.metric}: no stage {cfg.metric.partition('/')[0]!r}; "
                          f"stages: {', '.join(cfg.stages)}")
    root = Path(cfg.run_dir)
    root.mkdir(parents=True, exist_ok=True)
    record_path = root / STUDY_FILE
    record = json.loads(record_path.read_text()) if record_path.is_file() else {"stages": {}}
    record |= {"params": cfg.params, "run_dir": str(root)}
    record["notes"] = cfg.notes
    if cfg.notes:
        print(f"[study] note: {cfg.notes}", file=sys.stderr)
    done = record["stages"]
    enabled = [(n, s) for n, s in cfg.stages.items() if s.enabled]
    started = time.perf_counter()
    for i, (name, stage) in enumerate(enabled, 1):
        prior = done.get(name)
        if prior and prior.get("status") == "done":
            if prior.get("overrides") != stage.overrides:
                raise ConfigError(f"stage {name!r} already ran in {root} with other overrides "
                                  f"({prior.get('overrides')}): use a new run_dir")
            print(f"[study] {i}/{len(enabled)} {name} ({stage.entry}): done before, skipped", file=sys.stderr)
            continue
        print(f"[study] {i}/{len(enabled)} {name} ({stage.entry}) -> {root / name}  "
              f"[{time.perf_counter() - started:.0f}s so far]", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        summary = run_stage(name, stage, root / name, cfg.stage_loggers)
        done[name] = {"entry": stage.entry, "overrides": stage.overrides, "status": "done",
                      "seconds": round(time.perf_counter() - t0, 1), "run_dir": str(root / name),
                      "summary": {k: v for k, v in summary.items() if k not in ("per_task", "config")}}
        write_lines_atomic(record_path, [json.dumps(record, indent=2, default=str)])
    record["objective"] = {"metric": cfg.metric, "value": _objective(cfg, done)} if cfg.metric else None
    record["seconds"] = round(sum(s.get("seconds", 0) for s in done.values()), 1)
    write_lines_atomic(record_path, [json.dumps(record, indent=2, default=str)])
    tracker = Tracker(cfg.logger, root, config_dict or cfg.model_dump(mode="json"), job_type="study",
                      name=f"study-{root.name}")
    try:
        summary = {f"{name}/seconds": s["seconds"] for name, s in done.items()}
        for name, stage in done.items():  # evaluation metrics of every evaluate stage
            if stage["entry"] != "evaluate":
                continue
            for metric, m in stage["summary"].get("metrics", {}).items():
                if m.get("value") is not None:
                    summary[f"{name}/{metric}"] = m["value"]
        if record["objective"] and record["objective"]["value"] is not None:
            summary |= {cfg.metric: record["objective"]["value"], "objective": record["objective"]["value"]}
        tracker.summary(summary)
    finally:
        tracker.finish()
    return record


def print_summary(record: dict[str, Any]) -> None:
    lines = [f"  {name:<16} {s['entry']:<10} {s['seconds']:>8.1f}s  {s['run_dir']}" for name, s in record["stages"].items()]
    print("\n".join([f"[study] {record['run_dir']}: {len(record['stages'])} stages, {record['seconds']:.0f}s", *lines]),
          file=sys.stderr)
    if record.get("objective"):
        print(f"[study] {record['objective']['metric']} = {record['objective']['value']}", file=sys.stderr)
    if record.get("notes"):
        print(f"[study] note: {record['notes']}", file=sys.stderr)
    print(json.dumps({k: v for k, v in record.items() if k != "stages"} | {"stages": list(record["stages"])}))
