"""Train/heldout split by *source program*: every task derived from one program (its hand-written
bugs and all its mutants) lands on the same side, so heldout numbers measure transfer to unseen
programs rather than to unseen mutants of seen ones."""

from __future__ import annotations

import hashlib

from agentpref.tasks.model import Split


def assign_split(program: str, heldout_fraction: float, salt: str = "agentpref") -> Split:
    """Stable hash split: the same program key always gets the same side for a given salt."""
    if not 0.0 <= heldout_fraction <= 1.0:
        raise ValueError(f"heldout_fraction must be in [0, 1], got {heldout_fraction}")
    digest = hashlib.sha256(f"{salt}:{program}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    return "heldout" if u < heldout_fraction else "train"
