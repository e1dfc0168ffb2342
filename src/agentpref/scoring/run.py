"""``score.py``: re-score a generate.py run dir without the model.

Reads ``<run_dir>/rollouts.jsonl`` (never modifies it), runs every check, writes the scored
records to ``<run_dir>/scored.jsonl`` (or ``output``) atomically, and returns a summary. A
half-written last line (a run killed mid-write) is skipped with a warning, not repaired: the
generation run owns that file and repairs it itself when resumed.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agentpref.agent.record import ROLLOUT_SCHEMA_VERSION, RolloutRecord, read_rollouts
from agentpref.errors import ConfigError, DataError
from agentpref.jsonl import write_lines_atomic
from agentpref.scoring.checks import CHECKS
from agentpref.scoring.scorer import ScorerConfig, gated, score_records

ROLLOUTS_FILE, SCORED_FILE = "rollouts.jsonl", "scored.jsonl"


class ScoreConfig(BaseModel):
    """Config of ``score.py`` (conf/score.yaml)."""

    model_config = ConfigDict(extra="forbid")
    run: str = Field(description="the generate.py run dir whose rollouts.jsonl is scored (never modified)")
    run_dir: str = Field(description="where scored.jsonl is written")
    scorer: ScorerConfig


def _check_versions(path: Path, lines: list[bytes]) -> None:
    """An older or newer schema is one clear line, before field-level validation errors."""
    for lineno, line in enumerate(lines, 1):
        try:
            version = json.loads(line).get("schema_version", ROLLOUT_SCHEMA_VERSION)
        except (ValueError, AttributeError):
            continue  # read_rollouts names the bad line
        if version != ROLLOUT_SCHEMA_VERSION:
            age = "older" if isinstance(version, int) and version < ROLLOUT_SCHEMA_VERSION else "newer"
            raise DataError(
                f"{path}:{lineno}: rollout schema_version {version!r} is {age} than this "
                f"scorer's ({ROLLOUT_SCHEMA_VERSION}); score it with a matching agentpref "
                "version or regenerate"
            )


def _is_record(line: bytes) -> bool:
    try:
        RolloutRecord.model_validate_json(line)
    except ValidationError:
        return False
    return True


def load_rollouts(path: Path) -> tuple[list[RolloutRecord], int]:
    """(records, partial last lines skipped). Bad complete lines raise a DataError naming them."""
    if not path.is_file():
        raise ConfigError(f"no {path.name} in {path.parent}: run must be a generate.py run dir")
    data = path.read_bytes()
    partial = 0
    if data and not data.endswith(b"\n"):
        keep = data.rfind(b"\n") + 1
        if not _is_record(data[keep:]):  # a final line without newline but complete is kept
            data, partial = data[:keep], 1
    lines = [ln for ln in data.splitlines() if ln.strip()]
    _check_versions(path, lines)
    if not partial:
        return read_rollouts(path), 0
    # Validate the complete lines with read_rollouts from a copy; errors still name the real file
    # (the copy has the same line numbers).
    with tempfile.TemporaryDirectory(prefix="agentpref-score-") as tmp:
        copy = Path(tmp) / path.name
        copy.write_bytes(data)
        try:
            return read_rollouts(copy), partial
        except DataError as exc:
            raise DataError(str(exc).replace(str(copy), str(path))) from None


def score_run(cfg: ScoreConfig) -> dict[str, Any]:
    run = Path(cfg.run)
    if not run.is_dir():
        raise ConfigError(f"run {str(run)!r} is not a directory: point it at a generate.py run dir")
    source = run / ROLLOUTS_FILE
    records, partial = load_rollouts(source)
    if partial:
        print(
            f"warning: skipped a partial last line of {source} (a run killed mid-write; resuming "
            "generate.py repairs it)",
            file=sys.stderr,
        )
    if not records:
        raise DataError(f"{source} has no complete rollout records: nothing to score (empty run)")
    scored = score_records(records, cfg.scorer)
    output = Path(cfg.run_dir) / SCORED_FILE
    output.parent.mkdir(parents=True, exist_ok=True)
    write_lines_atomic(output, (r.model_dump_json() for r in scored))
    n = len(scored)
    return {
        "records": n,
        "mean_score": round(sum(r.score for r in scored) / n, 4),
        "checks": {name: round(sum(r.checks[name].value for r in scored) / n, 4) for name in CHECKS},
        "gated": sum(bool(gated(r, cfg.scorer)) for r in scored),
        "skipped_partial_lines": partial,
        "scorer": cfg.scorer.name,
        "output": str(output),
    }


def print_summary(summary: dict[str, Any]) -> None:
    """A human line on stderr, the machine-readable summary (one JSON line) on stdout."""
    print(
        f"scored {summary['records']} records with scorer {summary['scorer']}: mean score "
        f"{summary['mean_score']:.3f} ({summary['gated']} gated to 0) -> {summary['output']}",
        file=sys.stderr,
    )
    print(json.dumps(summary))
