"""A transformers KV cache that is allocated once and written in place, for reusing each
episode's keys and values across its turns (the hf policy)."""

from __future__ import annotations

import functools


def common_prefix(a: list[int], b: list[int]) -> int:
    """Length of the common prefix of two token-id lists (how much of a cached prompt is reusable)."""
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


@functools.cache
def prealloc_cache_classes() -> tuple[type, type]:
    """A DynamicCache whose layers are allocated once with room for the whole generation.

    ``DynamicLayer.update`` concatenates the whole cache with each new token: at batch 8 and a
    1.1k-token context that copy was 55% of a CPU decode step. These layers write in place into a
    preallocated buffer and hand attention a view of the filled part (built lazily: importing
    transformers takes seconds).
    """
    import torch
    from transformers import DynamicCache
    from transformers.cache_utils import Cache, DynamicLayer

    class PreallocLayer(DynamicLayer):
        def __init__(self, capacity: int):
            super().__init__()
            self.capacity, self.length = capacity, 0
            self._k = self._v = None

        def prefill(self, k: torch.Tensor, v: torch.Tensor, length: int) -> None:
            """Adopt buffers whose first ``length`` slots are already filled."""
            self.dtype, self.device, self.is_initialized = k.dtype, k.device, True
            self._k, self._v, self.length = k, v, length
            self.keys, self.values = k[..., :length, :], v[..., :length, :]

        def lazy_initialization(self, key_states: torch.Tensor, value_states: torch.Tensor) -> None:
            self.dtype, self.device, self.is_initialized = key_states.dtype, key_states.device, True

        def _grow(self, key_states: torch.Tensor, value_states: torch.Tensor, need: int) -> None:
            have = 0 if self._k is None else self._k.shape[-2]
            cap = max(need, self.capacity, 2 * have)
            k = key_states.new_zeros(key_states.shape[:2] + (cap, key_states.shape[-1]))
            v = value_states.new_zeros(value_states.shape[:2] + (cap, value_states.shape[-1]))
            if self.length:
                k[..., : self.length, :] = self._k[..., : self.length, :]
                v[..., : self.length, :] = self._v[..., : self.length, :]
            self._k, self._v = k, v

        def update(self, key_states, value_states, *args, **kwargs):
            if not self.is_initialized:
                self.lazy_initialization(key_states, value_states)
            need = self.length + key_states.shape[-2]
            if self._k is None or need > self._k.shape[-2]:
                self._grow(key_states, value_states, need)
            self._k[..., self.length : need, :] = key_states
            self._v[..., self.length : need, :] = value_states
            self.length = need
            self.keys, self.values = self._k[..., :need, :], self._v[..., :need, :]
            return self.keys, self.values

        def crop(self, tokens_to_remove: int) -> None:
            super().crop(tokens_to_remove)
            if self.keys is not None:
                self.length = self.keys.shape[-2]

        def _rebuffer(self) -> None:  # after batch reordering: the views become the buffers
            self._k, self._v = self.keys.contiguous(), self.values.contiguous()
            self.keys, self.values = self._k, self._v

        def batch_repeat_interleave(self, repeats: int) -> None:
            super().batch_repeat_interleave(repeats)
            self._rebuffer()

        def batch_select_indices(self, indices: torch.Tensor) -> None:
            super().batch_select_indices(indices)
            self._rebuffer()

        def reorder_cache(self, beam_idx: torch.LongTensor) -> None:
            super().reorder_cache(beam_idx)
            self._rebuffer()

        def reset(self) -> None:
            super().reset()
            self._k = self._v = None
            self.length = 0

    class PreallocCache(DynamicCache):
        def __init__(self, layers: list):
            Cache.__init__(self, layers=layers)

    return PreallocLayer, PreallocCache
