"""Thin subclasses of TRL's trainers: masked multi-turn DPO, a reference cache, tokens/s.

TRL's ``DPOTrainer`` sums log-probs over every completion token; in a multi-turn agent transcript
that includes tool observations the policy never wrote. ``PolicyMaskCollator`` replaces the
collator's ``completion_mask`` with the per-token policy mask from ``tokenize_pair``; TRL builds its
labels, log-prob sums and IPO length normalisation from that mask, so nothing else changes.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
from trl import DPOTrainer, SFTTrainer
from trl.trainer.dpo_trainer import DataCollatorForPreference

from agentpref.training.ref_cache import RefLogpCache, cache_key
from agentpref.training.tokenize import keeps_a_difference

MASK_COLUMNS = ("chosen_mask", "rejected_mask")


class PolicyMaskCollator(DataCollatorForPreference):
    """TRL's preference collator with ``completion_mask`` = the policy's own tokens only."""

    def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        out = super().torch_call(examples)
        masks = [[0] * len(e["prompt_ids"]) + list(e["chosen_mask"]) for e in examples]
        masks += [[0] * len(e["prompt_ids"]) + list(e["rejected_mask"]) for e in examples]
        if self.max_length is not None:
            sl = slice(None, self.max_length) if self.truncation_mode == "keep_start" else slice(-self.max_length, None)
            masks = [m[sl] for m in masks]
        width = out["completion_mask"].shape[1]
        padded = torch.zeros((len(masks), width), dtype=out["completion_mask"].dtype)
        for i, m in enumerate(masks):
            padded[i, : len(m)] = torch.tensor(m, dtype=padded.dtype)
        out["completion_mask"] = padded
        return out


class ThroughputMixin:
    """Adds ``tokens_per_second`` (input tokens incl. padding, all processes) to every log line."""

    _tps_last: tuple[float, int] | None = None

    def log(self, logs: dict[str, float], *args, **kwargs) -> None:
        now, seen = time.perf_counter(), int(self.state.num_input_tokens_seen or 0)
        if self._tps_last is not None and "loss" in logs and now > self._tps_last[0]:
            logs["tokens_per_second"] = round((seen - self._tps_last[1]) / (now - self._tps_last[0]), 2)
        if "loss" in logs or self._tps_last is None:
            self._tps_last = (now, seen)
        super().log(logs, *args, **kwargs)


class AgentSFTTrainer(ThroughputMixin, SFTTrainer):
    """SFT on pre-tokenized transcripts whose ``assistant_masks`` come from ``tokenize_sft``."""


class AgentDPOTrainer(ThroughputMixin, DPOTrainer):
    """DPO on pre-tokenized pairs (``tokenize_pair``), optionally masked, with a reference cache.

    ``reference`` identifies the reference weights (base checkpoint + initial adapter) and
    ``ref_settings`` what else changes reference log-probs (masking, max_length, truncation, dtype).
    """

    def __init__(
        self,
        *args,
        ref_cache: RefLogpCache | None = None,
        reference: dict[str, Any] | None = None,
        ref_settings: dict[str, Any] | None = None,
        **kwargs,
    ):
        self._ref_cache, self._reference, self._ref_settings = ref_cache, reference or {}, ref_settings or {}
        self._masked = isinstance(kwargs.get("data_collator"), PolicyMaskCollator)  # read by _prepare_dataset
        self.ref_cache_status: dict[str, Any] = {}
        super().__init__(*args, **kwargs)

    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
        """Already tokenized by ``tokenize_pair``: only drop pairs that max_length leaves without a
        policy token on a side (with the environment masked, such a pair compares nothing)."""
        if args.max_length is not None and args.truncation_mode == "keep_start":
            dataset = dataset.filter(
                lambda ex: keeps_a_difference(ex, args.max_length, self._masked),
                desc=f"Dropping pairs cut before their difference from {dataset_name}",
            )
        return dataset

    def _set_signature_columns_if_needed(self):
        super()._set_signature_columns_if_needed()
        if isinstance(self.data_collator, PolicyMaskCollator):
            self._signature_columns = list(self._signature_columns) + [
                c for c in MASK_COLUMNS if c not in self._signature_columns
            ]

    def _precompute_ref_logps(self, dataset, name: str, batch_size: int):
        if self._ref_cache is None:
            return super()._precompute_ref_logps(dataset, name, batch_size)
        start = time.perf_counter()
        key = cache_key(self._reference, dataset, self._ref_settings)
        hit = self._ref_cache.load(key, len(dataset))
        if hit is None:
            dataset = super()._precompute_ref_logps(dataset, name, batch_size)
            if self.accelerator.is_main_process:
                self._ref_cache.save(
                    key,
                    np.asarray(dataset["ref_chosen_logps"]),
                    np.asarray(dataset["ref_rejected_logps"]),
                    {"reference": self._reference, "settings": self._ref_settings, "pairs": len(dataset)},
                )
            self.accelerator.wait_for_everyone()
        else:
            dataset = dataset.add_column("ref_chosen_logps", hit[0].tolist())
            dataset = dataset.add_column("ref_rejected_logps", hit[1].tolist())
        self.ref_cache_status[name] = {
            "key": key,
            "hit": hit is not None,
            "seconds": round(time.perf_counter() - start, 3),
        }
        return dataset
