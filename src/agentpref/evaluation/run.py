"""``evaluate.py``: run a policy on a task set (the heldout split by default) with K samples per
task, score every episode, and report metrics with bootstrap CIs over tasks.

Generation is ``generate.py``'s own machinery (resume, budget, sandbox), so a killed evaluation
re-run with the same run dir continues where it stopped. The run dir holds ``rollouts.jsonl``
(as generated), ``generation.json`` (the generation run's summary), ``scored.jsonl`` (with the
checks), ``summary.json`` (metrics, CIs, per-task components, method, task set, git SHA) and the
offline W&B run with a trajectories table.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentpref.agent.generation import (
    ROLLOUTS_FILE,
    GenerateConfig,
    PolicyRunConfig,
    render_transcript,
    run_generation,
)
from agentpref.agent.record import RolloutRecord, read_rollouts
from agentpref.errors import ConfigError
from agentpref.evaluation.diagnostics import by_turn_table, diagnostics, wandb_scalars
from agentpref.evaluation.metrics import catalogue, format_value, task_components
from agentpref.evaluation.stats import describe
from agentpref.evaluation.summary import load_summary, paired_by_task
from agentpref.jsonl import write_lines_atomic
from agentpref.models import ModelConfig
from agentpref.run_files import EvaluationSummary, MethodInfo, TaskSetInfo
from agentpref.scoring.checks import CHECKS
from agentpref.scoring.run import SCORED_FILE
from agentpref.scoring.scorer import ScorerConfig, score_records
from agentpref.tasks.registry import load_task_set
from agentpref.tracking import NoLogger, Tracker, WandbLogger, git_sha
from agentpref.training.artifacts import (
    CHECKPOINTS,
    adapter_checkpoints,
    locate_trained,
    train_progress,
    trained_algo,
    training_task_ids,
)

GENERATION_FILE = "generation.json"  # the generation run's own summary (summary.json is the evaluation's)


class BootstrapConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    resamples: int = Field(2000, ge=100, description="bootstrap resamples (and permutation-test resamples)")
    confidence: float = Field(0.95, gt=0, lt=1)
    seed: int = 0


class EvalConfig(PolicyRunConfig):
    """Config of ``evaluate.py`` (conf/evaluate.yaml): a policy run plus what makes it an evaluation."""

    scorer: ScorerConfig
    policy_from: str | None = Field(None, description="a train.py run dir: evaluate its adapter/ (or model/)")
    policy_step: int | None = Field(
        None,
        ge=0,
        description="evaluate <policy_from>/checkpoints/checkpoint-N "
        "instead of the final adapter (a learning curve over training steps)",
    )
    method: str | None = Field(None, description="row label in report tables; null = derived from policy_from")
    samples_per_task: int = Field(5, ge=1, description="K samples per task")
    ks: list[int] = Field(default_factory=lambda: [1, 5], description="pass@k for these k (each <= K)")
    compare_to: str | None = Field(None, description="another evaluate.py run dir on the same tasks")
    bootstrap: BootstrapConfig = BootstrapConfig()

    @model_validator(mode="after")
    def _ks_fit(self) -> EvalConfig:
        if self.temperature == 0 and self.samples_per_task > 1:  # pass@k over identical samples
            raise ValueError(
                f"greedy decoding (temperature=0) makes the samples_per_task="
                f"{self.samples_per_task} samples of a task identical, so pass@k over them is "
                "misleading: set samples_per_task=1 'ks=[1]', or sample with a temperature > 0"
            )
        too_big = [k for k in self.ks if k > self.samples_per_task]
        if too_big:
            fix = (
                "with greedy decoding use 'ks=[1]'"
                if self.temperature == 0
                else f"raise samples_per_task to {max(too_big)} or drop those k"
            )
            raise ValueError(f"ks={self.ks} has k > samples_per_task={self.samples_per_task}: {fix}")
        if not self.ks or any(k < 1 for k in self.ks):
            raise ValueError(f"ks={self.ks} must be a non-empty list of k >= 1")
        return self


# ---- which policy ------------------------------------------------------------------------------
def resolve_policy(cfg: EvalConfig) -> tuple[ModelConfig, MethodInfo]:
    """(the model config to generate with, method info) for the base model, an explicit
    ``model.adapter`` or a train.py run dir (``policy_from``), its final adapter or the checkpoint
    of ``policy_step``."""
    info = MethodInfo(policy_from=cfg.policy_from, policy_step=cfg.policy_step)
    if cfg.policy_step is not None and not cfg.policy_from:
        raise ConfigError(
            f"policy_step={cfg.policy_step} picks a checkpoint of a train.py run: "
            "set policy_from=<train run dir> too, or drop policy_step"
        )
    if cfg.backend.kind == "oracle":
        if cfg.policy_from:
            raise ConfigError("backend=oracle replays reference fixes: drop policy_from or pick backend=hf|vllm|openai")
        return cfg.model, info.model_copy(update={"algo": "oracle"})
    if cfg.policy_from is None:
        if cfg.model.adapter:
            info.algo = "adapter"
        return cfg.model, info
    if cfg.model.adapter:
        raise ConfigError("set either policy_from (a train.py run dir) or model.adapter, not both")
    run = locate_trained(cfg.policy_from, cfg.model.name, "policy_from", require_manifest=True)
    trained = run.manifest
    info = info.model_copy(
        update={
            "algo": trained.algo,
            "beta": trained.hparams.beta,
            "loss_type": trained.hparams.loss_type,
            "data_scorer": trained.data_scorer,
            "pairs": trained.hparams.pairs,
            "init_algo": trained_algo(trained.init_from),
        }
    )
    checkpoint = None
    if cfg.policy_step is not None:
        if not run.adapter:
            raise ConfigError(
                f"policy_from={run.root} is a full fine-tune: policy_step (checkpoints of full "
                "runs) is not supported; drop policy_step to evaluate its final model"
            )
        available = adapter_checkpoints(run.root)
        checkpoint = available.get(cfg.policy_step)
        if checkpoint is None:
            fix = (
                f"pick policy_step from the saved steps {', '.join(map(str, available))}"
                if available
                else "the run saved no checkpoints; drop policy_step"
            )
            raise ConfigError(
                f"policy_from={run.root} has no {CHECKPOINTS}/checkpoint-{cfg.policy_step} with an adapter: {fix}"
            )
    info.train_step, info.train_tokens = train_progress(run.root, checkpoint)
    if run.adapter:
        return cfg.model.model_copy(update={"adapter": str(checkpoint or run.adapter)}), info
    return cfg.model.model_copy(
        update={"hub_id": run.full, "revision": None, "gguf_fallback": None, "random_init": None}
    ), info


def check_out_of_distribution(cfg: EvalConfig) -> None:
    """QuixBugs is the out-of-distribution task set: a policy trained on mutants of QuixBugs'
    correct programs has seen the reference fixes, so it may not be evaluated there."""
    if cfg.tasks.kind != "quixbugs" or not cfg.policy_from:
        return
    derived = sorted(t for t in training_task_ids(cfg.policy_from) if t.startswith("synthetic/quixbugs."))
    if derived:
        raise ConfigError(
            f"policy_from={cfg.policy_from} was trained on {len(derived)} mutants of QuixBugs programs (e.g. "
            f"{derived[0]}): they contain QuixBugs' correct code, so tasks=quixbugs is no held-out test of it; "
            "train on data without synthetic QuixBugs tasks, or evaluate on another task set"
        )


def method_label(info: MethodInfo) -> str:
    """base | SFT | DPO (β=0.1) | SFT+DPO (β=0.1), with the loss, pair kind and data scorer when
    they are not the defaults (so rows of an ablation table never collide silently), and
    ``(step N)`` for a checkpoint (``policy_step``)."""
    if info.algo is None:
        return "base"
    if info.algo in ("adapter", "oracle"):
        return info.algo
    if info.algo == "sft":
        label = "SFT"
    else:
        name = "DPO" if info.loss_type in (None, "sigmoid") else f"DPO-{info.loss_type}"
        prefix = {"sft": "SFT+", "dpo": "DPO+"}.get(info.init_algo or "", "")
        label = f"{prefix}{name} (β={info.beta:g})" if info.beta is not None else f"{prefix}{name}"
        if info.pairs and sorted(info.pairs) != ["step", "trajectory"]:
            label += f" [{'+'.join(info.pairs)} pairs]"
    if info.data_scorer not in (None, "default"):
        label += f" [scorer={info.data_scorer}]"
    if info.policy_step is not None:
        label += f" (step {info.policy_step})"
    return label


# ---- metrics -----------------------------------------------------------------------------------
def complete_records(records: list[RolloutRecord], task_ids: set[str], k: int) -> tuple[list[RolloutRecord], list[str]]:
    """Samples 0..K-1 of the task set's tasks; tasks with fewer than K finished samples are left
    out (a budget stop or failed episodes) and returned by id so the summary can say so."""
    keep = [r for r in records if r.task_id in task_ids and r.sample_index < k]
    counts: dict[str, int] = {}
    for r in keep:
        counts[r.task_id] = counts.get(r.task_id, 0) + 1
    incomplete = sorted(t for t in task_ids if counts.get(t, 0) < k)
    return [r for r in keep if r.task_id not in incomplete], incomplete


def compute_metrics(records: list[RolloutRecord], ks: list[int], boot: BootstrapConfig) -> tuple[dict, dict]:
    """(metrics with CIs, per-task components) of scored records."""
    task_ids, comps = task_components(records, ks)
    cat = catalogue(ks)
    metrics = {}
    for name, comp in comps.items():
        m = cat[name]
        metrics[name] = describe(
            comp["num"], comp["den"], confidence=boot.confidence, resamples=boot.resamples, seed=boot.seed
        ) | {"label": m.label, "higher_is_better": m.higher_is_better, "fmt": m.fmt}
    return metrics, {"task_ids": task_ids, "components": comps}


def compare(per_task: dict, method: str, other: EvaluationSummary, boot: BootstrapConfig) -> dict[str, Any]:
    """Paired differences (this run minus ``other``) on the tasks both runs evaluated."""
    diffs = paired_by_task(
        per_task,
        other.per_task,
        list(per_task["components"]),
        what=f"{method} and {other.method} ({other.run_dir})",
        confidence=boot.confidence,
        resamples=boot.resamples,
        seed=boot.seed,
    )
    common = len(set(per_task["task_ids"]) & set(other.per_task["task_ids"]))
    return {
        "against": other.run_dir,
        "method": other.method,
        "tasks": common,
        "only_here": len(per_task["task_ids"]) - common,
        "only_there": len(other.per_task["task_ids"]) - common,
        "metrics": diffs,
    }


# ---- the run -----------------------------------------------------------------------------------
def _generate_config(cfg: EvalConfig, model: ModelConfig) -> GenerateConfig:
    shared = {name: getattr(cfg, name) for name in PolicyRunConfig.model_fields}
    return GenerateConfig(**shared | {"model": model, "logger": NoLogger(), "rollouts_per_task": cfg.samples_per_task})


def _tracker(cfg: EvalConfig, model: ModelConfig, config: dict[str, Any], sha: str | None) -> Tracker:
    """The run's W&B run, opened before generating: live while it runs, the episodes' curves in it."""
    logger = cfg.logger
    if isinstance(logger, WandbLogger):
        logger = logger.model_copy(update={"tags": [*logger.tags, "evaluate", cfg.model.name, f"git:{sha}"]})
    tracker = Tracker(logger, Path(cfg.run_dir), config, job_type="evaluate", name=f"eval-{Path(cfg.run_dir).name}")
    tracker.use(model.adapter, cfg.compare_to)
    return tracker


def _log(tracker: Tracker, summary: EvaluationSummary, scored: list[RolloutRecord]) -> None:
    flat: dict[str, Any] = {}
    for name, m in summary.metrics.items():
        flat[f"eval/{name}"] = m["value"]
        flat[f"eval/{name}_ci_low"], flat[f"eval/{name}_ci_high"] = m["ci_low"], m["ci_high"]
    for name, d in (summary.comparison or {}).get("metrics", {}).items():
        flat[f"compare/{name}_diff"], flat[f"compare/{name}_p"] = d["difference"], d["p_value"]
    flat |= wandb_scalars(summary.diagnostics)
    tracker.summary({k: v for k, v in flat.items() if v is not None} | {"method": summary.method})
    rows = [
        [
            r.task_id,
            r.sample_index,
            r.final.resolved,
            r.score,
            r.end_reason,
            len(r.steps),
            *(r.checks[c].value for c in CHECKS),
            render_transcript(r),
            r.final.diff,
        ]
        for r in scored[: tracker.table_rows]
    ]
    tracker.table(
        "trajectories",
        ["task", "sample", "resolved", "score", "end_reason", "steps", *CHECKS, "transcript", "diff"],
        rows,
    )
    tracker.table("protocol_errors_by_turn", *by_turn_table(summary.diagnostics))
    tracker.log_artifact("evaluation", [Path(summary.run_dir, summary.FILE)])


def run_evaluation(cfg: EvalConfig, config_dict: dict[str, Any] | None = None) -> EvaluationSummary:
    """The whole evaluation; returns the summary (also ``<run_dir>/summary.json``)."""
    started = time.perf_counter()
    model, info = resolve_policy(cfg)
    check_out_of_distribution(cfg)
    other = load_summary(cfg.compare_to, "compare_to") if cfg.compare_to else None  # fail before generating
    loaded = load_task_set(cfg.tasks, cfg.sandbox, cfg.runner, cfg.workers)
    sha = git_sha()
    tracker = _tracker(cfg, model, config_dict or cfg.model_dump(mode="json"), sha)
    exit_code = 1
    try:
        generation = run_generation(
            _generate_config(cfg, model), None, loaded, summary_file=GENERATION_FILE, tracker=tracker
        )
        generation_dict = generation.model_dump(mode="json")
        run_dir = Path(cfg.run_dir)
        task_ids = {t.id for t in loaded.tasks}
        records, incomplete = complete_records(read_rollouts(run_dir / ROLLOUTS_FILE), task_ids, cfg.samples_per_task)
        if not records:
            raise ConfigError(
                f"no task of {cfg.tasks.kind} (split={cfg.tasks.split}) has all {cfg.samples_per_task} "
                f"samples in {run_dir} yet: re-run with the same run_dir to finish generating"
            )
        if incomplete:
            print(
                f"warning: {len(incomplete)} of {len(task_ids)} tasks have fewer than {cfg.samples_per_task} finished "
                f"samples and are left out (stop reason: {generation.stop_reason}); re-run with run_dir={run_dir} "
                "to finish them",
                file=sys.stderr,
            )
        scored = score_records(records, cfg.scorer)
        write_lines_atomic(run_dir / SCORED_FILE, (r.model_dump_json() for r in scored))
        metrics, per_task = compute_metrics(scored, cfg.ks, cfg.bootstrap)
        method = cfg.method or method_label(info)
        summary = EvaluationSummary(
            method=method,
            method_info=info,
            model=cfg.model.name,
            model_id=model.hub_id or model.api_id,
            adapter=model.adapter,
            task_set=TaskSetInfo(
                kind=cfg.tasks.kind,
                split=cfg.tasks.split,
                tasks=len(per_task["task_ids"]),
                task_ids=per_task["task_ids"],
                incomplete=incomplete,
            ),
            samples_per_task=cfg.samples_per_task,
            ks=cfg.ks,
            temperature=cfg.temperature,
            top_p=cfg.top_p,
            top_k=cfg.top_k,
            greedy=cfg.temperature == 0,
            scorer=cfg.scorer.name,
            confidence=cfg.bootstrap.confidence,
            bootstrap_resamples=cfg.bootstrap.resamples,
            seed=cfg.seed,
            complete=not incomplete,
            episodes=len(scored),
            metrics=metrics,
            per_task=per_task,
            diagnostics=diagnostics(scored),
            comparison=compare(per_task, method, other, cfg.bootstrap) if other else None,
            generation=generation_dict,
            git_sha=sha,
            run_dir=str(run_dir),
            config=config_dict or cfg.model_dump(mode="json"),
            seconds=round(time.perf_counter() - started, 1),
        )
        summary.write(run_dir)
        _log(tracker, summary, scored)
        exit_code = 0
        return summary
    finally:
        tracker.finish(exit_code)


HEADLINE = ("pass@1", "pass@1_visible", "protocol_error_rate", "loop_rate", "check/tests_before_edit", "score")


def print_summary(summary: EvaluationSummary) -> None:
    """Headline metrics with CIs on stderr; the summary without per-task components on stdout."""
    s = summary
    pct = int(round(100 * s.confidence))
    print(
        f"{s.method} on {s.task_set.tasks} {s.task_set.kind} tasks (split={s.task_set.split}, "
        f"K={s.samples_per_task}, {s.episodes} episodes); {pct}% bootstrap CIs over tasks:",
        file=sys.stderr,
    )
    for name in [*HEADLINE, *(f"pass@{k}" for k in s.ks if k != 1)]:
        m = s.metrics.get(name)
        if m is None:
            continue
        unit = " %" if m["fmt"] == "pct" else ""
        print(
            f"  {name:<26} {format_value(m['value'], m['fmt'])}{unit}  "
            f"[{format_value(m['ci_low'], m['fmt'])}, {format_value(m['ci_high'], m['fmt'])}]",
            file=sys.stderr,
        )
    if s.comparison:
        c = s.comparison
        print(f"  vs {c['method']} ({c['against']}, {c['tasks']} common tasks):", file=sys.stderr)
        for name in HEADLINE:
            d = c["metrics"].get(name)
            if d and d["difference"] is not None:
                print(
                    f"    Δ {name:<24} {d['difference']:+.3f}  [{d['ci_low']:+.3f}, {d['ci_high']:+.3f}]  "
                    f"p={d['p_value']:.3g}",
                    file=sys.stderr,
                )
    print(f"  -> {s.run_dir}/{s.FILE}", file=sys.stderr)
    print(s.model_dump_json(exclude={"per_task", "config", "generation"}))
