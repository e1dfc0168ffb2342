"""Ablation plots (matplotlib, no display needed): bars with CI whiskers per metric, metric vs
DPO β curves with CI bands per family (DPO, SFT+DPO, ...), and learning curves (metric vs the
training steps of a run's evaluated checkpoints).

Figures are built with ``matplotlib.figure.Figure`` (the Agg canvas), never pyplot, so nothing
depends on a backend or global figure state. Values are in display units (percent for pct).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from agentpref.evaluation.metrics import Metric

NCOLS = 4


def _scale(metric: Metric) -> float:
    return 100.0 if metric.fmt == "pct" else 1.0


def _title(metric: Metric) -> str:
    unit = " (%)" if metric.fmt == "pct" else ""
    return f"{metric.label}{unit} {'↑' if metric.higher_is_better else '↓'}"


def _grid(n: int) -> tuple[Figure, list[Any]]:
    ncols = min(n, NCOLS)
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(4.2 * ncols, 3.4 * nrows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, list(axes[:n])


def _point(entry: dict[str, Any], scale: float) -> tuple[float, float, float]:
    """(value, ci_low, ci_high) scaled; nan where unknown."""

    def get(key: str) -> float:
        v = entry.get(key)
        return float(v) * scale if v is not None else math.nan

    value = get("value")
    low, high = get("ci_low"), get("ci_high")
    return value, (value if math.isnan(low) else low), (value if math.isnan(high) else high)


def bar_plot(rows: list[dict[str, Any]], metrics: list[Metric], path: Path, title: str) -> Path:
    """One subplot per metric, one bar per method (row order), CI whiskers."""
    fig, axes = _grid(len(metrics))
    methods = [r["method"] for r in rows]
    colors = [f"C{i % 10}" for i in range(len(rows))]
    x = np.arange(len(rows))
    for ax, m in zip(axes, metrics):
        pts = np.array([_point(r["metrics"][m.name], _scale(m)) for r in rows]).reshape(-1, 3)
        known = ~np.isnan(pts[:, 0])
        err = np.clip(np.stack([pts[:, 0] - pts[:, 1], pts[:, 2] - pts[:, 0]]), 0, None)
        ax.bar(
            x[known],
            pts[known, 0],
            yerr=err[:, known],
            color=[c for c, k in zip(colors, known) if k],
            capsize=3,
            edgecolor="black",
            linewidth=0.5,
        )
        # Fixed x range and a y axis from 0 (rates, counts, scores are never negative): all-zero
        # or all-missing panels still show where each method is.
        ax.set_xlim(-0.6, len(rows) - 0.4)
        finite = pts[np.isfinite(pts)]
        if not finite.size or finite.min() >= 0:
            top = finite.max() if finite.size else 0.0
            ax.set_ylim(0, top * 1.1 if top > 0 else _scale(m))
        for i in np.flatnonzero(~known):
            ax.text(i, 0, "n/a", ha="center", va="bottom", fontsize=8)
        ax.set_title(_title(m), fontsize=10)
        ax.set_xticks(x, methods, rotation=30, ha="right", fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(title, fontsize=11)
    fig.savefig(path, dpi=120)
    return path


def dpo_family(info: dict[str, Any]) -> str:
    """The line a DPO run belongs to in the β plot: its method without β (DPO, SFT+DPO,
    DPO-ipo, ... plus a non-default data scorer)."""
    init = info.get("init_algo")
    prefix = "SFT+" if init == "sft" else f"{str(init).upper()}+" if init else ""
    loss = info.get("loss_type")
    name = "DPO" if loss in (None, "sigmoid") else f"DPO-{loss}"
    scorer = info.get("data_scorer")
    return prefix + name + (f" [scorer={scorer}]" if scorer not in (None, "default") else "")


def dpo_betas(rows: list[dict[str, Any]]) -> list[float]:
    infos = [r["method_info"] for r in rows]
    return sorted({i["beta"] for i in infos if i.get("algo") == "dpo" and i.get("beta") is not None})


def _draw(
    ax: Any, metric: Metric, lines: dict[str, list[tuple[float, dict[str, Any]]]], references: list[dict[str, Any]]
) -> None:
    """One panel: each line's (x, row) points with its CI band, references as dashed levels."""
    scale = _scale(metric)
    for i, (label, points) in enumerate(lines.items()):
        xs = [x for x, _ in points]
        pts = np.array([_point(r["metrics"][metric.name], scale) for _, r in points]).reshape(-1, 3)
        ax.plot(xs, pts[:, 0], marker="o", color=f"C{i}", label=label)
        ax.fill_between(xs, pts[:, 1], pts[:, 2], color=f"C{i}", alpha=0.2, linewidth=0)
    for j, r in enumerate(references):
        value = _point(r["metrics"][metric.name], scale)[0]
        if not math.isnan(value):
            ax.axhline(value, color="0.4", linestyle=("--", ":", "-.")[j % 3], linewidth=1, label=r["method"])
    ax.set_title(_title(metric), fontsize=10)
    ax.grid(alpha=0.3)


def _save(fig: Figure, axes: list[Any], path: Path, title: str) -> Path:
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 5), fontsize=8)
    fig.suptitle(title, fontsize=11)
    fig.savefig(path, dpi=120)
    return path


def beta_plot(rows: list[dict[str, Any]], metrics: list[Metric], path: Path, title: str) -> Path | None:
    """Metric vs β (log x) per DPO family with CI bands, base/SFT as dashed references; only
    when the runs hold at least two distinct DPO β (else None, nothing written)."""
    betas = dpo_betas(rows)
    if len(betas) < 2:
        return None
    families: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        info = r["method_info"]
        if info.get("algo") == "dpo" and info.get("beta") is not None:
            families.setdefault(dpo_family(info), []).append(r)
    references = [r for r in rows if r["method_info"].get("algo") in (None, "sft")]
    lines = {
        family: [(r["method_info"]["beta"], r) for r in sorted(members, key=lambda r: r["method_info"]["beta"])]
        for family, members in families.items()
    }
    fig, axes = _grid(len(metrics))
    for ax, m in zip(axes, metrics):
        _draw(ax, m, lines, references)
        ax.set_xscale("log")
        ax.set_xticks(betas, [f"{b:g}" for b in betas])
        ax.minorticks_off()
        ax.set_xlabel("β")
    return _save(fig, axes, path, title)


STEP_SUFFIX = re.compile(r" \(step \d+\)$")  # method_label's suffix for a policy_step checkpoint


def training_curves(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """{curve label: rows by train_step} for each training run (``policy_from``) evaluated at two
    or more distinct steps; the label is the run's method without " (step N)". At a step evaluated
    twice (the final adapter and its last checkpoint) the first row in step order is kept."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        info = r["method_info"] or {}
        if info.get("policy_from") and info.get("train_step") is not None:
            runs.setdefault(os.path.normpath(info["policy_from"]), []).append(r)
    curves: dict[str, list[dict[str, Any]]] = {}
    for run, members in runs.items():
        by_step: dict[int, dict[str, Any]] = {}
        for r in sorted(members, key=lambda r: r["method_info"].get("policy_step") is not None):
            by_step.setdefault(r["method_info"]["train_step"], r)
        if len(by_step) < 2:
            continue
        label = STEP_SUFFIX.sub("", members[0]["method"])
        if label in curves:  # two runs of the same method: tell them apart by dir
            label += f" [{os.path.basename(run)}]"
        curves[label] = [by_step[step] for step in sorted(by_step)]
    return curves


def _tokens(n: int) -> str:
    for unit, scale in (("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.3g}{unit}"
    return str(n)


def curve_plot(rows: list[dict[str, Any]], metrics: list[Metric], path: Path, title: str) -> Path | None:
    """Metric vs training steps per run with CI bands (a learning curve from ``policy_step``
    evaluations), base as dashed references, input tokens under the steps when every run agrees
    on them; only when some run was evaluated at two or more steps (else None, nothing written)."""
    curves = training_curves(rows)
    if not curves:
        return None
    members = [r for c in curves.values() for r in c]
    steps = sorted({r["method_info"]["train_step"] for r in members})
    tokens: dict[int, set[Any]] = {}
    for r in members:
        tokens.setdefault(r["method_info"]["train_step"], set()).add(r["method_info"].get("train_tokens"))
    ticks = [str(s) for s in steps]
    if all(len(t) == 1 and None not in t for t in tokens.values()):
        ticks = [f"{s}\n{_tokens(next(iter(tokens[s])))} tok" for s in steps]
    sft_only = all(r["method_info"].get("algo") == "sft" for r in members)
    references = [r for r in rows if r["method_info"].get("algo") is None]
    lines = {label: [(r["method_info"]["train_step"], r) for r in curve] for label, curve in curves.items()}
    fig, axes = _grid(len(metrics))
    for ax, m in zip(axes, metrics):
        _draw(ax, m, lines, references)
        ax.set_xticks(steps, ticks, fontsize=7)
        ax.set_xlabel("SFT steps" if sft_only else "training steps")
    return _save(fig, axes, path, title)
