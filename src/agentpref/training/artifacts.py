"""What a finished train.py run dir holds, for whoever loads from it (train.py's ``init_from``,
evaluate.py's ``policy_from``): its manifest and where its weights are."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentpref.errors import ConfigError
from agentpref.run_files import TrainManifest, TrainSummary

CHECKPOINTS = "checkpoints"  # the Trainer's output_dir: checkpoint-<step>/ each
TRAINER_STATE = "trainer_state.json"


@dataclass(frozen=True)
class TrainedRun:
    root: Path
    manifest: TrainManifest | None  # train.json, when the dir is a train.py run dir
    adapter: str | None  # a PEFT adapter dir, preferred when both exist
    full: str | None  # else a full checkpoint dir (merged/ or model/)


def locate_trained(path: str, model_name: str, key: str, *, require_manifest: bool = False) -> TrainedRun:
    """The run at ``path`` (named ``key`` in errors); its manifest must name ``model_name``. A bare
    adapter or checkpoint dir is accepted unless ``require_manifest``."""
    root = Path(path)
    manifest = TrainManifest.read(root, key) if require_manifest else TrainManifest.read_if_present(root, key)
    if manifest is not None and manifest.model != model_name:
        raise ConfigError(
            f"{key}={root} trained model {manifest.model!r}, not model={model_name}; pass model={manifest.model}"
        )
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
    manifest = TrainManifest.read_if_present(path, "init_from")
    return manifest.algo if manifest is not None else "unknown"


def adapter_checkpoints(root: Path) -> dict[int, Path]:
    """{step: dir} of the run's Trainer checkpoints that hold a PEFT adapter, by step."""
    found = {}
    for path in (root / CHECKPOINTS).glob("checkpoint-*"):
        step = path.name.split("-", 1)[1]
        if step.isdigit() and (path / "adapter_config.json").is_file():
            found[int(step)] = path
    return dict(sorted(found.items()))


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def _progress(state: dict[str, Any]) -> tuple[int | None, int | None]:
    """(steps, input tokens) of a Trainer state (its trainer_state.json); 0 tokens after >0 steps
    means the Trainer did not count them (None)."""
    step, tokens = state.get("global_step"), state.get("num_input_tokens_seen")
    return step, (tokens if tokens or not step else None)


def train_progress(root: Path, checkpoint: Path | None = None) -> tuple[int | None, int | None]:
    """(optimizer steps, input tokens seen) behind ``checkpoint``'s weights (its trainer_state.json)
    or, for None, the run's final weights: its summary.json (the Trainer state at the end), else
    its newest checkpoint. (None, None) when nothing records them."""
    if checkpoint is not None:
        return _progress(_read_json(checkpoint / TRAINER_STATE))
    done = TrainSummary.read_if_present(root, "policy_from")
    if done is not None:
        return done.steps, (done.input_tokens if done.input_tokens or not done.steps else None)
    for path in reversed(adapter_checkpoints(root).values()):
        step, tokens = _progress(_read_json(path / TRAINER_STATE))
        if step is not None:
            return step, tokens
    return None, None


def training_task_ids(path: str | Path, key: str = "policy_from") -> set[str]:
    """The task ids of every example a run trained on, through its ``init_from`` chain (read from
    the data files its manifests name; files that are gone are skipped)."""
    ids: set[str] = set()
    seen: set[Path] = set()
    todo = [Path(path)]
    while todo:
        root = todo.pop()
        if root.resolve() in seen:
            continue
        seen.add(root.resolve())
        manifest = TrainManifest.read_if_present(root, key)
        if manifest is None:
            continue
        for data in map(Path, manifest.data):
            if not data.is_file():
                continue
            with data.open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        task = json.loads(line).get("metadata", {}).get("task_id")
                    except (json.JSONDecodeError, AttributeError):
                        continue
                    if isinstance(task, str):
                        ids.add(task)
        if manifest.init_from:
            todo.append(Path(manifest.init_from))
    return ids
