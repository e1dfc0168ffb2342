"""Shared pieces of the training benchmarks: realistic data, a trainer from train.py's config,
per-step wall times.

Data: real oracle transcripts of builtin train tasks (generate + build_data, 2.0k-2.7k tokens
each). Pairs for timing only: chosen = a transcript, rejected = the same transcript with its last
edit and observation swapped for the next task's (same length class, different tokens).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def oracle_data(root: Path, tasks: int) -> Path:
    from hydra import compose, initialize_config_dir
    from omegaconf import open_dict

    from agentpref.agent.generation import GenerateConfig, run_generation
    from agentpref.config import validate_config
    from agentpref.data.build import BuildDataConfig, build_data

    out = root / "data"
    if (out / "pairs.jsonl").is_file():
        return out
    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        gen = compose("generate", overrides=["logger=none", "progress=false", "backend=oracle",
                                             "tasks.split=train", f"tasks.limit={tasks}"])
        data = compose("build_data", overrides=[f"runs=[{root / 'gen'}]"])
    for cfg, key, value in ((gen, "run_dir", root / "gen"), (data, "output_dir", out)):
        with open_dict(cfg):
            cfg.pop("hydra", None)
            cfg[key] = str(value)
    run_generation(validate_config(gen, GenerateConfig))
    build_data(validate_config(data, BuildDataConfig))
    rows = [json.loads(line) for line in (out / "sft.jsonl").read_text().splitlines()]
    with open(out / "pairs.jsonl", "w") as f:
        for i, row in enumerate(rows):
            chosen = row["messages"][2:]
            other = rows[(i + 1) % len(rows)]["messages"][2:]
            rejected = chosen[:-3] + other[-3:]
            f.write(json.dumps({"prompt": row["messages"][:2], "chosen": chosen, "rejected": rejected}) + "\n")
    return out


def train_config(*overrides: str, run_dir: Path) -> Any:
    from hydra import compose, initialize_config_dir
    from omegaconf import open_dict

    from agentpref.config import validate_config
    from agentpref.training.config import TrainConfig, check_trainer_keys

    with initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        cfg = compose("train", overrides=["logger=none", *overrides])
    with open_dict(cfg):
        cfg.pop("hydra", None)
        cfg.run_dir = str(run_dir)
    config = validate_config(cfg, TrainConfig)
    check_trainer_keys(config)
    return config


def step_times(trainer: Any) -> list[float]:
    """Run ``trainer.train()`` and return the wall seconds of each optimizer step."""
    from transformers import TrainerCallback

    class Timer(TrainerCallback):
        def __init__(self):
            self.times, self._t = [], 0.0

        def on_step_begin(self, args, state, control, **kw):
            self._t = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            self.times.append(time.perf_counter() - self._t)

    timer = Timer()
    trainer.add_callback(timer)
    trainer.train()
    return timer.times


def build_trainer(cfg: Any) -> tuple[Any, float]:
    """(trainer, seconds spent building it, reference precompute included)."""
    from agentpref.training.config import gradient_accumulation
    from agentpref.training.run import (
        build_dataset,
        data_files,
        load_model,
        make_trainer,
        trainer_args,
    )

    start = time.perf_counter()
    Path(cfg.run_dir).mkdir(parents=True, exist_ok=True)
    model, tok, reference = load_model(cfg)
    dataset = build_dataset(cfg, data_files(cfg), tok, Path(cfg.run_dir))
    accumulation = gradient_accumulation(cfg.global_batch_size, cfg.per_device_batch_size, 1)
    args = trainer_args(cfg, Path(cfg.run_dir), accumulation, report=False)
    args.save_strategy = "no"
    trainer = make_trainer(cfg, args, model, tok, dataset, reference)
    return trainer, time.perf_counter() - start


def losses(trainer: Any) -> list[float]:
    return [round(e["loss"], 5) for e in trainer.state.log_history if "loss" in e]
