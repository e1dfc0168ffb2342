"""A CPU weight layout for batched decoding with transformers models (inference only)."""

from __future__ import annotations

from typing import Any


def transpose_linear_storage(model: Any) -> int:
    """Store every Linear weight transposed (same values, ``weight.t()`` contiguous).

    On CPU, ``F.linear`` hands MKL ``x @ W.T``; for the few-row inputs of batched decoding the
    transposed-B sgemm path is slow: at 8 rows a 576x576 projection took 0.34 ms vs 0.06 ms with
    this layout, the 49k-vocab head 22.6 vs 12.0 ms, while 1 row and prefill-sized inputs are
    unchanged. Inference only (the policy owns its model). A tied output head gets its own copy,
    so the input embedding keeps its row-major layout. Returns the number of layers changed.
    """
    import torch

    changed = 0
    for module in model.modules():
        if isinstance(module, torch.nn.Linear) and module.weight.is_contiguous():
            w = module.weight.detach()
            module.weight = torch.nn.Parameter(w.t().contiguous().t(), requires_grad=False)
            changed += 1
    return changed
