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
    from agentpref.agent.generation import run_generation
    from agentpref.data.build import build_data
    from agentpref.entrypoints import load

    out = root / "data"
    if (out / "pairs.jsonl").is_file():
        return out
    run_generation(
        load(
            "generate",
            ["logger=none", "progress=false", "backend=oracle", "tasks.split=train", f"tasks.limit={tasks}"],
            run_dir=root / "gen",
        )
    )
    build_data(load("build_data", [f"runs=[{root / 'gen'}]"], run_dir=out))
    rows = [json.loads(line) for line in (out / "sft.jsonl").read_text().splitlines()]
    with open(out / "pairs.jsonl", "w") as f:
        for i, row in enumerate(rows):
            chosen = row["messages"][2:]
            other = rows[(i + 1) % len(rows)]["messages"][2:]
            rejected = chosen[:-3] + other[-3:]
            f.write(json.dumps({"prompt": row["messages"][:2], "chosen": chosen, "rejected": rejected}) + "\n")
    return out


def train_config(*overrides: str, run_dir: Path) -> Any:
    from agentpref.entrypoints import load

    return load("train", ["logger=none", *overrides], run_dir=run_dir)


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
