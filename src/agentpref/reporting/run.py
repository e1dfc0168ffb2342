"""``report.py``: evaluate.py run dirs -> paper-style ablation tables and plots.

One row per method (run dir), one column per metric, ``value [CI]`` cells with the best per
column in bold; optionally a second table of paired differences vs a baseline method, recomputed
from the runs' per-task components on their common tasks. Writes ``<name>.md``, ``<name>.tex``,
``<name>.json``, ``<name>_bars.png``, with two or more DPO β ``<name>_beta.png`` and, with a
training run evaluated at two or more steps (evaluate.py ``policy_step``), ``<name>_curve.png``.
"""

from __future__ import annotations

import glob
import json
import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from agentpref.errors import ConfigError
from agentpref.evaluation.metrics import Metric, catalogue
from agentpref.evaluation.stats import PAIRED_TEST, describe, holm
from agentpref.evaluation.summary import load_summary, paired_by_task
from agentpref.reporting import plots, tables
from agentpref.run_files import EvaluationSummary

REPORT_KIND, REPORT_VERSION = "report", 1
DEFAULT_METRICS = [
    "pass@1",
    "pass@1_visible",
    "protocol_error_rate",
    "loop_rate",
    "check/tests_before_edit",
    "score",
    "tokens_per_solved",
]


class ReportConfig(BaseModel):
    """Config of ``report.py`` (conf/report.yaml)."""

    model_config = ConfigDict(extra="forbid")
    runs: list[str] = Field(min_length=1, description="globs of evaluate.py run dirs")
    metrics: list[str] = Field(default_factory=lambda: list(DEFAULT_METRICS), min_length=1)
    baseline: str | None = Field(None, description="a method label: adds paired differences vs it")
    name: str = Field("ablation", pattern=r"^[\w.+-]+$", description="output file stem")
    run_dir: str = "results"
    title: str | None = Field(None, description="null = derived from the model and task set")
    order: list[str] | None = Field(None, description="method labels first, in this order")
    allow_mixed_tasks: bool = Field(False, description="allow runs on different task sets")
    missing: list[str] = Field(
        default_factory=list,
        description="rows that could not be made, one line "
        "each, printed under the table (study.py fills it for skipped stages)",
    )

    @field_validator("runs", mode="before")
    @classmethod
    def _one_run(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


@dataclass
class Run:
    path: Path
    summary: EvaluationSummary
    group: str | None = None  # a seed's row: the method label its seeds share (pooled under it)
    seeds: list[int] | None = None  # a pooled row: the seeds it sums

    @property
    def method(self) -> str:
        return self.summary.method

    @property
    def task_ids(self) -> list[str]:
        return list(self.summary.per_task.get("task_ids") or self.summary.task_set.task_ids)


# ---- loading and checks ------------------------------------------------------------------------
def load_runs(patterns: list[str]) -> list[Run]:
    """Every directory the globs match, once each; each must hold an evaluate.py summary."""
    runs: dict[Path, Run] = {}
    for pattern in patterns:
        dirs = [Path(p) for p in sorted(glob.glob(os.path.expanduser(pattern))) if Path(p).is_dir()]
        if not dirs:
            raise ConfigError(
                f"runs: {pattern!r} matches no directory: list evaluate.py run dirs "
                "or globs of them, e.g. runs=[outputs/eval/*]"
            )
        for d in dirs:
            if d.resolve() not in runs:
                runs[d.resolve()] = Run(d, load_summary(d, "runs"))
    runs_list = list(runs.values())
    seen: dict[tuple[str, int], Path] = {}
    for run in runs_list:
        key = (run.method, run.summary.seed)
        if key in seen:
            raise ConfigError(
                f"runs: {seen[key]} and {run.path} have the same method {run.method!r} and seed "
                f"{run.summary.seed}: give each its own label with method=... at evaluate.py time, "
                "or leave one out of runs (runs of one method with different seeds are pooled)"
            )
        seen[key] = run.path
    return runs_list


# ---- seeds ---------------------------------------------------------------------------------------
def pool_seeds(runs: list[Run], allow_mixed: bool) -> list[Run]:
    """Runs of one method with different seeds become one row per seed, labelled
    ``method (seed s)``, and a pooled row under the method's own label: per task, the seeds'
    components are summed, so its CI resamples tasks, each carrying all its seeds."""
    groups: dict[str, list[Run]] = {}
    for run in runs:
        groups.setdefault(run.method, []).append(run)
    out: list[Run] = []
    for method, group in groups.items():
        if len(group) == 1:
            out.extend(group)
            continue
        group.sort(key=lambda r: r.summary.seed)
        out.extend(
            Run(r.path, r.summary.model_copy(update={"method": f"{method} (seed {r.summary.seed})"}), group=method)
            for r in group
        )
        out.append(_pooled(method, group, allow_mixed))
    return out


def _pooled(method: str, group: list[Run], allow_mixed: bool) -> Run:
    first = group[0]
    common = [t for t in first.task_ids if all(t in set(r.task_ids) for r in group[1:])]
    if not allow_mixed and any(set(r.task_ids) != set(first.task_ids) for r in group):
        raise ConfigError(
            f"runs: the seeds of {method!r} evaluated different tasks: evaluate every seed on the same "
            "tasks, or set allow_mixed_tasks=true (the pooled row then uses their common tasks)"
        )
    if not common:
        raise ConfigError(f"runs: the seeds of {method!r} share no task: evaluate them on the same tasks")
    for r in group:
        if not r.summary.per_task.get("components"):
            raise ConfigError(f"runs: {r.path} has no per-task components to pool: re-run evaluate.py there")
    names = set.intersection(*(set(r.summary.per_task["components"]) for r in group))
    positions = []  # per seed: where each common task sits in its components
    for r in group:
        at = {t: i for i, t in enumerate(r.task_ids)}
        positions.append([at[t] for t in common])
    pooled: dict[str, dict[str, list[float]]] = {}
    for name in sorted(names):
        comps = [r.summary.per_task["components"][name] for r in group]
        num = sum(np.asarray(c["num"], float)[idx] for c, idx in zip(comps, positions))
        den = sum(np.asarray(c["den"], float)[idx] for c, idx in zip(comps, positions))
        pooled[name] = {"num": num.tolist(), "den": den.tolist()}
    # the columns' metadata only: values and CIs come from the pooled components (recompute_cis)
    metrics = {
        name: {
            k: v for k, v in first.summary.metrics.get(name, {}).items() if k in ("label", "higher_is_better", "fmt")
        }
        for name in pooled
    }
    summary = first.summary.model_copy(
        update={
            "method": method,
            "metrics": metrics,
            "per_task": {"task_ids": common, "components": pooled},
            "task_set": first.summary.task_set.model_copy(update={"tasks": len(common), "task_ids": common}),
            "episodes": sum(r.summary.episodes for r in group),
            "samples_per_task": sum(r.summary.samples_per_task for r in group),
            "diagnostics": {},
            "git_sha": "/".join(_distinct([r.summary.git_sha or "?" for r in group])),
        }
    )
    return Run(first.path, summary, seeds=[r.summary.seed for r in group])


def recompute_cis(run: Run, metrics: list[Metric]) -> None:
    """Every cell's CI from the run's per-task components with the current interval (BCa), so
    runs evaluated under older versions and pooled rows are computed alike."""
    comps = run.summary.per_task.get("components") or {}
    for m in metrics:
        comp = comps.get(m.name)
        if comp is None:
            continue
        cell = describe(
            comp["num"],
            comp["den"],
            confidence=run.summary.confidence,
            resamples=run.summary.bootstrap_resamples,
            seed=0,
        )
        run.summary.metrics[m.name] = run.summary.metrics.get(m.name, {}) | cell


def default_order_key(run: Run) -> tuple:
    """base, SFT, DPO by β, SFT+DPO by β, then the rest by label; a run's checkpoints
    (" (step N)") by step, before its final adapter."""
    info = run.summary.method_info
    rank = {None: 0, "sft": 1}.get(info.algo, 4)
    if info.algo == "dpo":
        rank = 2 if info.init_algo is None else 3 if info.init_algo == "sft" else 4
    return (
        rank,
        info.beta if info.beta is not None else math.inf,
        plots.STEP_SUFFIX.sub("", run.group or run.method),
        run.seeds is not None,  # a method's seeds, then their pooled row
        info.policy_step is None,
        info.train_step if info.train_step is not None else math.inf,
        run.method,
    )


def order_runs(runs: list[Run], order: list[str] | None) -> list[Run]:
    ranked = sorted(runs, key=default_order_key)
    if not order:
        return ranked
    by_method = {r.method: r for r in ranked}
    unknown = [m for m in order if m not in by_method]
    if unknown:
        raise ConfigError(
            f"order: {unknown[0]!r} is not a method of these runs; methods: {', '.join(repr(m) for m in by_method)}"
        )
    first = [by_method[m] for m in dict.fromkeys(order)]
    return first + [r for r in ranked if r.method not in order]


def resolve_metrics(runs: list[Run], names: list[str]) -> list[Metric]:
    """The columns' metadata (label, direction, format), from the summaries; every run must
    have every metric."""
    names = list(dict.fromkeys(names))
    for run in runs:
        available = run.summary.metrics
        for name in names:
            if name not in available:
                raise ConfigError(
                    f"metrics: {name!r} is not in {run.path} ({run.method}); available: {', '.join(available)}"
                )
    known = catalogue(runs[0].summary.ks or [1])
    out = []
    for name in names:
        entry, cat = runs[0].summary.metrics[name], known.get(name)
        out.append(
            Metric(
                name,
                entry.get("label") or (cat.label if cat else name),
                bool(entry.get("higher_is_better", cat.higher_is_better if cat else True)),
                entry.get("fmt") or (cat.fmt if cat else "float"),
                cat.description if cat else "",
            )
        )
    return out


def check_tasks(runs: list[Run], allow_mixed: bool) -> bool:
    """True when the runs evaluated different task sets (an error unless allowed)."""
    reference = set(runs[0].task_ids)
    mixed = any(set(r.task_ids) != reference for r in runs[1:])
    if mixed and not allow_mixed:
        sets = "; ".join(
            f"{r.method}: {len(r.task_ids)} tasks of {r.summary.task_set.kind}/{r.summary.task_set.split}" for r in runs
        )
        raise ConfigError(
            f"runs evaluated different task sets ({sets}): evaluate every method on "
            "the same tasks, or set allow_mixed_tasks=true (CIs then cover "
            "different tasks; differences use the common ones)"
        )
    return mixed


# ---- paired differences ------------------------------------------------------------------------
def compare(run: Run, base: Run, metrics: list[Metric]) -> dict[str, dict[str, Any]]:
    """``run`` minus ``base`` per metric, paired over their common tasks (in base's order)."""
    for r in (run, base):
        if not r.summary.per_task.get("components"):
            raise ConfigError(
                f"baseline: {r.path} ({r.method}) has no per-task components: re-run "
                "evaluate.py there (a current version writes them)"
            )
    return paired_by_task(
        run.summary.per_task,
        base.summary.per_task,
        [m.name for m in metrics],
        what=f"{run.method} and {base.method} ({base.path})",
        confidence=base.summary.confidence,
        resamples=base.summary.bootstrap_resamples,
        key="baseline",
    )


# ---- the report --------------------------------------------------------------------------------
def _distinct(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _span(values: list[Any]) -> str:
    values = _distinct(values)
    nums = [v for v in values if isinstance(v, int | float)]
    if len(values) == 1:
        return str(values[0])
    return f"{min(nums)}–{max(nums)}" if len(nums) == len(values) else "/".join(map(str, values))


def derive_title(runs: list[Run]) -> str:
    models = ", ".join(_distinct([r.summary.model for r in runs]))
    sets = ", ".join(_distinct([f"{r.summary.task_set.kind} {r.summary.task_set.split}" for r in runs]))
    return f"Ablation: {models} on {sets} ({_span([len(r.task_ids) for r in runs])} tasks)"


def _notes(runs: list[Run], mixed: bool) -> list[str]:
    conf = _distinct([r.summary.confidence for r in runs])
    resamples = _distinct([r.summary.bootstrap_resamples for r in runs])
    tasks = _span([len(r.task_ids) for r in runs])
    k = _span([r.summary.samples_per_task for r in runs])
    level = "/".join(f"{100 * c:g}%" for c in conf if c is not None) or "?"
    notes = [
        f"Cells: value [{level} CI], BCa bootstrap over tasks "
        f"({'/'.join(map(str, resamples))} resamples); CIs over {tasks} tasks, {k} samples "
        "per task. Bold: best per column (↑ higher is better, ↓ lower is better); "
        "(%) columns are percentages."
    ]
    pooled = [r for r in runs if r.seeds]
    if pooled:
        notes.append(
            "Pooled rows ("
            + ", ".join(f"{r.method}: seeds {', '.join(map(str, r.seeds or []))}" for r in pooled)
            + ") sum each task's components over the seeds; their CIs resample tasks, each with all its seeds."
        )
    if len(_distinct([r.summary.samples_per_task for r in runs])) > 1:
        notes.append(
            "Note: samples per task differ across runs ("
            + ", ".join(f"{r.method}: {r.summary.samples_per_task}" for r in runs)
            + ")."
        )
    if mixed:
        notes.append(
            "Note: the runs evaluated different task sets (allow_mixed_tasks=true); each "
            "CI covers its run's own tasks, paired differences the common tasks."
        )
    incomplete = [r.method for r in runs if r.summary.task_set.incomplete]
    if incomplete:
        notes.append(f"Note: some tasks were left out (fewer than K finished samples) in: {', '.join(incomplete)}.")
    return notes


def _row(run: Run, metrics: list[Metric]) -> dict[str, Any]:
    return {
        "method": run.method,
        "run_dir": _relative(str(run.path)),
        "method_info": run.summary.method_info.model_dump()
        | {"policy_from": _relative(run.summary.method_info.policy_from)},
        "model": run.summary.model,
        "adapter": _relative(run.summary.adapter),
        "git_sha": run.summary.git_sha,
        "tasks": len(run.task_ids),
        "samples_per_task": run.summary.samples_per_task,
        "seed": run.summary.seed if run.seeds is None else None,
        "seeds": run.seeds,
        "metrics": {
            m.name: {k: run.summary.metrics[m.name].get(k) for k in ("value", "ci_low", "ci_high", "tasks")}
            for m in metrics
        },
    }


def _relative(path: str | None) -> str | None:
    """A path under the working directory as a relative one, one under another checkout's
    outputs/ from outputs/ on: committed tables name no machine's absolute paths (study stages
    hand each other absolute ones)."""
    if not path:
        return path
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        pass
    parts = Path(path).parts
    if Path(path).is_absolute() and "outputs" in parts:  # made in another checkout (a worktree, a clone)
        return str(Path(*parts[parts.index("outputs") :]))
    return path


def table_rows(runs: list[Run], metrics: list[Metric]) -> list[dict[str, Any]]:
    """One row per run (method, provenance, each metric's value/CI) with each column's best
    flagged: what the tables, the plots and the notebook read."""
    rows = [_row(r, metrics) for r in runs]
    for m in metrics:
        values = [r["metrics"][m.name]["value"] for r in rows]
        for row, best in zip(rows, tables.best_rows(values, m)):
            row["metrics"][m.name]["best"] = best
    return rows


def diagnostics_blocks(runs: list[Run]) -> dict[str, dict[str, Any]]:
    """{method: its summary's diagnostics block}; runs evaluated before the block existed are
    left out."""
    return {r.method: r.summary.diagnostics for r in runs if r.summary.diagnostics}


def _provenance(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(run dir, "method, model, adapter, git SHA") per row."""
    return [
        (r["run_dir"], f"{r['method']}, model {r['model']}, adapter {r['adapter'] or '-'}, git {r['git_sha'] or '?'}")
        for r in rows
    ]


def baseline_for(run: Run, by_method: dict[str, Run], baseline: str) -> Run | None:
    """What a row is compared with: a seed's row with the same seed of the baseline when the
    baseline has seeds (none if it lacks that one), every other row with the baseline's row."""
    seeded = {r.summary.seed: r for r in by_method.values() if r.group == baseline}
    if run.group is None or not seeded:
        return by_method[baseline]
    return seeded.get(run.summary.seed)


def with_holm(comparison: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each metric's p with Holm's adjustment across the row's metrics beside it (``p_holm``)."""
    names = list(comparison)
    for name, p in zip(names, holm([comparison[n].get("p_value") for n in names])):
        comparison[name]["p_holm"] = p
    return comparison


def make_report(cfg: ReportConfig, command: str) -> dict[str, Any]:
    """Write the report files into ``cfg.run_dir``; returns their paths and the row count."""
    command = command.replace(f"{Path.cwd().resolve()}/", "")  # a study passes absolute run dirs
    runs = pool_seeds(load_runs(cfg.runs), cfg.allow_mixed_tasks)
    runs = order_runs(runs, cfg.order)
    metrics = resolve_metrics(runs, cfg.metrics)
    for run in runs:
        recompute_cis(run, metrics)
    mixed = check_tasks(runs, cfg.allow_mixed_tasks)
    by_method = {r.method: r for r in runs}
    if cfg.baseline is not None and cfg.baseline not in by_method:
        raise ConfigError(
            f"baseline: {cfg.baseline!r} is not a method of these runs; methods: "
            f"{', '.join(repr(m) for m in by_method)}"
        )
    rows = table_rows(runs, metrics)
    comparisons: dict[str, dict[str, Any]] = {}
    if cfg.baseline is not None:
        comparisons = {
            r.method: with_holm(compare(r, base, metrics))
            for r in runs
            if (base := baseline_for(r, by_method, cfg.baseline)) is not None and r is not base
        }
    title = cfg.title or derive_title(runs)
    notes = [*_notes(runs, mixed), *(f"Missing row: {line}" for line in cfg.missing)]

    out = Path(cfg.run_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "markdown": out / f"{cfg.name}.md",
        "latex": out / f"{cfg.name}.tex",
        "json": out / f"{cfg.name}.json",
        "bars": out / f"{cfg.name}_bars.png",
    }

    md = [
        f"# {title}",
        "",
        tables.to_markdown(tables.results_frame(rows, metrics, "md")),
        "",
        *(line for note in notes for line in (note, "")),
    ]
    tex = [
        "% Generated by report.py (agentpref); needs \\usepackage{booktabs}",
        f"% Command: {command}",
        *(f"% Run {d}: {desc}" for d, desc in _provenance(rows)),
        *(f"% {note}" for note in notes),
        "",
        tables.to_latex(tables.results_frame(rows, metrics, "tex"), title, f"tab:{cfg.name}"),
    ]
    if comparisons:
        confidence = by_method[cfg.baseline].summary.confidence
        alpha = 1 - confidence
        common = _span([c[metrics[0].name]["tasks"] for c in comparisons.values()])
        diff_note = (
            f"Paired difference (method − {cfg.baseline}) on the common tasks ({common}), "
            f"{100 * confidence:g}% paired BCa bootstrap CI; p: {PAIRED_TEST}; Holm: p adjusted "
            f"across the row's {len(metrics)} metrics (Holm's step-down). Bold: Holm p < {alpha:.3g}."
        )
        if any(r.seeds for r in runs):
            diff_note += f" A seed's row is compared with the same seed of {cfg.baseline} when it has seeds."
        md += [
            f"## Difference vs {cfg.baseline}",
            "",
            tables.to_markdown(tables.difference_frame(comparisons, metrics, "md", alpha)),
            "",
            diff_note,
            "",
        ]
        diff_tex = tables.difference_frame(comparisons, metrics, "tex", alpha)
        tex += [
            f"% {diff_note}",
            tables.to_latex(diff_tex, f"{title}: difference vs {cfg.baseline}", f"tab:{cfg.name}-diff"),
        ]
    blocks = diagnostics_blocks(runs)
    if blocks:
        md += [
            "## Agent diagnostics",
            "",
            tables.to_markdown(tables.diagnostics_frame(blocks, "md")),
            "",
            "Protocol-error and tool-error kinds as a share of all turns (%); edits applied / valid edit calls.",
            "",
            "Protocol errors by turn index (% of the turns at that index):",
            "",
            tables.to_markdown(tables.turn_frame(blocks, "md")),
            "",
        ]
        skipped = [r.method for r in runs if r.method not in blocks]
        if skipped:
            md += [f"No diagnostics in: {', '.join(skipped)} (evaluated before they were recorded).", ""]
    md += [f"Command: `{command}`", "", "Runs:", "", *(f"- `{d}`: {desc}" for d, desc in _provenance(rows)), ""]
    files["markdown"].write_text("\n".join(md), encoding="utf-8")
    files["latex"].write_text("\n".join(tex), encoding="utf-8")

    plots.bar_plot(rows, metrics, files["bars"], title)
    beta = plots.beta_plot(rows, metrics, out / f"{cfg.name}_beta.png", title)
    if beta is not None:
        files["beta"] = beta
    else:
        (out / f"{cfg.name}_beta.png").unlink(missing_ok=True)  # stale, from an older report
    curve = plots.curve_plot(rows, metrics, out / f"{cfg.name}_curve.png", title)
    if curve is not None:
        files["curve"] = curve
    else:
        (out / f"{cfg.name}_curve.png").unlink(missing_ok=True)
    report = {
        "kind": REPORT_KIND,
        "version": REPORT_VERSION,
        "title": title,
        "command": command,
        "metrics": [
            {"name": m.name, "label": m.label, "higher_is_better": m.higher_is_better, "fmt": m.fmt} for m in metrics
        ],
        "rows": rows,
        "baseline": cfg.baseline,
        "comparisons": comparisons,
        "mixed_tasks": mixed,
        "notes": notes,
        "diagnostics": blocks,
    }
    files["json"].write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    return {
        "rows": len(rows),
        "methods": [r["method"] for r in rows],
        "metrics": len(metrics),
        "baseline": cfg.baseline,
        "files": {k: str(v) for k, v in files.items()},
    }


def print_summary(result: dict[str, Any]) -> None:
    """A human line on stderr, the machine-readable result (one JSON line) on stdout."""
    others = ", ".join(Path(p).name for k, p in result["files"].items() if k != "markdown")
    print(
        f"report of {result['rows']} methods x {result['metrics']} metrics -> "
        f"{result['files']['markdown']} (+ {others})",
        file=sys.stderr,
    )
    print(json.dumps(result))
