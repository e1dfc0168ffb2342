"""Continuous batching for the hf policy: a finished turn leaves the batch at once and another
episode's next turn takes its slot at the next decode step.

Lock-step ``generate`` decodes every row until the batch's longest turn ends (edit turns run 150-250
tokens, most others 20-60), so a third of its row-steps went to rows already finished. Here each
decode step is one forward over the batch's slots, and rows come and go between steps.

Layout: one preallocated buffer per layer, ``slots x heads x capacity x dim``, with a shared write
position ``pos``. Row ``j`` holds its tokens right-aligned in ``[start_j, pos)``; its attention
skips everything left of ``start_j`` (a mask, or per-row spans on CPU, below), and each row's
position ids count its own tokens, so a row
computes what it would alone (up to fp32 rounding of padded reductions). A joining row's cached
prefix is copied into a free slot and its new prompt tokens are encoded there in place (batch 1),
all but the last, which it feeds at the next batched step. When a joining row is longer than
``pos`` or the buffer is full, the buffer is rebuilt with the rows packed to the longest
(one copy of the live rows). At a run's tail, when fewer episodes are left than slots, idle
slots are dropped.

On CPU a decode step's attention reads each live row's own keys only (``row_attention``, one
small attention call per row): the padded batch attended 1.43x the keys its rows needed, and at
these context lengths reading keys and values is most of a decode step.

Sampling draws from a generator seeded per turn, so a row's tokens do not depend on which other
rows share its batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentpref.agent.episode import Episode, PolicyOutput

if TYPE_CHECKING:
    from agentpref.agent.policies.hf import HFPolicy

HEADROOM = 256  # buffer slots past the longest row at a rebuild: one rebuild per this many steps
ROW_ATTENTION = "agentpref_rows"  # the attention implementation name row_attention registers


def row_attention(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    dropout: float = 0.0,
    scaling: float | None = None,
    is_causal: bool | None = None,
    row_spans: Any = None,
    **kwargs: Any,
) -> tuple[Any, None]:
    """A decode step (one query per row) that attends over each row's own keys: ``row_spans``
    lists (slot, first key) of the live rows; idle slots get zeros. Anything else (prefill, no
    spans) is transformers' sdpa attention, with its mask."""
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    if row_spans is None or query.shape[2] != 1:
        return sdpa_attention_forward(
            module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, is_causal=is_causal, **kwargs
        )
    import torch.nn.functional as F

    batch, heads, _, dim = query.shape
    kv_heads = key.shape[1]
    out = query.new_zeros(batch, 1, heads, dim)
    for slot, first in row_spans:
        # grouped-query attention without repeating keys: a key head's queries as its query rows
        q = query[slot].reshape(1, kv_heads, heads // kv_heads, dim)
        att = F.scaled_dot_product_attention(
            q, key[slot : slot + 1, :, first:], value[slot : slot + 1, :, first:], scale=scaling
        )
        out[slot, 0] = att.reshape(heads, dim)
    return out, None


def use_row_attention(lm: Any) -> bool:
    """Switch an sdpa model to ``row_attention`` (registered with transformers, with sdpa's masks
    for the calls it hands on); False for other attention implementations, which keep the padded
    step."""
    from transformers import AttentionInterface, AttentionMaskInterface
    from transformers.masking_utils import sdpa_mask

    if lm.config._attn_implementation not in ("sdpa", ROW_ATTENTION):
        return False
    AttentionInterface.register(ROW_ATTENTION, row_attention)
    AttentionMaskInterface.register(ROW_ATTENTION, sdpa_mask)
    lm.set_attn_implementation(ROW_ATTENTION)
    return True


@dataclass
class _Row:
    episode: Episode
    prompt: list[int]
    start: int
    next_id: int  # fed at the next step: the prompt's last token, then samples
    generator: Any = None  # torch.Generator of the turn (sampling only)
    out: list[int] = field(default_factory=list)
    started: float = 0.0


class StreamBatch:
    """Slots of one running batch; ``admit`` a turn, ``step`` to decode one token for every row."""

    def __init__(self, policy: HFPolicy, slots: int):
        self.policy, self.slots = policy, slots
        self.rows: list[_Row | None] = [None] * slots
        self.cache: Any = None
        self.pos = 0
        self.capacity = 0
        self.rebuilds = 0
        self.rebuild_s = 0.0
        self.attended = 0  # keys every slot's attention read (slots x context, padding included)
        self.needed = 0  # keys the live rows needed (their own lengths)

    # ---- slots ----------------------------------------------------------------------------------
    @property
    def live(self) -> int:
        return sum(r is not None for r in self.rows)

    def _lengths(self) -> list[int]:
        return [self.pos - r.start for r in self.rows if r is not None]

    def _rebuild(self, need: int) -> None:
        """Pack the live rows right-aligned at ``pos = max(longest row, need)`` in a fresh buffer
        with ``HEADROOM`` + a full turn of room."""
        import torch

        t0 = time.perf_counter()
        policy = self.policy
        new_pos = max(self._lengths() + [need])
        capacity = new_pos + policy.max_new_tokens + HEADROOM
        live = [r for r in self.rows if r is not None]
        cache = policy.new_cache(capacity)
        heads, dim, dtype = policy.kv_shape()
        for li, layer in enumerate(cache.layers):
            # masked slots must hold finite numbers (0 x NaN is NaN); past new_pos each slot is
            # written before any step reads it
            k = torch.empty((self.slots, heads, capacity, dim), dtype=dtype, device=policy.device)
            v = torch.empty_like(k)
            k[:, :, :new_pos].zero_()
            v[:, :, :new_pos].zero_()
            if self.cache is not None:
                old = self.cache.layers[li]
                for j, row in enumerate(self.rows):
                    if row is not None:
                        n = self.pos - row.start
                        k[j, :, new_pos - n : new_pos] = old._k[j, :, row.start : self.pos]
                        v[j, :, new_pos - n : new_pos] = old._v[j, :, row.start : self.pos]
            layer.prefill(k, v, new_pos)
        for row in live:
            row.start = new_pos - (self.pos - row.start)
        self.cache, self.pos, self.capacity = cache, new_pos, capacity
        self.rebuilds += 1
        self.rebuild_s += time.perf_counter() - t0

    def admit(self, episode: Episode, prompt: list[int], source: dict | None, usable: int, seed: int) -> None:
        """Put a turn in a free slot: its cached prefix (``usable`` tokens of ``source``) copied
        in, the rest of the prompt but the last token encoded there."""
        import torch

        n = len(prompt)
        if self.cache is None or n - 1 > self.pos or self.pos + 1 > self.capacity:
            self._rebuild(n - 1)
        if self.live == self.slots:
            raise RuntimeError(f"no free slot among {self.slots}: at most batch_size turns run at once")
        j = self.rows.index(None)
        start = self.pos - (n - 1)
        if usable:
            for layer, (ck, cv) in zip(self.cache.layers, source["layers"], strict=True):
                layer._k[j, :, start : start + usable] = ck[:, :usable]
                layer._v[j, :, start : start + usable] = cv[:, :usable]
        if n - 1 > usable:
            self.policy.encode_into(self.cache, j, start, usable, prompt[: n - 1])
        generator = None
        if not self.policy.sampling.greedy:
            generator = torch.Generator(device=self.policy.device).manual_seed(seed)
        self.rows[j] = _Row(episode, prompt, start, prompt[-1], generator, started=time.perf_counter())

    # ---- decoding -------------------------------------------------------------------------------
    def step(self) -> list[tuple[Episode, PolicyOutput, list[int]]]:
        """One forward over every slot, one token for every row; returns the turns that ended
        (episode, output, completion ids) and frees their slots."""
        import torch

        policy = self.policy
        if self.pos + 1 > self.capacity:
            self._rebuild(0)
        slots, pos = self.slots, self.pos
        ids = torch.full((slots, 1), policy.pad_id, dtype=torch.long)
        positions = torch.zeros((slots, 1), dtype=torch.long)
        spans = [(j, row.start) for j, row in enumerate(self.rows) if row is not None]
        for j, start in spans:
            ids[j, 0] = self.rows[j].next_id
            positions[j, 0] = pos - start
        needed = sum(pos + 1 - start for _, start in spans)
        if policy.row_attention:
            attend = {"row_spans": spans}
            self.attended += needed
        else:
            mask = torch.zeros((slots, pos + 1), dtype=torch.long)
            mask[:, pos] = 1  # an idle slot attends to itself only (a fully masked row gives NaN)
            for j, start in spans:
                mask[j, start:] = 1
            attend = {"attention_mask": mask.to(policy.device)}
            self.attended += slots * (pos + 1)
        self.needed += needed
        with torch.inference_mode():
            logits = (
                policy.lm(
                    input_ids=ids.to(policy.device),
                    position_ids=positions.to(policy.device),
                    use_cache=True,
                    **attend,
                    **{policy.cache_kw: self.cache},
                )
                .logits[:, -1]
                .float()
            )
        self.pos += 1
        live = [j for j, row in enumerate(self.rows) if row is not None]
        tokens = policy.next_tokens(logits[live], [self.rows[j] for j in live])
        ended = []
        for j, token in zip(live, tokens, strict=True):
            row = self.rows[j]
            row.out.append(token)
            row.next_id = token
            if policy.turn_over(row.out):
                ended.append(j)
        out = []
        for j in ended:
            row = self.rows[j]
            comp, text = policy.completion(row.out)
            policy.keep_cache(row.episode, row.prompt, comp, self.cache, j, row.start)
            out.append(
                (
                    row.episode,
                    PolicyOutput(
                        text=text,
                        prompt_tokens=len(row.prompt),
                        completion_tokens=len(comp),
                        latency_s=time.perf_counter() - row.started,
                    ),
                    comp,
                )
            )
            self.rows[j] = None
        return out

    def shrink(self, slots: int) -> None:
        """Down to ``slots`` slots, live rows kept, when fewer episodes are left than slots (the
        tail of a run): idle slots cost a full row of attention each step."""
        if self.cache is None or slots >= self.slots or slots < self.live:
            return
        import torch

        keep = [j for j, r in enumerate(self.rows) if r is not None]
        keep += [j for j, r in enumerate(self.rows) if r is None][: slots - len(keep)]
        index = torch.tensor(keep, device=self.policy.device)
        for layer in self.cache.layers:
            layer._k, layer._v = layer._k.index_select(0, index), layer._v.index_select(0, index)
            layer.keys, layer.values = layer._k[..., : self.pos, :], layer._v[..., : self.pos, :]
        self.rows, self.slots = [self.rows[j] for j in keep], slots
