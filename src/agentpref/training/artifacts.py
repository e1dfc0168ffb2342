"""What a finished train.py run dir holds, for whoever loads from it (train.py's ``init_from``,
evaluate.py's ``policy_from``): its manifest and where its weights are."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentpref.errors import ConfigError

MANIFEST = "train.json"


@dataclass(frozen=True)
class TrainedRun:
    root: Path
    manifest: dict[str, Any] | None   # train.json, when the dir is a train.py run dir
    adapter: str | None                # a PEFT adapter dir, preferred when both exist
    full: str | None                   # else a full checkpoint dir (merged/ or model/)


def locate_trained(path: str, model_name: str, key: str, *, require_manifest: bool = False) -> TrainedRun:
    """The run at ``path`` (named ``key`` in errors); its manifest must name ``model_name``. A bare
    adapter or checkpoint dir is accepted unless ``require_manifest``."""
    root = Path(path)
    file = root / MANIFEST
    manifest = json.loads(file.read_text()) if file.is_file() else None
    if manifest is None and require_manifest:
        raise ConfigError(f"{key}={root} has no {MANIFEST}: point it at a finished train.py run dir")
    if manifest is not None and manifest.get("model") != model_name:
        raise ConfigError(f"{key}={root} trained model {manifest.get('model')!r}, not model={model_name}; "
                          f"pass model={manifest.get('model')}")
    for adapter in (root / "adapter", root):
        if (adapter / "adapter_config.json").is_file():
            return TrainedRun(root, manifest, str(adapter), None)
    for full in (root / "merged", root / "model", root):
        if (full / "config.json").is_file():
            return TrainedRun(root, manifest, None, str(full))
    raise ConfigError(f"{key}={root} has no adapter/ or model/: is it a finished train.py run dir?")


def trained_algo(path: str | None) -> str | None:
    """The algorithm a run dir trained with (its manifest), "unknown" without one, None for None."""
    if not path:
        return None
    file = Path(path) / MANIFEST
    return json.loads(file.read_text()).get("algo") if file.is_file() else "unknown"
