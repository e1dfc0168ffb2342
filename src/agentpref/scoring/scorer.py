"""The scorer: a weighted mean of the behaviour checks, with optional hard gates.

``score = sum(w_c * value_c) / sum(w_c)``; a gate ``{check: threshold}`` sets the score to 0 when
that check's value is below the threshold (e.g. ``scope: 1.0``: touching tests is never rewarded,
whatever else went well). Weights live in ``conf/scorer/*.yaml`` so a run can be re-scored with a
different emphasis without regenerating.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agentpref.agent.record import CheckResult, RolloutRecord
from agentpref.errors import ConfigError
from agentpref.scoring.checks import (
    CHECKS,
    REFERENCE_STEPS,
    REFERENCE_TOKENS,
    Check,
    make_efficiency,
    run_checks,
)

CONF_DIR = Path(__file__).resolve().parents[3] / "conf" / "scorer"


def _known(names: Iterable[str], where: str) -> None:
    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r} in {where}; valid checks: {', '.join(CHECKS)}")


class EfficiencyConfig(BaseModel):
    """Reference sizes of a disciplined episode for the efficiency check."""

    model_config = ConfigDict(extra="forbid")
    reference_steps: int = Field(REFERENCE_STEPS, ge=1)
    reference_tokens: int = Field(REFERENCE_TOKENS, ge=1)


class ScorerConfig(BaseModel):
    """conf/scorer/<name>.yaml: check weights, hard gates, check parameters."""

    model_config = ConfigDict(extra="forbid")
    name: str = "custom"
    weights: dict[str, float]
    gates: dict[str, float] = Field(default_factory=dict)
    efficiency: EfficiencyConfig = EfficiencyConfig()

    @field_validator("weights")
    @classmethod
    def _weights(cls, weights: dict[str, float]) -> dict[str, float]:
        _known(weights, "weights")
        negative = [k for k, w in weights.items() if w < 0]
        if negative:
            raise ValueError(f"weight of {negative[0]!r} is negative; use 0 to ignore a check")
        if sum(weights.values()) <= 0:
            raise ValueError("the weights sum to 0; give at least one check a positive weight")
        return weights

    @field_validator("gates")
    @classmethod
    def _gates(cls, gates: dict[str, float]) -> dict[str, float]:
        _known(gates, "gates")
        bad = [k for k, t in gates.items() if not 0 <= t <= 1]
        if bad:
            raise ValueError(f"gate of {bad[0]!r} must be a threshold in [0, 1]")
        return gates

    def checks(self) -> dict[str, Check]:
        """The registry with this config's check parameters applied."""
        eff = self.efficiency
        return {**CHECKS, "efficiency": make_efficiency(eff.reference_steps, eff.reference_tokens)}


def load_scorer(name: str = "default", conf_dir: Path = CONF_DIR, **overrides) -> ScorerConfig:
    """A scorer config by name (conf/scorer/<name>.yaml), for Python callers (dataset builders,
    notebooks); ``overrides`` replace top-level keys (``weights=...``)."""
    path = conf_dir / f"{name}.yaml"
    if not path.is_file():
        names = sorted(p.stem for p in conf_dir.glob("*.yaml"))
        raise ConfigError(f"unknown scorer {name!r}: use one of {', '.join(names)} (conf/scorer/)")
    data = {**(yaml.safe_load(path.read_text()) or {}), **overrides}
    try:
        return ScorerConfig.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ConfigError(f"scorer {name!r}: bad value '{where}': {err['msg']}") from None


def combine(checks: dict[str, CheckResult], cfg: ScorerConfig) -> float:
    """Weighted mean of the check values; 0 if any gate is not met."""
    for name, threshold in cfg.gates.items():
        if checks[name].value < threshold:
            return 0.0
    total = sum(cfg.weights.values())
    return round(sum(w * checks[name].value for name, w in cfg.weights.items()) / total, 6)


def gated(record: RolloutRecord, cfg: ScorerConfig) -> list[str]:
    """The gates a scored record failed (why its score is 0)."""
    return [n for n, t in cfg.gates.items() if n in record.checks and record.checks[n].value < t]


def score_record(record: RolloutRecord, cfg: ScorerConfig) -> RolloutRecord:
    """A copy of ``record`` with every check and the score filled (old values replaced)."""
    checks = run_checks(record, cfg.checks())
    return record.model_copy(update={"checks": checks, "score": combine(checks, cfg)})


def score_records(records: Iterable[RolloutRecord], cfg: ScorerConfig) -> list[RolloutRecord]:
    return [score_record(r, cfg) for r in records]
