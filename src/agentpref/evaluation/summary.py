"""Reading evaluate.py summaries and pairing two of them task by task (used by evaluate.py's
``compare_to``, report.py and the analysis notebook; no model or generation imports)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from agentpref.errors import ConfigError
from agentpref.evaluation.stats import paired_comparison

SUMMARY_FILE, SUMMARY_KIND, SUMMARY_VERSION = "summary.json", "evaluate", 1


def load_summary(run_dir: str | Path, key: str = "run_dir") -> dict[str, Any]:
    """An evaluate.py summary.json; anything else is one line naming ``key`` (the config key
    that pointed here) and the fix."""
    file = Path(run_dir) / SUMMARY_FILE
    if not file.is_file():
        raise ConfigError(
            f"{key}: {run_dir} has no {SUMMARY_FILE}: point it at an evaluate.py run dir "
            "(has that evaluation finished?)"
        )
    try:
        summary = json.loads(file.read_text())
    except ValueError as exc:
        raise ConfigError(f"{key}: {file} is not valid JSON ({exc}): re-run evaluate.py there") from None
    if not isinstance(summary, dict) or summary.get("kind") != SUMMARY_KIND:
        kind = summary.get("kind") if isinstance(summary, dict) else None
        raise ConfigError(
            f"{key}: {file} is not an evaluate.py summary (kind={kind!r}): point it at "
            "evaluate.py run dirs, e.g. outputs/ablation/<model>/eval/*"
        )
    return summary


def paired_by_task(
    a: dict[str, Any],
    b: dict[str, Any],
    metrics: list[str],
    *,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
    key: str = "compare_to",
) -> dict[str, dict[str, Any]]:
    """Summary ``a`` minus summary ``b`` per metric, paired over their common tasks (b's order)."""
    ids_a, ids_b = a["per_task"]["task_ids"], b["per_task"]["task_ids"]
    mine = {t: i for i, t in enumerate(ids_a)}
    common = [t for t in ids_b if t in mine]
    if not common:
        raise ConfigError(
            f"{key}: {a.get('method')} and {b.get('method')} ({b.get('run_dir')}) share no task: "
            "evaluate both on the same tasks"
        )
    a_idx, b_idx = [mine[t] for t in common], [ids_b.index(t) for t in common]
    out = {}
    for name in metrics:
        ca, cb = a["per_task"]["components"].get(name), b["per_task"]["components"].get(name)
        if ca is None or cb is None:
            continue
        out[name] = paired_comparison(
            (np.asarray(ca["num"], float)[a_idx], np.asarray(ca["den"], float)[a_idx]),
            (np.asarray(cb["num"], float)[b_idx], np.asarray(cb["den"], float)[b_idx]),
            confidence=confidence,
            resamples=resamples,
            seed=seed,
        )
    return out
