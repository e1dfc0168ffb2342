"""Config validation shared by every entry point.

Hydra composes the config (its struct mode already rejects ``key=value`` for unknown keys); the
composed config is then validated by pydantic models with ``extra="forbid"``, which also catches
``+typo=...`` additions, wrong types and missing required values, and turns each into one line
that names the key and the fix.
"""

from __future__ import annotations

import os
import time
from typing import TypeVar

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import InterpolationToMissingValueError, MissingMandatoryValue
from pydantic import BaseModel, ValidationError

from agentpref.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def launch_time(fmt: str = "%Y-%m-%d/%H-%M-%S") -> str:
    """``${launch_time:}``: the time the *launch* started, the same in every process of it.

    ``${now:}`` is read by each process of a ``torchrun``/``accelerate launch`` job separately and
    can differ by a second, giving one run dir per rank. Workers share their launcher (the parent
    process), so its start time names one run dir for all. ``AGENTPREF_LAUNCH_TIME`` overrides it
    (multi-node jobs: set it, or run_dir, identically on every node).
    """
    if os.environ.get("AGENTPREF_LAUNCH_TIME"):
        return os.environ["AGENTPREF_LAUNCH_TIME"]
    started = time.time()
    if "LOCAL_RANK" in os.environ:
        try:
            ticks = int(open(f"/proc/{os.getppid()}/stat").read().rsplit(")", 1)[1].split()[19])
            boot = next(int(line.split()[1]) for line in open("/proc/stat") if line.startswith("btime"))
            started = boot + ticks / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, StopIteration):
            pass
    return time.strftime(fmt, time.localtime(started))


def basename(path: str | None, default: str = "", step: int | None = None) -> str:
    """``${basename:${policy_from},base,${policy_step}}``: a run dir's last component (``default``
    when null), to name an evaluation after the training run it evaluates; ``_step<N>`` appended
    for a checkpoint, so it never resumes into the final adapter's evaluation."""
    name = os.path.basename(os.path.normpath(path)) if path else default
    return name if step is None else f"{name}_step{step}"


if not OmegaConf.has_resolver("launch_time"):
    OmegaConf.register_new_resolver("launch_time", launch_time)
if not OmegaConf.has_resolver("basename"):
    OmegaConf.register_new_resolver("basename", basename)

# Hints for required keys whose absence users hit first.
REQUIRED_HINTS = {
    "tasks.root": "point it at the checkout, e.g. tasks=quixbugs tasks.root=/path/to/QuixBugs",
}


def _location(loc: tuple, data: dict) -> str:
    """Dotted key path; drops the tag pydantic inserts for discriminated unions (``kind``)."""
    parts, node = [], data
    for part in loc:
        if isinstance(node, dict) and part not in node and node.get("kind") == part:
            continue  # union tag, not a key
        parts.append(str(part))
        node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def _format_error(err: dict, data: dict) -> str:
    loc = _location(err["loc"], data)
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return f"unknown config key '{loc}': check its spelling (see the conf/ group it belongs to)"
    if kind == "missing":
        return f"missing config value '{loc}': {REQUIRED_HINTS.get(loc, 'set it on the command line')}"
    if not loc:  # a check across keys (a model validator): its message names them, not the whole config
        return msg.removeprefix("Value error, ")
    return f"bad config value '{loc}' = {err.get('input')!r}: {msg}"


def validate_config(cfg: DictConfig, model: type[M]) -> M:
    """Resolve ``cfg`` (without the ``hydra`` node) and validate it into ``model``."""
    try:
        data = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    except (MissingMandatoryValue, InterpolationToMissingValueError) as exc:
        # An interpolation to a missing value names the interpolating key; name the missing one.
        key = (
            str(exc).split("Missing mandatory value: ")[-1].split("\n")[0].strip()
            if isinstance(exc, InterpolationToMissingValueError)
            else exc.full_key
        )
        raise ConfigError(
            f"missing config value '{key}': {REQUIRED_HINTS.get(key, 'set it on the command line')}"
        ) from None
    data.pop("hydra", None)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        extra = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(_format_error(errors[0], data) + extra) from None
