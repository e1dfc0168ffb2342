"""Statistics over tasks: unbiased pass@k, BCa bootstrap confidence intervals, paired tests,
Holm's correction across a table's metrics.

Every metric is a ratio of sums over tasks, ``sum(num) / sum(den)``, with one (num, den) pair per
task: a per-task mean has ``den = 1`` (so the metric is the mean over tasks), a rate per step has
``den = steps`` and a cost per solved task has ``den = solved episodes``. Tasks are the unit of
resampling, because samples of one task are not independent; a bootstrap resample draws tasks
with replacement and recomputes the ratio (scipy's BCa interval), and a paired comparison swaps the two methods' values
task by task (a sign-flip permutation test, exact up to 16 tasks).
"""

from __future__ import annotations

import warnings
from math import comb
from typing import Any

import numpy as np

PAIRED_TEST = "paired permutation test over tasks (two-sided)"
EXACT_UP_TO_TASKS = 16


def pass_at_k(n: int, c: int, k: int) -> float:
    """Chen et al. (2021): P(at least one of k samples drawn from the n passes) with c passing."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n (n={n}, c={c}, k={k})")
    if n - c < k:
        return 1.0
    return 1.0 - comb(n - c, k) / comb(n, k)


def ratio(num: np.ndarray, den: np.ndarray) -> float | None:
    """sum(num) / sum(den); None when the denominator is 0 (e.g. cost per solved, none solved)."""
    total = float(np.sum(den))
    return float(np.sum(num)) / total if total > 0 else None


def _ratio_stat(num: np.ndarray, den: np.ndarray, axis: int = -1) -> np.ndarray:
    dens = den.sum(axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(dens > 0, num.sum(axis) / np.where(dens > 0, dens, 1), np.nan)


def _diff_stat(na: np.ndarray, da: np.ndarray, nb: np.ndarray, db: np.ndarray, axis: int = -1) -> np.ndarray:
    return _ratio_stat(na, da, axis) - _ratio_stat(nb, db, axis)


def _interval(samples: tuple[np.ndarray, ...], statistic, confidence: float, resamples: int, seed: int):
    """BCa bootstrap CI over tasks (the tasks' arrays are resampled together); the percentile
    interval of the finite resamples where BCa is undefined (a resample without denominator, or
    every task alike), and the value itself with one task."""
    from scipy.stats import bootstrap

    value = float(statistic(*samples))
    if len(samples[0]) < 2 or all(np.all(x == x[0]) for x in samples):
        return value, value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DegenerateDataWarning / nan statistics: handled below
        res = bootstrap(
            samples,
            statistic,
            n_resamples=resamples,
            paired=True,
            vectorized=True,
            confidence_level=confidence,
            method="BCa",
            rng=np.random.default_rng(seed),
        )
    low, high = res.confidence_interval  # widened to hold the value: whiskers are drawn from it
    if np.isfinite(low) and np.isfinite(high):
        return float(min(low, value)), float(max(high, value))
    dist = res.bootstrap_distribution[np.isfinite(res.bootstrap_distribution)]
    if not len(dist):
        return value, value
    alpha = (1 - confidence) / 2
    low, high = np.quantile(dist, [alpha, 1 - alpha])
    return float(min(low, value)), float(max(high, value))


def bootstrap_ci(
    num, den, *, confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float | None, float | None]:
    """BCa bootstrap CI of sum(num)/sum(den), resampling tasks (scipy.stats.bootstrap). BCa
    corrects the percentile interval's bias and skew, which matter with 12 to 40 tasks."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    if ratio(num, den) is None:
        return None, None
    return _interval((num, den), _ratio_stat, confidence, resamples, seed)


def holm(p_values: list[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (family-wise error over one table's metrics); None
    (no test) stays None and does not count towards the family. scipy has only FDR control."""
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    out: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(tested):
        running = max(running, min(1.0, (len(tested) - rank) * p))
        out[i] = running
    return out


def describe(num, den, *, confidence: float = 0.95, resamples: int = 2000, seed: int = 0) -> dict[str, Any]:
    """``{"value", "ci_low", "ci_high", "tasks"}`` for one metric."""
    num, den = np.asarray(num, float), np.asarray(den, float)
    low, high = bootstrap_ci(num, den, confidence=confidence, resamples=resamples, seed=seed)
    return {"value": ratio(num, den), "ci_low": low, "ci_high": high, "tasks": int(len(num))}


def paired_comparison(
    a: tuple, b: tuple, *, confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """Method A minus method B on the same tasks (arrays aligned task by task).

    ``difference`` = ratio(A) - ratio(B); its CI resamples tasks (the same draw for both, so the
    pairing is kept); ``p_value`` tests "no difference" by swapping A's and B's values within
    tasks (scipy's permutation test; exact up to 16 tasks or when 2**tasks <= resamples)."""
    from scipy.stats import permutation_test

    num_a, den_a = (np.asarray(x, float) for x in a)
    num_b, den_b = (np.asarray(x, float) for x in b)
    n = len(num_a)
    if not n or len(num_b) != n:
        raise ValueError(f"paired comparison needs the same tasks on both sides ({n} vs {len(num_b)})")
    ra, rb = ratio(num_a, den_a), ratio(num_b, den_b)
    result = {"difference": None, "ci_low": None, "ci_high": None, "p_value": None, "tasks": n, "test": PAIRED_TEST}
    if ra is None or rb is None:
        return result
    result["difference"] = ra - rb
    # Paired bootstrap: one task draw applied to both methods.
    result["ci_low"], result["ci_high"] = _interval(
        (num_a, den_a, num_b, den_b), _diff_stat, confidence, resamples, seed
    )
    # Permutation test on task indices: index i < n is A's task i, index n + i is B's. Swapping
    # the paired index arrays swaps the methods within a task.
    nums, dens = np.concatenate([num_a, num_b]), np.concatenate([den_a, den_b])

    def statistic(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            d = nums[x].sum(axis) / dens[x].sum(axis) - nums[y].sum(axis) / dens[y].sum(axis)
        return np.nan_to_num(d, nan=0.0)

    exact = 2**n if n <= EXACT_UP_TO_TASKS else 0  # all 2**n swaps when that is affordable
    test = permutation_test(
        (np.arange(n), np.arange(n) + n),
        statistic,
        permutation_type="samples",
        vectorized=True,
        n_resamples=max(resamples, exact),
        alternative="two-sided",
        rng=np.random.default_rng(seed),
    )
    result["p_value"] = float(test.pvalue)
    return result
