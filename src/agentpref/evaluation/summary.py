"""Reading evaluate.py summaries and pairing two of them task by task (used by evaluate.py's
``compare_to``, report.py and the analysis notebook; no model or generation imports)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from agentpref.errors import ConfigError
from agentpref.evaluation.stats import paired_comparison
from agentpref.run_files import EvaluationSummary


def load_summary(run_dir: str | Path, key: str = "run_dir") -> EvaluationSummary:
    """An evaluate.py summary.json; anything else is one line naming ``key`` (the config key
    that pointed here) and the fix."""
    return EvaluationSummary.read(run_dir, key)


def paired_by_task(
    a: dict[str, Any],
    b: dict[str, Any],
    metrics: list[str],
    *,
    what: str,
    confidence: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
    key: str = "compare_to",
) -> dict[str, dict[str, Any]]:
    """Per-task components ``a`` minus ``b`` per metric, paired over their common tasks (b's order);
    ``what``: the two runs, for the error when they share no task."""
    ids_a, ids_b = a["task_ids"], b["task_ids"]
    mine = {t: i for i, t in enumerate(ids_a)}
    common = [t for t in ids_b if t in mine]
    if not common:
        raise ConfigError(f"{key}: {what} share no task: evaluate both on the same tasks")
    a_idx, b_idx = [mine[t] for t in common], [ids_b.index(t) for t in common]
    out = {}
    for name in metrics:
        ca, cb = a["components"].get(name), b["components"].get(name)
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
