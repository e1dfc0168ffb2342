"""On-disk cache of DPO reference log-probs, keyed by what determines them and nothing else.

The reference log-prob of a pair depends on the reference weights, the tokens (data + template +
tokenizer, all captured by the token ids and masks themselves), the masking and truncation. It does
not depend on beta, the loss type or the learning rate, so a sweep over those computes the
reference forward passes once and every later run loads them (benchmarks/bench_ref_cache.py).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

COLUMNS = ("prompt_ids", "chosen_ids", "rejected_ids", "chosen_mask", "rejected_mask")


def dataset_fingerprint(dataset: Any, columns: tuple[str, ...] = COLUMNS) -> str:
    h = hashlib.sha256()
    present = [c for c in columns if c in dataset.column_names]
    h.update(json.dumps(present).encode())
    for column in present:
        for row in dataset[column]:
            h.update(np.asarray(row, dtype=np.int64).tobytes())
            h.update(b"|")
    return h.hexdigest()


def cache_key(reference: dict[str, Any], dataset: Any, settings: dict[str, Any]) -> str:
    """sha256 of the reference identity, the tokens and the settings that change log-probs."""
    payload = json.dumps(
        {"reference": reference, "settings": settings, "data": dataset_fingerprint(dataset)},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


class RefLogpCache:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / f"{key}.npz"

    def load(self, key: str, n: int) -> tuple[np.ndarray, np.ndarray] | None:
        path = self.path(key)
        if not path.is_file():
            return None
        with np.load(path) as data:
            chosen, rejected = data["chosen"], data["rejected"]
        if len(chosen) != n or len(rejected) != n:
            return None
        return chosen, rejected

    def save(self, key: str, chosen: np.ndarray, rejected: np.ndarray, meta: dict[str, Any]) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.path(key)
        tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
        np.savez(
            tmp,
            chosen=np.asarray(chosen, dtype=np.float64),
            rejected=np.asarray(rejected, dtype=np.float64),
            meta=np.asarray(json.dumps(meta, default=str)),
        )
        os.replace(tmp, path)
        return path
