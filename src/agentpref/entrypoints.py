"""The pipeline's commands in one table: name -> config model, run function, printer.

Each root script (``generate.py``, ``train.py``, ...) is a Hydra app over ``conf/<name>.yaml``
that hands its composed config to :func:`run_cli`; ``study.py`` runs its stages through
:func:`run_entry`, and the tests compose configs through :func:`compose` and :func:`load`. Every
command writes into its config's ``run_dir``. Stage modules are imported only when their command
runs, so ``report.py`` does not load torch.
"""

from __future__ import annotations

import importlib
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict
from pydantic import BaseModel

from agentpref.config import validate_config
from agentpref.errors import AgentprefError, ConfigError

CONF_DIR = Path(__file__).resolve().parents[2] / "conf"


@dataclass(frozen=True)
class EntryPoint:
    """One command. ``config``/``run``/``printer``/``check`` are ``module:attribute`` paths;
    ``run`` takes the validated config, then the arguments named in ``takes`` (``raw``: the
    resolved config as a dict, for W&B; ``command``: the command line, for provenance); ``check``
    validates what the config model cannot see alone (train: keys against TRL's dataclasses)."""

    name: str
    config: str
    run: str
    printer: str | None
    takes: tuple[str, ...] = ()
    logged: bool = False  # has a logger group (W&B)
    check: str | None = None
    run_dir_from_hydra: bool = True  # run_dir is Hydra's job dir (one per job of a multirun)
    stage: bool = True  # can be a stage of study.py


ENTRY_POINTS: dict[str, EntryPoint] = {
    e.name: e
    for e in (
        EntryPoint(
            "generate",
            "agentpref.agent.generation:GenerateConfig",
            "agentpref.agent.generation:run_generation",
            "agentpref.agent.generation:print_summary",
            ("raw",),
            logged=True,
        ),
        EntryPoint(
            "build_data",
            "agentpref.data.build:BuildDataConfig",
            "agentpref.data.build:build_data",
            "agentpref.data.build:print_stats",
            logged=True,
        ),
        EntryPoint(
            "train",
            "agentpref.training.config:TrainConfig",
            "agentpref.training.run:train",
            "agentpref.training.run:print_summary",
            ("raw",),
            logged=True,
            check="agentpref.training.config:check_trainer_keys",
        ),
        EntryPoint(
            "evaluate",
            "agentpref.evaluation.run:EvalConfig",
            "agentpref.evaluation.run:run_evaluation",
            "agentpref.evaluation.run:print_summary",
            ("raw",),
            logged=True,
        ),
        EntryPoint(
            "score",
            "agentpref.scoring.run:ScoreConfig",
            "agentpref.scoring.run:score_run",
            "agentpref.scoring.run:print_summary",
            run_dir_from_hydra=False,
        ),
        EntryPoint(
            "report",
            "agentpref.reporting.run:ReportConfig",
            "agentpref.reporting.run:make_report",
            "agentpref.reporting.run:print_summary",
            ("command",),
            run_dir_from_hydra=False,
        ),
        EntryPoint(
            "study",
            "agentpref.study:StudyConfig",
            "agentpref.study:run_study",
            "agentpref.study:print_summary",
            ("raw",),
            logged=True,
            stage=False,
        ),
        EntryPoint(
            "tasks_cli", "agentpref.tasks.config:TasksCommandConfig", "agentpref.tasks.cli:run", None, stage=False
        ),
    )
}


def _attr(path: str) -> Any:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def entry_point(name: str) -> EntryPoint:
    try:
        return ENTRY_POINTS[name]
    except KeyError:
        raise ConfigError(f"unknown entry point {name!r}: use one of {', '.join(ENTRY_POINTS)}") from None


def config_model(name: str) -> type[BaseModel]:
    return _attr(entry_point(name).config)


def compose(name: str, overrides: list[str] | tuple[str, ...] = (), **values: Any) -> DictConfig:
    """``conf/<name>.yaml`` with command-line ``overrides`` (and ``values`` set after them), as the
    command's own command line would give it, without the ``hydra`` node."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    entry_point(name)
    if GlobalHydra.instance().is_initialized():  # inside a Hydra app (study.py's stages)
        cfg = hydra_compose(config_name=name, overrides=list(overrides))
    else:
        with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
            cfg = hydra_compose(config_name=name, overrides=list(overrides))
    with open_dict(cfg):
        cfg.pop("hydra", None)
        for key, value in values.items():
            cfg[key] = str(value) if isinstance(value, Path) else value
    return cfg


def validate(name: str, cfg: DictConfig) -> BaseModel:
    """A composed config validated into the command's config model (one-line ConfigError)."""
    entry = entry_point(name)
    config = validate_config(cfg, config_model(name))
    if entry.check:
        _attr(entry.check)(config)
    return config


def load(name: str, overrides: list[str] | tuple[str, ...] = (), **values: Any) -> BaseModel:
    """:func:`compose`, then :func:`validate`."""
    return validate(name, compose(name, overrides, **values))


def run_entry(name: str, cfg: DictConfig, command: str | None = None) -> Any:
    """Validate a composed config and run the command; returns what its run function returns."""
    entry = entry_point(name)
    config = validate(name, cfg)
    given = {
        "raw": lambda: OmegaConf.to_container(cfg, resolve=True),
        "command": lambda: command or f"python {name}.py",
    }
    return _attr(entry.run)(config, *(given[k]() for k in entry.takes))


def print_result(name: str, result: Any) -> None:
    printer = entry_point(name).printer
    if printer:
        _attr(printer)(result)


def free_accelerator_memory() -> None:
    """Drop the finished job's models and give their GPU memory back (no-op without CUDA); a vLLM
    engine stays for the next job on the same base model (policies/vllm.py)."""
    import gc

    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def run_cli(name: str, cfg: DictConfig) -> None:
    """A root script's body: run the command, print its result; a project error is one line on
    stderr and exit code 2, a non-zero int result is the exit code."""
    from hydra.core.hydra_config import HydraConfig

    hydra = HydraConfig.get()
    try:
        if entry_point(name).run_dir_from_hydra:
            cfg.run_dir = hydra.runtime.output_dir  # in a multirun: one subdir per job
        script = Path(sys.argv[0]).name if sys.argv and sys.argv[0].endswith(".py") else f"{name}.py"
        command = " ".join(["python", script, *(shlex.quote(o) for o in hydra.overrides.task)])
        result = run_entry(name, cfg, command)
    except AgentprefError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    finally:
        free_accelerator_memory()  # a Hydra multirun runs the next job in this process
    print_result(name, result)
    if isinstance(result, int) and result:
        sys.exit(result)
