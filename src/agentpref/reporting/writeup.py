"""``make report``: results/REPORT.md, the paper-style write-up of the studies that have been run,
rebuilt from the report files committed under results/ (report.py's ``<name>.json``) and the
status lines of experiments/*/README.md. No run dir is read; every number is a table's number,
formatted as the tables format it, and links to the experiment folder it comes from.

    python -m agentpref.reporting.writeup            # writes results/REPORT.md
    python -m agentpref.reporting.writeup --check    # exit 1 when results/REPORT.md is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentpref.evaluation.metrics import Metric
from agentpref.reporting.tables import difference_frame, difference_text, results_frame, to_markdown

REPO = Path(__file__).resolve().parents[3]
ALPHA = 0.05
HEADLINE = ["score", "protocol_error_rate", "edit_apply_rate", "localization", "clean_stop_rate", "pass@1"]


@dataclass
class Table:
    """Rows of one committed report, with the metrics shown and the experiment they belong to."""

    report: str  # results/<...>.json, relative to the repo
    experiment: str  # experiments/<folder>
    rows: list[str] | None = None  # methods shown (None: all), in the report's order
    metrics: list[str] | None = None  # None: HEADLINE, those the report has
    tasks: str = ""  # the task set, where a sentence quotes a difference out of its table

    def load(self, root: Path) -> dict[str, Any]:
        path = root / self.report
        if not path.is_file():
            raise FileNotFoundError(
                f"{self.report} is missing: re-run its report.py command (experiments/{self.experiment})"
            )
        return json.loads(path.read_text(encoding="utf-8"))


MAIN = Table("results/cpu_study/cpu_study_seeds.json", "cpu_study", tasks="heldout builtin")
MAIN_SYNTHETIC = Table("results/cpu_study/cpu_study_seeds_synthetic.json", "cpu_study", tasks="heldout synthetic")
SFT_RECIPE = Table(
    "results/sft_recipe.json",
    "sft_recipe",
    rows=["base (3 turns)", "SFT v1: 48 steps, recovery demos", "SFT v6: stuck demos half v4, half v5 (adopted)"],
    metrics=["protocol_error_rate", "edit_apply_rate", "localization", "recovery_rate", "clean_stop_rate", "pass@1"],
)
ABLATIONS = [
    (
        "Edit format (the v5 recipe, 15 heldout builtin tasks, greedy)",
        Table("results/sft_recipe_formats.json", "sft_recipe"),
    ),
    ("Re-indenting edits (30 heldout builtin tasks, greedy)", Table("results/sft_recipe_reindent.json", "sft_recipe")),
    (
        "DPO-stage probes on seed 0: the same SFT policy and pairs, one knob changed per row",
        Table("results/cpu_study/probe_dpo/cpu_study_dpo_probes.json", "cpu_ablation", tasks="heldout builtin"),
    ),
    (
        "Before the cut: DPO on whole-episode trajectory pairs (seeds 0 and 1, heldout builtin)",
        Table("results/cpu_study/whole_episodes/cpu_study_seeds.json", "cpu_study", tasks="heldout builtin"),
    ),
    (
        "The probe that led to the cut: pairs cut one turn after the episodes part (seed 1)",
        Table("results/cpu_study/whole_episodes/cpu_study_divergence_probe.json", "cpu_study", tasks="heldout builtin"),
    ),
]
FIGURES = [
    ("results/cpu_study/cpu_study_seeds_bars.png", "cpu_study", "base, SFT and SFT+DPO per seed and pooled, 95% CIs"),
    (
        "results/cpu_study/whole_episodes/cpu_study_seeds_bars.png",
        "cpu_study",
        "before the cut: DPO on whole-episode pairs, seeds 0 and 1",
    ),
    ("results/sft_recipe_curve_curve.png", "sft_recipe", "SFT's learning curve: checkpoints at 12, 24 and 36 steps"),
    ("results/sft_recipe_bars.png", "sft_recipe", "the SFT recipe versions against the base model"),
]


def _metrics(report: dict[str, Any], names: list[str] | None) -> list[Metric]:
    known = {m["name"]: m for m in report["metrics"]}
    return [Metric(description="", **known[n]) for n in (names or HEADLINE) if n in known]


def _rows(report: dict[str, Any], methods: list[str] | None) -> list[dict[str, Any]]:
    rows = report["rows"]
    if methods is None:
        return rows
    by_method = {r["method"]: r for r in rows}
    missing = [m for m in methods if m not in by_method]
    if missing:
        raise KeyError(f"{missing} not in the rows of the report ({', '.join(by_method)})")
    return [by_method[m] for m in methods]


def render_table(table: Table, root: Path) -> str:
    """The rows as report.py's Markdown shows them, then their paired differences to the baseline."""
    report = table.load(root)
    metrics, rows = _metrics(report, table.metrics), _rows(report, table.rows)
    parts = [to_markdown(results_frame(rows, metrics, "md"))]
    shown = {r["method"] for r in rows}
    comparisons = {m: c for m, c in (report.get("comparisons") or {}).items() if m in shown}
    if comparisons:
        parts += [
            f"Paired difference vs {report['baseline']}:",
            to_markdown(difference_frame(comparisons, metrics, "md", ALPHA)),
        ]
    source = f"Source: [{table.report}]({_link(table.report)}) ([experiments/{table.experiment}]"
    source += f"({_link('experiments/' + table.experiment)})); made by `{report['command']}`."
    return "\n\n".join([*parts, source])


def _link(path: str) -> str:
    return "../" + path  # REPORT.md lives in results/


def effects(table: Table, root: Path) -> dict[str, list[str]]:
    """The table's paired differences, one sentence each, by what they show: ``effect`` (Holm's p
    < 0.05), ``unadjusted`` (the CI excludes zero, Holm's p does not pass), ``null`` (the CI holds zero)."""
    report = table.load(root)
    metrics = {m.name: m for m in _metrics(report, table.metrics)}
    shown = {r["method"] for r in _rows(report, table.rows)}
    found: dict[str, list[str]] = {"effect": [], "unadjusted": [], "null": []}
    where = f" on {table.tasks} tasks" if table.tasks else ""
    link = f" ([experiments/{table.experiment}]({_link('experiments/' + table.experiment)}))"
    for method, comparison in (report.get("comparisons") or {}).items():
        if method not in shown:
            continue
        for name, metric in metrics.items():
            c = comparison.get(name) or {}
            if c.get("difference") is None or c.get("ci_low") is None:
                continue
            line = f"{method} − {report['baseline']}, {metric.label}{where}: {difference_text(c, metric.fmt)}{link}"
            p = c.get("p_holm") if c.get("p_holm") is not None else c.get("p_value", 1)
            kind = "effect" if p < ALPHA else "null" if c["ci_low"] <= 0 <= c["ci_high"] else "unadjusted"
            found[kind].append(line)
    return found


def status(root: Path) -> list[tuple[str, str]]:
    """(folder, status line) of every experiments/*/README.md."""
    out = []
    for readme in sorted((root / "experiments").glob("*/README.md")):
        text = readme.read_text(encoding="utf-8")
        match = re.search(r"\*\*Status\.\*\*\s*(.+?)(?:\n\n|\Z)", text, flags=re.S)
        out.append((readme.parent.name, " ".join(match.group(1).split()) if match else "not stated"))
    return out


def _seeds(report: dict[str, Any]) -> list[int]:
    """The seeds behind a report's rows (a pooled row lists its seeds)."""
    return sorted({s for r in report["rows"] for s in [r.get("seed"), *(r.get("seeds") or [])] if s is not None})


def headline(report: dict[str, Any], seeds_text: str) -> list[str]:
    """One sentence per pooled comparison (a row without "(seed"): its difference in the score."""
    metric = next((m for m in _metrics(report, ["score"])), None)
    if metric is None:
        return []
    where = f"Pooled over {seeds_text}" if len(_seeds(report)) > 1 else f"On {seeds_text}"
    lines = [
        f"- {where}, {method} − {report['baseline']} on the behaviour score: "
        f"**{difference_text(c['score'], metric.fmt)}**."
        for method, c in (report.get("comparisons") or {}).items()
        if "(seed" not in method and c.get("score", {}).get("difference") is not None
    ]
    return [*lines, ""] if lines else []


def build(root: Path | None = None) -> str:
    root = root or REPO
    main = MAIN.load(root)
    seeds = _seeds(main)
    sft = next(r for r in main["rows"] if r["method"] == main["baseline"])
    found = {kind: a + b for (kind, a), b in zip(effects(MAIN, root).items(), effects(MAIN_SYNTHETIC, root).values())}
    seeds_text = f"seed {seeds[0]}" if len(seeds) == 1 else "seeds " + ", ".join(map(str, seeds))
    lines = [
        "# Does DPO on behaviour-scored pairs make a small open model a better repo-fixing agent?",
        "",
        "_Generated by `make report` (`python -m agentpref.reporting.writeup`) from the report files committed "
        "under results/ and the status lines of experiments/; edit those, not this file._",
        "",
        "## Question",
        "",
        "A tool-using agent fixes small Python programs (QuixBugs-style tasks: read, run the tests, edit, "
        "finish). Deterministic behaviour checks score each episode (tests run before the first edit, edits "
        "that apply, loops, clean stops, hidden tests). Does preference optimisation (DPO) on pairs of the "
        "policy's own episodes, labelled by those checks, improve the policy on heldout tasks, beyond what "
        "supervised fine-tuning (SFT) on demonstrations gives and beyond seed noise? And can a model small "
        "enough for a CPU budget be made to follow the tool protocol at all, so that there is something to "
        "prefer?",
        "",
        "## Setup",
        "",
        f"- Model: SmolLM2-135M-Instruct with LoRA, on 2 CPU cores; {sft['tasks']} heldout builtin tasks "
        "(programs never trained on) plus 15 heldout synthetic ones (AST mutations of heldout programs).",
        "- SFT: oracle demonstrations, 60% with one deliberate mistake and its recovery (the mistake masked "
        "out of the loss) ([experiments/sft_recipe](../experiments/sft_recipe)).",
        "- Pairs: the SFT policy's own rollouts on train tasks at T = 1, paired within a task by behaviour "
        "score, each side cut one trained turn after the two episodes part (trajectory pairs), and "
        "alternatives at decision points valued by their continuations "
        "(step pairs); DPO (beta 0.1) continues the SFT adapter "
        "([experiments/cpu_study](../experiments/cpu_study)).",
        f"- Evaluation: {sft['samples_per_task']} samples per task at T = 0.7; BCa bootstrap 95% CIs over "
        "tasks; paired permutation tests with Holm's adjustment across a row's metrics; runs of several "
        f"seeds pooled per task. This report covers {seeds_text} of the CPU study.",
        "",
        "## Main result: DPO after SFT (CPU study)",
        "",
        *headline(main, seeds_text),
        render_table(MAIN, root),
        "",
        "On the heldout synthetic tasks:",
        "",
        render_table(MAIN_SYNTHETIC, root),
        "",
        "## What made the model an agent: the SFT recipe",
        "",
        render_table(SFT_RECIPE, root),
        "",
        "## Ablations",
        "",
    ]
    for title, table in ABLATIONS:
        lines += [f"### {title}", "", render_table(table, root), ""]
    lines += ["## Figures", ""]
    for path, experiment, caption in FIGURES:
        if (root / path).is_file():
            lines += [
                f"![{caption}]({_link(path)})",
                "",
                f"_{caption} ([experiments/{experiment}](../experiments/{experiment}))._",
                "",
            ]
    sections = [
        ("effect", ["## Effects (Holm-adjusted p < 0.05)"]),
        (
            "unadjusted",
            ["Differences whose CI excludes zero but which do not pass Holm's adjustment across the table's metrics:"],
        ),
        (
            "null",
            [
                "## Null results",
                "",
                "Differences whose 95% CI holds zero; with these sample sizes, they are the absence of a detectable "
                "effect, not evidence of none:",
            ],
        ),
    ]
    for kind, heading in sections:
        lines += [*heading, "", *([f"- {line}" for line in found[kind]] or ["- None."]), ""]
    lines += [
        "## Limitations",
        "",
        "- One 135M-parameter model on a CPU budget: pass@1 is zero for every row; the behaviour checks "
        "move, the fixes do not. The GPU study (Qwen2.5-7B, [experiments/qwen7b](../experiments/qwen7b)) "
        "has not been run.",
        f"- {sft['tasks']} heldout builtin tasks and {seeds_text}: CIs are wide, and the DPO recipe "
        "(steps, learning rate) comes from a short probe, not a search.",
        "- Few step pairs: a decision point costs full continuations (1 to 2 min on 2 cores) and most value "
        "gaps are under the 0.05 margin, so a seed has a handful and the step-pair rows of the ablation "
        "are not run.",
        "- Rollouts and evaluations use llama.cpp, which is not bit-reproducible run to run; the seed fixes "
        "data order and demonstrations, not every sampled token.",
        "",
        "## Status of every study",
        "",
        "| experiment | status |",
        "|---|---|",
    ]
    lines += [f"| [{folder}](../experiments/{folder}) | {text} |" for folder, text in status(root)]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="default: results/REPORT.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs from a rebuild")
    args = parser.parse_args(argv)
    args.out = args.out or REPO / "results" / "REPORT.md"
    try:
        text = build()
    except (FileNotFoundError, KeyError) as exc:
        print(f"error: {exc.args[0]}", file=sys.stderr)
        return 2
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'stale: run make report'}", file=sys.stderr)
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
