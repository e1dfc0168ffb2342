"""Agent diagnostics: counts that say *why* an agent fails (which protocol errors, at which turn,
which tool errors, how its episodes end), as the ``diagnostics`` block of ``summary.json``.

These are plain counts over episodes, not CI metrics: the rates that deserve CIs and paired tests
(edit_apply_rate, localization, recovery_rate, end/<reason>) are in ``metrics``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from agentpref.agent.record import RolloutRecord
from agentpref.evaluation.metrics import edit_calls, recoveries


def _ranked(counts: Counter) -> dict[str, int]:
    """Most frequent first (ties by name), so a reader and the report see the top kinds first."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def diagnostics(records: list[RolloutRecord]) -> dict[str, Any]:
    """The diagnostics block of a set of episodes (JSON-ready; turn indices are string keys)."""
    by_turn: dict[int, Counter] = {}
    kinds: Counter = Counter()
    tool_errors: Counter = Counter()
    end_reasons: Counter = Counter(r.end_reason for r in records)
    edits = applied = localized = recovered = errors = 0
    for r in records:
        for i, s in enumerate(r.steps):
            turn = by_turn.setdefault(i, Counter(turns=0, protocol_errors=0))
            turn["turns"] += 1
            if s.protocol_error is not None:
                turn["protocol_errors"] += 1
                turn[s.protocol_error.kind] += 1
                kinds[s.protocol_error.kind] += 1
            elif s.tool_ok is False:
                tool_errors[s.tool_error or "unknown"] += 1
        calls = edit_calls(r)
        edits += len(calls)
        applied += sum(bool(s.tool_ok) for s in calls)
        localized += sum(bool(s.tool_ok and s.localized) for s in calls)
        ok, n = recoveries(r)
        recovered, errors = recovered + ok, errors + n
    return {
        "episodes": len(records),
        "turns": sum(t["turns"] for t in by_turn.values()),
        "protocol_errors_by_turn": {
            str(i): {
                "turns": t["turns"],
                "protocol_errors": t["protocol_errors"],
                **_ranked(Counter({k: v for k, v in t.items() if k not in ("turns", "protocol_errors")})),
            }
            for i, t in sorted(by_turn.items())
        },
        "protocol_error_kinds": _ranked(kinds),
        "tool_errors": _ranked(tool_errors),
        "edit_calls": edits,
        "edits_applied": applied,
        "edits_localized": localized,
        "error_turns": errors,
        "recovered": recovered,
        "end_reasons": _ranked(end_reasons),
    }


def wandb_scalars(diag: dict[str, Any], prefix: str = "diag") -> dict[str, Any]:
    """The block as flat W&B summary keys (counts, and the protocol-error rate per turn index)."""
    flat: dict[str, Any] = {
        f"{prefix}/{k}": diag[k]
        for k in ("episodes", "turns", "edit_calls", "edits_applied", "edits_localized", "error_turns", "recovered")
        if k in diag
    }
    for group, key in (
        ("protocol_error", "protocol_error_kinds"),
        ("tool_error", "tool_errors"),
        ("end", "end_reasons"),
    ):
        flat |= {f"{prefix}/{group}/{kind}": n for kind, n in (diag.get(key) or {}).items()}
    for turn, row in (diag.get("protocol_errors_by_turn") or {}).items():
        if row.get("turns"):
            flat[f"{prefix}/turn_{turn}/protocol_error_rate"] = row.get("protocol_errors", 0) / row["turns"]
    return flat


def by_turn_table(diag: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """(columns, rows) of the per-turn breakdown, one row per turn index (a W&B table)."""
    by_turn = diag.get("protocol_errors_by_turn") or {}
    kinds = list(dict.fromkeys(k for row in by_turn.values() for k in row if k not in ("turns", "protocol_errors")))
    columns = ["turn", "turns", "protocol_errors", "rate", *kinds]
    rows = [
        [
            int(turn),
            row["turns"],
            row.get("protocol_errors", 0),
            row.get("protocol_errors", 0) / row["turns"] if row["turns"] else None,
            *(row.get(k, 0) for k in kinds),
        ]
        for turn, row in by_turn.items()
    ]
    return columns, rows
