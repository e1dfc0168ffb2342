"""Config of ``train.py``: our own keys are pydantic; the trainer's are TRL's own dataclasses.

``sft:`` holds fields of ``trl.SFTConfig`` and ``dpo:`` fields of ``trl.DPOConfig``; ``model.lora``
holds fields of ``peft.LoraConfig``. They are checked against those dataclasses (an unknown key
fails with one line), never re-declared here, so every TRL/PEFT option is reachable from the
command line (``dpo.beta=0.1``, ``dpo.loss_type=[ipo]``, ``sft.learning_rate=1e-4``).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentpref.errors import ConfigError
from agentpref.models import ModelConfig
from agentpref.tracking import LoggerConfig

# TrainingArguments fields train.py derives itself: setting them in sft:/dpo: is a mistake.
RESERVED = {
    "output_dir": "set run_dir",
    "per_device_train_batch_size": "set per_device_batch_size (global_batch_size stays fixed)",
    "gradient_accumulation_steps": "set global_batch_size and per_device_batch_size; accumulation is derived",
    "seed": "set seed",
    "report_to": "choose logger=wandb or logger=none",
    "run_name": "set logger.group or the run_dir",
    "resume_from_checkpoint": "re-run with the same run_dir (resume=true)",
    "assistant_only_loss": "train.py always trains assistant turns only (see docs/training.md)",
    "completion_only_loss": "train.py always trains assistant turns only (see docs/training.md)",
    "precompute_ref_log_probs": "set ref_cache.enabled (it precomputes through a cache keyed without beta)",
}


# TRL options that would not take effect with this trainer: refused at config time with one line
# instead of a warning (padding_free) or an error after the model has loaded (sync_ref_model).
IGNORED_BY_TRL = {
    "dpo": {
        "padding_free": "TRL's DPOTrainer turns it off and falls back to padding; leave it false",
        "sync_ref_model": "TRL does not support it with a PEFT adapter (the reference is the adapter switched off); "
        "leave it false or train without model.lora",
    },
    "sft": {},
}


class AlgoSection(BaseModel):
    """Our side of the SFT/DPO switch (conf/algo/*.yaml); the TRL side is the sft:/dpo: node."""

    model_config = ConfigDict(extra="forbid")
    name: Literal["sft", "dpo"]
    pairs: list[Literal["trajectory", "step"]] = Field(
        default_factory=lambda: ["trajectory", "step"], description="dpo: which pair files to train on"
    )
    mask_environment: bool = Field(True, description="dpo: only the policy's own tokens enter the log-ratio")


class RefCacheSection(BaseModel):
    model_config = ConfigDict(extra="forbid")
    enabled: bool = Field(True, description="dpo: precompute reference log-probs once per (model, data, tokens)")
    dir: str = "data/cache/ref_logps"


class TrainConfig(BaseModel):
    """Config of ``train.py`` (conf/train.yaml)."""

    model_config = ConfigDict(extra="forbid")
    algo: AlgoSection
    model: ModelConfig
    sft: dict[str, Any] | None = None
    dpo: dict[str, Any] | None = None
    trainer: dict[str, Any] = Field(
        default_factory=dict, description="fields of the algo's TRL config for either algo; applied over sft:/dpo:"
    )
    data: str = Field(
        description="a build_data.py output dir (sft.jsonl, pairs.jsonl, step_pairs.jsonl) or one .jsonl file"
    )
    max_examples: int | None = Field(None, ge=1, description="train on the first N examples (quick runs)")
    init_from: str | None = Field(None, description="a train.py run dir whose adapter (or full model) to start from")
    global_batch_size: int = Field(8, ge=1, description="examples (dpo: pairs) per optimizer step, any world size")
    per_device_batch_size: int = Field(2, ge=1)
    resume: bool = Field(True, description="continue from the last checkpoint in run_dir")
    merge: bool = Field(False, description="also save base + adapter merged into run_dir/merged")
    ref_cache: RefCacheSection = RefCacheSection()
    seed: int = 0
    device: str = "auto"
    cache_dir: str = "data/cache/models"
    run_dir: str
    logger: LoggerConfig = Field(discriminator="kind")

    @property
    def trl_overrides(self) -> dict[str, Any]:
        shared = {k: v for k, v in self.trainer.items() if v is not None}
        return dict((self.sft if self.algo.name == "sft" else self.dpo) or {}) | shared


@functools.cache
def trl_fields(algo: str) -> frozenset[str]:
    import trl

    cls = trl.SFTConfig if algo == "sft" else trl.DPOConfig
    return frozenset(f.name for f in dataclasses.fields(cls))


@functools.cache
def dpo_loss_types() -> tuple[str, ...]:
    """The loss types TRL's DPOTrainer implements, read from its own field documentation."""
    import trl

    field = next(f for f in dataclasses.fields(trl.DPOConfig) if f.name == "loss_type")
    return tuple(re.findall(r"`'(\w+)'`", field.metadata["help"]))


@functools.cache
def lora_fields() -> frozenset[str]:
    import peft

    return frozenset(f.name for f in dataclasses.fields(peft.LoraConfig))


def check_trainer_keys(cfg: TrainConfig) -> None:
    """Map sft:/dpo:/model.lora onto TRL's and PEFT's dataclasses; one line per mistake."""
    algo = cfg.algo.name
    other = "dpo" if algo == "sft" else "sft"
    if getattr(cfg, other):
        raise ConfigError(f"'{other}:' settings given but algo={algo}; drop them or choose algo={other}")
    fields = trl_fields(algo)
    cls = "trl.SFTConfig" if algo == "sft" else "trl.DPOConfig"
    for node, keys in ((algo, (cfg.sft if algo == "sft" else cfg.dpo) or {}), ("trainer", cfg.trainer)):
        for key in keys:
            if key in RESERVED:
                raise ConfigError(f"'{node}.{key}' is set by train.py: {RESERVED[key]}")
            if key not in fields:
                raise ConfigError(f"unknown config key '{node}.{key}': not a field of {cls} (check its spelling)")
            if key in IGNORED_BY_TRL[algo] and keys[key] and (key != "sync_ref_model" or cfg.model.lora is not None):
                raise ConfigError(f"'{node}.{key}={keys[key]}' would not take effect: {IGNORED_BY_TRL[algo][key]}")
    if algo == "dpo":
        losses = cfg.trl_overrides.get("loss_type", ["sigmoid"])
        losses = [losses] if isinstance(losses, str) else list(losses)
        known = dpo_loss_types()
        for loss in losses:
            if loss not in known:
                raise ConfigError(f"bad config value 'dpo.loss_type' = {loss!r}: TRL offers {', '.join(known)}")
        if "exo_pair" in losses and not cfg.trl_overrides.get("label_smoothing"):
            raise ConfigError("dpo.loss_type=exo_pair needs dpo.label_smoothing > 0 (the EXO paper uses 1e-3)")
    if cfg.model.lora is not None:
        for key in cfg.model.lora:
            if key not in lora_fields():
                raise ConfigError(f"unknown config key 'model.lora.{key}': not a field of peft.LoraConfig")


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def gradient_accumulation(global_batch: int, per_device: int, world: int) -> int:
    """Accumulation steps that keep ``global_batch`` fixed across world sizes (nanoGPT's rule)."""
    per_step = per_device * world
    if global_batch % per_step:
        raise ConfigError(
            f"global_batch_size={global_batch} is not a multiple of per_device_batch_size x processes "
            f"= {per_device} x {world}; change per_device_batch_size or global_batch_size"
        )
    return global_batch // per_step
