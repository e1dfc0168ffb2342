"""``build_data.py``: scored rollouts of generate.py runs -> SFT set, trajectory pairs, step pairs.

Only train-split rollouts feed datasets (heldout ones are counted and skipped). Every dataset
reports its yield (examples, per task, per 1M generated tokens, USD per example) in
``stats.json`` and a plot of score distributions and pair margins in ``stats.png``. The SFT set's
assistant-turn lengths (p50/p90/p99/max in the target model's tokens, ``stats.json`` under
``sft.turn_tokens``) say how large ``backend.max_new_tokens`` must be for the policy to write them.
"""

from __future__ import annotations

import functools
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentpref.agent.config import AgentConfig, BackendConfig, HFBackend
from agentpref.agent.record import RolloutRecord
from agentpref.data.export import export_hf
from agentpref.data.pairs import TrajectoryPairsConfig, build_trajectory_pairs
from agentpref.data.sft import SFTConfig, build_sft
from agentpref.data.step_pairs import StepPairsConfig, build_step_pairs
from agentpref.errors import ConfigError, DataError
from agentpref.jsonl import write_lines_atomic
from agentpref.models import ModelConfig
from agentpref.run_files import (
    DataStats,
    GenerationSummary,
    PreferencePair,
    SFTExample,
    SftYield,
    StepPairsYield,
    TrajectoryPairsYield,
)
from agentpref.sandbox.limits import Limits
from agentpref.scoring.run import ROLLOUTS_FILE, load_rollouts
from agentpref.scoring.scorer import ScorerConfig, score_records
from agentpref.tasks.config import TaskSetConfig
from agentpref.tracking import LoggerConfig, NoLogger, Tracker


class StepPairsSection(StepPairsConfig):
    """Step-level pairs cost new model calls: off unless asked for (``step_pairs.enabled=true``)."""

    enabled: bool = False
    policy_temperature: float = Field(0.7, ge=0, description="the policy's sampling for continuations")


class BuildDataConfig(BaseModel):
    """Config of ``build_data.py`` (conf/build_data.yaml)."""

    model_config = ConfigDict(extra="forbid")
    runs: list[str] = Field(min_length=1, description="generate.py run dirs")
    run_dir: str
    scorer: ScorerConfig
    agent: AgentConfig
    target_prompt_mode: Literal["text_prompt", "text_template"] = "text_prompt"
    sft: SFTConfig = SFTConfig()
    trajectory_pairs: TrajectoryPairsConfig = TrajectoryPairsConfig()
    step_pairs: StepPairsSection = StepPairsSection()
    model: ModelConfig = Field(description="the model to train: its tokenizer counts the SFT turn lengths")
    # step pairs only: the policy that continues episodes, and the task set the runs used
    backend: BackendConfig | None = None
    tasks: TaskSetConfig | None = None
    sandbox: Limits = Limits()
    runner: str = Field("fork", pattern="^(fork|subprocess)$")
    workers: int = Field(2, ge=1)
    logger: LoggerConfig = Field(default_factory=NoLogger, discriminator="kind")
    export_hf: bool = Field(True, description="also save the datasets as HF datasets (hf/), with OpenAI tool_calls")

    @model_validator(mode="after")
    def _step_pairs_have_a_policy(self) -> BuildDataConfig:
        if self.step_pairs.enabled and (self.backend is None or self.tasks is None):
            raise ValueError(
                "step_pairs.enabled=true continues episodes with a policy on the runs' tasks: "
                "set backend= and tasks= (e.g. backend=hf tasks=builtin)"
            )
        return self


def load_runs(runs: list[str]) -> tuple[list[RolloutRecord], dict[str, Any]]:
    records: list[RolloutRecord] = []
    info: dict[str, Any] = {"runs": {}, "partial_lines_skipped": 0}
    for run in runs:
        path = Path(run) / ROLLOUTS_FILE
        if not Path(run).is_dir():
            raise ConfigError(
                f"runs: {run!r} is not a directory: list generate.py run dirs, e.g. runs=[outputs/generate/...]"
            )
        loaded, partial = load_rollouts(path)
        if partial:
            print(f"warning: skipped a half-written last line of {path} (a killed run)", file=sys.stderr)
        info["runs"][run] = len(loaded)
        info["partial_lines_skipped"] += partial
        records.extend(loaded)
    if not records:
        raise DataError(f"no complete rollout records in {', '.join(runs)}: nothing to build from (empty runs)")
    return records, info


def _yield(n: int, tasks: int, tokens: int, usd: float, seconds: float | None = None) -> dict[str, Any]:
    return {
        "examples": n,
        "per_task": round(n / tasks, 3) if tasks else 0.0,
        "per_1m_generated_tokens": round(n / tokens * 1e6, 3) if tokens else None,
        "usd_per_example": round(usd / n, 6) if n else None,
        "per_wall_hour": round(n / seconds * 3600, 3) if seconds else None,
    }


def generation_seconds(runs: list[str]) -> float | None:
    """Wall time of the generate.py runs (their summaries); None when one has none (a killed run)."""
    total = 0.0
    for run in runs:
        summary = GenerationSummary.read_if_present(run, "runs")
        if summary is None:
            return None
        total += summary.seconds
    return total


@functools.lru_cache(maxsize=4)
def _token_counter(model_json: str, cache_dir: str) -> tuple[Callable[[str], int], dict[str, Any]]:
    """(text -> tokens, how they were counted) with the model's own tokenizer, found the way the
    policies find the model (``resolve_checkpoint``: HF cache, hub, converted GGUF, tiny model); if
    that fails, an estimate of characters/4 that says why."""
    model = ModelConfig.model_validate_json(model_json)
    try:
        from transformers import AutoTokenizer

        from agentpref.models import resolve_checkpoint

        path = resolve_checkpoint(model, cache_dir)
        revision = model.revision if path == model.hub_id else None
        tok = AutoTokenizer.from_pretrained(path, revision=revision)
    except Exception as exc:  # no checkpoint, no network, no gguf: still report lengths
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
        return (lambda text: math.ceil(len(text) / 4)), {
            "counted_with": "chars/4",
            "note": f"estimated as characters/4: the tokenizer of {model.name} did not load ({reason})",
        }
    return (lambda text: len(tok(text, add_special_tokens=False)["input_ids"])), {
        "counted_with": "tokenizer",
        "tokenizer": path,
    }


def turn_token_stats(examples: list[dict[str, Any]], model: ModelConfig, cache_dir: str) -> dict[str, Any]:
    """Length percentiles (nearest rank) of the examples' assistant turns in the model's tokens:
    what ``backend.max_new_tokens`` must allow for the policy to write such a turn."""
    turns = [m.get("content") or "" for e in examples for m in e["messages"] if m["role"] == "assistant"]
    out: dict[str, Any] = {"turns": len(turns), "model": model.name}
    if not turns:
        return out | {"p50": None, "p90": None, "p99": None, "max": None}
    count, how = _token_counter(model.model_dump_json(), str(cache_dir))
    import numpy as np

    lengths = [count(t) for t in turns]
    p50, p90, p99 = (int(v) for v in np.percentile(lengths, [50, 90, 99], method="inverted_cdf"))
    return out | {"p50": p50, "p90": p90, "p99": p99, "max": max(lengths)} | how


def _write_jsonl(path: Path, rows: list[dict[str, Any]], line: type[SFTExample | PreferencePair]) -> None:
    """Each row checked against the line model train.py reads it with, then written as built."""
    for row in rows:
        line.model_validate(row)
    write_lines_atomic(path, (json.dumps(row, ensure_ascii=False) for row in rows))


def plot_stats(path: Path, records: list[RolloutRecord], margins: dict[str, list[float]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    by_policy: dict[str, list[float]] = {}
    for r in records:
        label = f"{r.policy.backend}:{r.policy.model.split('/')[-1]}" + (" (privileged)" if r.policy.privileged else "")
        by_policy.setdefault(label, []).append(r.score or 0.0)
    for label, scores in sorted(by_policy.items()):
        left.hist(scores, bins=20, range=(0, 1), alpha=0.6, label=f"{label} (n={len(scores)})")
    left.set(title="rollout scores (train split)", xlabel="score", ylabel="rollouts")
    left.legend(fontsize=7)
    for kind, values in margins.items():
        if values:
            right.hist(values, bins=20, range=(0, 1), alpha=0.6, label=f"{kind} (n={len(values)})")
    right.set(title="pair margins", xlabel="chosen - rejected", ylabel="pairs")
    if any(margins.values()):
        right.legend(fontsize=7)
    else:
        right.text(0.5, 0.5, "no pairs", ha="center", va="center", transform=right.transAxes)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


DATASET_FILES = {"sft": "sft.jsonl", "trajectory": "pairs.jsonl", "step": "step_pairs.jsonl"}  # train.py reads these


def build_data(cfg: BuildDataConfig) -> DataStats:
    """The datasets of ``cfg.runs``' rollouts; returns the yields (also ``<run_dir>/stats.json``)."""
    started = time.perf_counter()
    out = Path(cfg.run_dir)
    out.mkdir(parents=True, exist_ok=True)
    records, info = load_runs(cfg.runs)  # unreadable runs fail before a W&B run opens
    tracker = Tracker(cfg.logger, out, cfg.model_dump(mode="json"), job_type="build_data", name=f"data-{out.name}")
    tracker.use(*cfg.runs, cfg.model.adapter if cfg.step_pairs.enabled else None)
    exit_code = 1
    try:
        stats = _build(cfg, out, records, info, started)
        numbers = stats.model_dump(exclude={"runs"})
        for section in ("sft", "trajectory_pairs", "step_pairs"):
            numbers |= {f"{section}/{k}": v for k, v in (numbers.pop(section) or {}).items()}
        tracker.summary({k: v for k, v in numbers.items() if isinstance(v, int | float)})
        tracker.log_artifact("dataset", [out / name for name in (*DATASET_FILES.values(), stats.FILE)])
        exit_code = 0
        return stats
    finally:
        tracker.finish(exit_code)


def _build(
    cfg: BuildDataConfig, out: Path, records: list[RolloutRecord], info: dict[str, Any], started: float
) -> DataStats:
    splits = Counter(r.split for r in records)
    train = [r for r in records if r.split == "train"]
    if not train:
        raise DataError(f"all {len(records)} rollouts are from heldout tasks: datasets use train-split tasks only")
    scored = score_records(train, cfg.scorer)
    tasks = len({r.task_id for r in scored})
    tokens = sum(r.cost.tokens for r in scored)
    usd = sum(r.cost.usd for r in scored)
    stats = DataStats(
        runs=info["runs"],
        records=len(records),
        train_records=len(scored),
        heldout_skipped=splits.get("heldout", 0),
        partial_lines_skipped=info["partial_lines_skipped"],
        train_tasks=tasks,
        generated_tokens=tokens,
        usd=round(usd, 6),
        scorer=cfg.scorer.name,
        mean_score=round(sum(r.score for r in scored) / len(scored), 4),
        generation_seconds=generation_seconds(cfg.runs),
        seconds=0.0,
        run_dir=str(out),
    )
    margins: dict[str, list[float]] = {}
    splits: dict[str, list[dict[str, Any]]] = {}  # what this run wrote: exported as HF datasets too
    if cfg.sft.enabled:
        sft, dropped = build_sft(scored, cfg.sft, cfg.agent, cfg.target_prompt_mode)
        _write_jsonl(out / DATASET_FILES["sft"], sft, SFTExample)
        splits["sft"] = sft
        cache_dir = getattr(cfg.backend, "cache_dir", None) or HFBackend().cache_dir
        stats.sft = SftYield(
            **_yield(len(sft), tasks, tokens, usd, stats.generation_seconds),
            privileged=sum(e["metadata"]["privileged"] for e in sft),
            dropped=dropped,
            turn_tokens=turn_token_stats(sft, cfg.model, cache_dir),
        )
    if cfg.trajectory_pairs.enabled:
        pairs, counts = build_trajectory_pairs(scored, cfg.trajectory_pairs, cfg.agent, cfg.target_prompt_mode)
        _write_jsonl(out / DATASET_FILES["trajectory"], pairs, PreferencePair)
        splits["pairs"] = pairs
        margins["trajectory"] = [p["metadata"]["margin"] for p in pairs]
        stats.trajectory_pairs = TrajectoryPairsYield(
            **_yield(len(pairs), tasks, tokens, usd, stats.generation_seconds), counts=counts
        )
    if cfg.step_pairs.enabled:
        step_pairs, step_stats = _build_step_pairs(cfg, scored)
        _write_jsonl(out / DATASET_FILES["step"], step_pairs, PreferencePair)
        splits["step_pairs"] = step_pairs
        margins["step"] = [p["metadata"]["margin"] for p in step_pairs]
        spent = tokens + step_stats.get("continuation_tokens", 0)
        step_usd = usd + step_stats.get("usd", 0.0)
        seconds = stats.generation_seconds and stats.generation_seconds + step_stats["seconds"]
        stats.step_pairs = StepPairsYield(**_yield(len(step_pairs), tasks, spent, step_usd, seconds), stats=step_stats)
    if cfg.export_hf:
        export_hf(out, splits, cfg.agent.edit_format)
    plot_stats(out / "stats.png", scored, margins)
    stats.seconds = round(time.perf_counter() - started, 1)
    stats.write(out)
    return stats


def _build_step_pairs(cfg: BuildDataConfig, records: list[RolloutRecord]) -> tuple[list[dict], dict]:
    from agentpref.agent.config import SamplingConfig
    from agentpref.agent.policies import build_policy
    from agentpref.tasks.registry import load_task_set

    section = cfg.step_pairs
    options = StepPairsConfig(**section.model_dump(exclude={"enabled", "policy_temperature"}))
    tasks = {t.id: t for t in load_task_set(cfg.tasks, cfg.sandbox, cfg.runner, cfg.workers).tasks}
    missing = sorted({r.task_id for r in records} - set(tasks))
    if missing:
        raise ConfigError(
            f"step pairs: {len(missing)} rollout tasks are not in tasks={cfg.tasks.kind} "
            f"(e.g. {missing[0]}): pass the task set the runs were generated on"
        )
    policy = build_policy(cfg.model, cfg.backend, SamplingConfig(temperature=section.policy_temperature), cfg.agent)
    try:
        return build_step_pairs(
            records,
            tasks,
            policy,
            agent=cfg.agent,
            prices=cfg.model.prices,
            scorer_cfg=cfg.scorer,
            cfg=options,
            runner_mode=cfg.runner,
            sandbox=cfg.sandbox,
            workers=cfg.workers,
            progress=True,
        )
    finally:
        policy.close()


def print_stats(stats: DataStats) -> None:
    parts = [
        f"{stats.train_records} train rollouts ({stats.heldout_skipped} heldout skipped) of "
        f"{stats.train_tasks} tasks, {stats.generated_tokens} generated tokens, ${stats.usd:.4f}"
    ]
    for key in ("sft", "trajectory_pairs", "step_pairs"):
        y = getattr(stats, key)
        if y is not None:
            parts.append(
                f"{key}: {y.examples} ({y.per_task}/task, {y.per_1m_generated_tokens}/1M tokens, "
                f"{y.per_wall_hour}/hour, ${y.usd_per_example}/example)"
            )
    turns = stats.sft.turn_tokens if stats.sft else {}
    if turns.get("p99") is not None:  # how long a turn the policy must be able to write
        estimated = " (estimated: characters/4)" if turns.get("counted_with") == "chars/4" else ""
        parts.append(
            f"assistant turns: p99 {turns['p99']} tokens (max {turns['max']}){estimated} -> "
            f"backend.max_new_tokens >= {turns['p99']}"
        )
    margins = stats.step_pairs.stats.get("margins") if stats.step_pairs else None
    if margins and margins["max"] is not None:  # why a state gave no pair: its value gap
        parts.append(
            f"step margins: max {margins['max']}, mean {margins['mean']} over "
            f"{len(margins['per_state'])} states (min_margin {margins['min_margin']})"
        )
    print("; ".join(parts) + f" -> {stats.run_dir}", file=sys.stderr)
    print(stats.model_dump_json())
