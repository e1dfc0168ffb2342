"""The evaluation metrics: a catalogue (name, direction, format) and per-task components.

Each metric is ``sum(num) / sum(den)`` over tasks (see ``stats``); ``task_components`` turns
scored rollout records into one (num, den) pair per task and metric. Keeping the components
(not only the means) in ``summary.json`` lets ``report.py`` recompute CIs and paired tests between
any two eval runs without reading rollouts again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import numpy as np

from agentpref.agent.protocol import EDIT_TOOLS
from agentpref.agent.record import RolloutRecord, StepRecord
from agentpref.evaluation.stats import pass_at_k
from agentpref.scoring.checks import CHECKS

Format = Literal["pct", "float", "tokens", "usd"]
END_REASONS = ("finished", "max_steps", "context_budget", "budget")  # a recorded episode's ends


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    higher_is_better: bool
    fmt: Format
    description: str


def _catalogue(ks: list[int]) -> list[Metric]:
    metrics = []
    for k in ks:
        metrics.append(
            Metric(
                f"pass@{k}",
                f"pass@{k}",
                True,
                "pct",
                f"unbiased pass@{k} on visible + hidden tests (resolved), mean over tasks",
            )
        )
        metrics.append(
            Metric(
                f"pass@{k}_visible", f"pass@{k} (visible)", True, "pct", f"unbiased pass@{k} on the visible tests only"
            )
        )
    metrics += [
        Metric("score", "score", True, "float", "weighted behaviour score (the scorer's), mean"),
        Metric("protocol_error_rate", "protocol err.", False, "pct", "turns that were not a valid tool call"),
        Metric("loop_rate", "loop rate", False, "pct", "episodes with a detected loop (loops check < 1)"),
        Metric("mean_steps", "steps", False, "float", "turns per episode"),
        Metric(
            "tokens_per_solved",
            "tokens/solved",
            False,
            "tokens",
            "prompt + completion tokens spent per resolved episode",
        ),
        Metric("usd_per_solved", "USD/solved", False, "usd", "cost per resolved episode (model prices)"),
        Metric(
            "edit_apply_rate",
            "edits applied",
            True,
            "pct",
            "valid edit-tool calls that changed the file (tool succeeded) / valid edit-tool calls",
        ),
        Metric(
            "localization",
            "localization",
            True,
            "pct",
            "applied edits touching a line the reference fix changes / applied edits (as recorded)",
        ),
        Metric(
            "recovery_rate",
            "recovery",
            True,
            "pct",
            "protocol or tool errors followed by a successful valid call / such errors",
        ),
        Metric("clean_stop_rate", "clean stop", True, "pct", "episodes ended by finish / episodes"),
    ]
    metrics += [
        Metric(
            f"end/{reason}",
            f"end: {reason.replace('_', ' ')}",
            reason == "finished",
            "pct",
            f"episodes that ended by {reason} / episodes",
        )
        for reason in END_REASONS
    ]
    metrics += [
        Metric(
            f"check/{name}",
            name.replace("_", " "),
            True,
            "float",
            f"behaviour check {name} (1 = the wanted behaviour), mean",
        )
        for name in CHECKS
    ]
    return metrics


def catalogue(ks: list[int]) -> dict[str, Metric]:
    return {m.name: m for m in _catalogue(ks)}


def edit_calls(record: RolloutRecord) -> list[StepRecord]:
    """Valid calls of a tool that changes the workspace (a malformed turn is no edit attempt)."""
    return [s for s in record.steps if s.action is not None and s.action.name in EDIT_TOOLS]


def error_turn(step: StepRecord) -> bool:
    """A protocol error or a valid call whose tool failed: the turns recovery is measured from."""
    return step.protocol_error is not None or step.tool_ok is False


def recoveries(record: RolloutRecord) -> tuple[int, int]:
    """(error turns whose next turn is a valid call that succeeded, error turns); an error on
    the last turn counts as not recovered."""
    steps = record.steps
    errors = [i for i, s in enumerate(steps) if error_turn(s)]
    ok = sum(i + 1 < len(steps) and steps[i + 1].action is not None and steps[i + 1].tool_ok is True for i in errors)
    return ok, len(errors)


def group_by_task(records: list[RolloutRecord]) -> dict[str, list[RolloutRecord]]:
    groups: dict[str, list[RolloutRecord]] = defaultdict(list)
    for r in sorted(records, key=lambda r: (r.task_id, r.sample_index)):
        groups[r.task_id].append(r)
    return dict(groups)


def task_components(records: list[RolloutRecord], ks: list[int]) -> tuple[list[str], dict[str, dict[str, list[float]]]]:
    """(task ids, {metric: {"num": [...], "den": [...]}}) from scored records.

    A pass@k with k above a task's sample count is an error: evaluate.py checks ``ks`` against
    ``samples_per_task`` before generating, so this only trips on hand-made inputs."""
    groups = group_by_task(records)
    comps: dict[str, dict[str, list[float]]] = {m: {"num": [], "den": []} for m in catalogue(ks)}

    def add(metric: str, num: float, den: float) -> None:
        comps[metric]["num"].append(float(num))
        comps[metric]["den"].append(float(den))

    for recs in groups.values():
        n = len(recs)
        solved = sum(r.final.resolved for r in recs)
        visible = sum(r.final.visible.all_passed for r in recs)
        for k in ks:
            add(f"pass@{k}", pass_at_k(n, solved, k), 1)
            add(f"pass@{k}_visible", pass_at_k(n, visible, k), 1)
        if any(r.score is None for r in recs):
            raise ValueError("task_components needs scored records (score_records first)")
        add("score", np.mean([r.score for r in recs]), 1)
        add("protocol_error_rate", sum(r.protocol_errors for r in recs), sum(len(r.steps) for r in recs))
        add("loop_rate", np.mean([r.checks["loops"].value < 1 for r in recs]), 1)
        add("mean_steps", np.mean([len(r.steps) for r in recs]), 1)
        add("tokens_per_solved", sum(r.cost.tokens for r in recs), solved)
        add("usd_per_solved", sum(r.cost.usd for r in recs), solved)
        edits = [s for r in recs for s in edit_calls(r)]
        applied = [s for s in edits if s.tool_ok]
        judged = [s for s in applied if s.localized is not None]  # records before the field: no value
        add("edit_apply_rate", len(applied), len(edits))
        add("localization", sum(bool(s.localized) for s in judged), len(judged))
        recovered = [recoveries(r) for r in recs]
        add("recovery_rate", sum(ok for ok, _ in recovered), sum(n for _, n in recovered))
        add("clean_stop_rate", sum(r.end_reason == "finished" for r in recs), n)
        for reason in END_REASONS:
            add(f"end/{reason}", sum(r.end_reason == reason for r in recs), n)
        for name in CHECKS:
            add(f"check/{name}", np.mean([r.checks[name].value for r in recs]), 1)
    return list(groups), comps


def format_value(value: float | None, fmt: Format) -> str:
    """How tables print a value of this metric (percent with one decimal, tokens in k, ...)."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if fmt == "pct":
        return f"{100 * value:.1f}"
    if fmt == "tokens":
        return f"{value / 1000:.1f}k" if abs(value) >= 1000 else f"{value:.0f}"
    if fmt == "usd":
        return f"{value:.4f}"
    return f"{value:.3f}"
