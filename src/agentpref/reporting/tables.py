"""Ablation tables: cells formatted from metric summaries, laid out by pandas.

A result cell is ``value [ci_low, ci_high]`` in the metric's display format (``format_value``);
the best value of each column is bold (ties, as printed, all bold). A difference cell is
``+diff [ci_low, ci_high] (p=..., Holm ...)``, bold when Holm's p < 1 - confidence. pandas renders Markdown
(``to_markdown``, via tabulate) and LaTeX (``Styler.to_latex``, booktabs rules).
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

from agentpref.evaluation.metrics import Metric, format_value

Style = Literal["md", "tex"]
ARROWS = {"md": ("↑", "↓"), "tex": (r"$\uparrow$", r"$\downarrow$")}
_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "β": r"$\beta$",
    "Δ": r"$\Delta$",
    "–": "--",
    "−": "-",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in str(text))


def _text(text: str, style: Style, bold: bool = False) -> str:
    if style == "tex":
        text = latex_escape(text)
        return rf"\textbf{{{text}}}" if bold else text
    text = text.replace("|", r"\|")
    return f"**{text}**" if bold else text


def header(metric: Metric, style: Style) -> str:
    """``pass@1 (%) ↑``: label, a percent note for pct metrics, the better direction."""
    up, down = ARROWS[style]
    unit = " (%)" if metric.fmt == "pct" else ""
    return f"{_text(metric.label + unit, style)} {up if metric.higher_is_better else down}"


def result_text(entry: dict[str, Any], fmt: str) -> str:
    """``40.0 [20.0, 60.0]`` (no brackets when the CI is unknown, ``–`` when the value is)."""
    text = format_value(entry.get("value"), fmt)
    if entry.get("value") is not None and entry.get("ci_low") is not None and entry.get("ci_high") is not None:
        text += f" [{format_value(entry['ci_low'], fmt)}, {format_value(entry['ci_high'], fmt)}]"
    return text


def _signed(value: float | None, fmt: str) -> str:
    text = format_value(value, fmt)
    return "+" + text if value is not None and value > 0 and not text.startswith("-") else text


def difference_text(comp: dict[str, Any], fmt: str) -> str:
    """``+10.0 [+2.0, +18.0] (p=0.031)`` in the metric's display units."""
    if comp.get("difference") is None:
        return format_value(None, fmt)
    text = _signed(comp["difference"], fmt)
    if comp.get("ci_low") is not None:
        text += f" [{_signed(comp['ci_low'], fmt)}, {_signed(comp['ci_high'], fmt)}]"
    if comp.get("p_value") is not None:
        p, holm = comp["p_value"], comp.get("p_holm")
        text += " (p<0.001" if p < 0.001 else f" (p={p:.3g}"
        if holm is not None:
            text += ", Holm<0.001)" if holm < 0.001 else f", Holm {holm:.3g})"
        else:
            text += ")"
    return text


def best_rows(values: list[float | None], metric: Metric) -> list[bool]:
    """Which rows hold the column's best value; ties (equal as printed) are all best. With
    fewer than two values there is nothing to compare and nothing is best."""
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return [False] * len(values)
    best = format_value(max(known) if metric.higher_is_better else min(known), metric.fmt)
    return [v is not None and format_value(v, metric.fmt) == best for v in values]


def results_frame(rows: list[dict[str, Any]], metrics: list[Metric], style: Style) -> pd.DataFrame:
    """One row per method: ``method`` then one column per metric; ``rows[i]["metrics"][name]``
    holds value/ci_low/ci_high and ``best``."""
    data = {"method": [_text(r["method"], style) for r in rows]}
    for m in metrics:
        data[header(m, style)] = [
            _text(result_text(r["metrics"][m.name], m.fmt), style, bold=r["metrics"][m.name]["best"]) for r in rows
        ]
    return pd.DataFrame(data)


def _adjusted_p(comp: dict[str, Any]) -> float | None:
    """Holm's p where the comparison has it (report.py), else the raw p (evaluate.py)."""
    return comp.get("p_holm", comp.get("p_value"))


def difference_frame(
    comparisons: dict[str, dict[str, Any]], metrics: list[Metric], style: Style, alpha: float
) -> pd.DataFrame:
    """One row per compared method: paired difference vs the baseline per metric."""
    data = {"method": [_text(method, style) for method in comparisons]}
    for m in metrics:
        data[header(m, style)] = [
            _text(
                difference_text(comp[m.name], m.fmt),
                style,
                bold=_adjusted_p(comp[m.name]) is not None and _adjusted_p(comp[m.name]) < alpha,
            )
            for comp in comparisons.values()
        ]
    return pd.DataFrame(data)


TOP_TOOL_ERRORS = 5  # tool-error columns in the diagnostics table (the rest are summed)
TURN_COLUMNS = 8  # turn indices 0..6 and "7+" in the by-turn table


def _count(block: dict[str, Any], key: str) -> dict[str, int]:
    """A {kind: count} of a diagnostics block, empty when missing or malformed (older runs)."""
    value = block.get(key)
    return {str(k): v for k, v in value.items() if isinstance(v, int | float)} if isinstance(value, dict) else {}


def _top(blocks: dict[str, dict[str, Any]], key: str) -> list[str]:
    totals: dict[str, float] = {}
    for block in blocks.values():
        for kind, n in _count(block, key).items():
            totals[kind] = totals.get(kind, 0) + n
    return [k for k, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))]


def _share(n: Any, of: Any) -> str:
    try:
        return f"{100 * float(n) / float(of):.1f}" if of else "–"
    except (TypeError, ValueError):  # a malformed block: show nothing rather than fail
        return "–"


def diagnostics_frame(blocks: dict[str, dict[str, Any]], style: Style) -> pd.DataFrame:
    """One row per method: turns, then each protocol-error kind and the top tool-error kinds as
    a share of all turns (%), then applied / attempted edits."""
    proto, tools = _top(blocks, "protocol_error_kinds"), _top(blocks, "tool_errors")
    shown, rest = tools[:TOP_TOOL_ERRORS], tools[TOP_TOOL_ERRORS:]
    data: dict[str, list[str]] = {
        "method": [_text(m, style) for m in blocks],
        "turns": [str(b.get("turns", "–")) for b in blocks.values()],
    }
    for key, kinds, prefix in (("protocol_error_kinds", proto, ""), ("tool_errors", shown, "tool: ")):
        for kind in kinds:
            data[_text(prefix + kind, style)] = [
                _share(_count(b, key).get(kind, 0), b.get("turns") or 0) for b in blocks.values()
            ]
    if rest:
        data[_text("tool: other", style)] = [
            _share(sum(_count(b, "tool_errors").get(k, 0) for k in rest), b.get("turns") or 0) for b in blocks.values()
        ]
    data["edits (applied/calls)"] = [
        f"{b.get('edits_applied', '–')}/{b.get('edit_calls', '–')}" for b in blocks.values()
    ]
    return pd.DataFrame(data)


def turn_frame(blocks: dict[str, dict[str, Any]], style: Style) -> pd.DataFrame:
    """One row per method: the share of turns at each index that were protocol errors (%);
    indices from ``TURN_COLUMNS - 1`` on are pooled."""
    last = TURN_COLUMNS - 1
    data: dict[str, list[str]] = {"method": [_text(m, style) for m in blocks]}
    pooled: list[dict[int, list[float]]] = []
    for block in blocks.values():
        cells: dict[int, list[float]] = {}
        by_turn = block.get("protocol_errors_by_turn")
        for turn, row in by_turn.items() if isinstance(by_turn, dict) else []:
            if not (str(turn).isdigit() and isinstance(row, dict)):
                continue
            try:
                errors = float(row.get("protocol_errors", sum(v for k, v in row.items() if k != "turns")))
                turns = float(row.get("turns") or 0)
            except (TypeError, ValueError):
                continue
            cell = cells.setdefault(min(int(turn), last), [0, 0])
            cell[0], cell[1] = cell[0] + errors, cell[1] + turns
        pooled.append(cells)
    width = max((max(c) + 1 for c in pooled if c), default=0)
    for i in range(width):
        data[f"{i}+" if i == last else str(i)] = [_share(*c[i]) if i in c else "–" for c in pooled]
    return pd.DataFrame(data)


def to_markdown(frame: pd.DataFrame) -> str:
    # Cells are already formatted text: tabulate must not re-parse "45.0" into "45".
    return frame.to_markdown(index=False, colalign=["left"] * frame.shape[1], disable_numparse=True)


def to_latex(frame: pd.DataFrame, caption: str, label: str) -> str:
    """A booktabs ``table`` float (\\toprule/\\midrule/\\bottomrule); cells are already escaped."""
    return frame.style.hide(axis="index").to_latex(
        hrules=True,
        column_format="l" + "c" * (frame.shape[1] - 1),
        caption=latex_escape(caption),
        label=label,
        position_float="centering",
        environment="table",
    )
