"""A local transformers model as a lock-step policy, reusing each episode's KV cache across steps.

One batched ``generate`` call (left padding) serves every episode of a step. Agent prompts grow by
one turn per step, so re-encoding the whole history each step dominates the cost (measured on CPU:
batch 8 with a 1,439-token prompt spends 13 s in prefill). Each episode therefore keeps the keys/values
of its valid tokens (held by the policy, keyed weakly by the episode, so a cache never outlives
its episode even when nobody calls ``forget``); at the next step they are cropped to the longest
common prefix with the newly rendered prompt (re-tokenised text may differ from generated ids)
and merged into one batched ``DynamicCache``.

Batched cache layout (B rows, cache length C, new input length U, T = C + U)::

    row i:  [pad ... cached k_i tokens | pad ... last n_i - k_i prompt tokens]
             <------------- C -------->  <--------------- U --------------->

All rows share U = max(uncached tokens), so a row with fewer uncached tokens gives back part of
its cache (at most U - u_i tokens are recomputed). The 2-D attention mask spans all T positions;
transformers derives position ids as ``cumsum(mask) - 1`` over the full mask (generation/utils.py
``_prepare_position_ids_for_generation``) and slices the last U for the forward, so every real
token gets the same position (counted from its row's first real token) it had when its keys were
cached, and the rotary embedding baked into the cached keys stays valid.

A turn is one tool call: with ``backend.stop_at_tool_call`` each row ends right after
``</tool_call>`` (transformers' ``StopStringCriteria``, per row) instead of running on to
``<|im_end|>`` or ``max_new_tokens``; ``row_completion`` cuts its ids and text there.
"""

from __future__ import annotations

import sys
import time
import weakref
from typing import Any

from agentpref.agent.config import HFBackend, SamplingConfig
from agentpref.agent.episode import Episode, PolicyOutput
from agentpref.agent.policies.base import Policy, TokenizerPrompts, cut_after_stop
from agentpref.agent.policies.cpu_layout import transpose_linear_storage
from agentpref.agent.policies.hf_stream import StreamBatch, use_row_attention
from agentpref.agent.policies.kv_cache import common_prefix, prealloc_cache_classes
from agentpref.agent.protocol import TOOL_CALL_CLOSE
from agentpref.agent.record import PolicyInfo
from agentpref.errors import ConfigError
from agentpref.models import ModelConfig, load_causal_lm, resolve_device

SHARED_PREFIX_MIN = 16  # shorter common prefixes are not worth a cache lookup


def forward_parameters(lm: Any) -> frozenset[str]:
    """The keyword arguments the (PEFT-unwrapped) model's forward takes, read once per policy."""
    import inspect

    base = lm.get_base_model() if hasattr(lm, "get_base_model") else lm
    return frozenset(inspect.signature(base.forward).parameters)


def row_completion(tokenizer: Any, row: list[int], eos: set[int], stops: tuple[str, ...] = ()) -> tuple[list[int], str]:
    """One row's completion of a batched ``generate``: (token ids, text).

    The ids end at the first eos (kept: it was generated and fed back) or at the token that
    completed the first stop string, whichever comes first; a row that stopped gets padding after
    that, which is not its own. The text ends right after the stop string, also when the last
    token runs past it (SmolLM2 has ``></``): the turn is exactly one call.
    """
    end = next((j + 1 for j, t in enumerate(row) if t in eos), len(row))
    comp = row[:end]

    def decode(ids: list[int]) -> str:
        return tokenizer.decode(ids, skip_special_tokens=True)

    text = decode(comp)
    if not stops or not any(s in text for s in stops):
        return comp, text
    lo, hi = 1, len(comp)  # the fewest tokens whose text holds a stop string (monotone in length)
    while lo < hi:
        mid = (lo + hi) // 2
        if any(s in decode(comp[:mid]) for s in stops):
            hi = mid
        else:
            lo = mid + 1
    comp = comp[:lo]
    return comp, cut_after_stop(decode(comp), stops)


class HFPolicy(TokenizerPrompts, Policy):
    """Lock-step batched generation with a local transformers model (CPU or GPU)."""

    backend = "hf"

    def __init__(
        self,
        model: ModelConfig,
        backend: HFBackend,
        sampling: SamplingConfig,
        tools_in: str = "auto",
    ):
        if tools_in not in ("auto", "prompt", "template"):
            raise ConfigError(f"tools_in must be auto, prompt or template, got {tools_in!r}")
        super().__init__(model, sampling, backend.batch_size, backend.max_new_tokens)
        self.hf = backend
        # a turn is one call: rows end right after </tool_call> (each row on its own)
        self.stop_strings = (TOOL_CALL_CLOSE,) if backend.stop_at_tool_call else ()
        self._stop_criteria: tuple[tuple[str, ...], Any] | None = None
        self.tools_in = tools_in
        self.device = resolve_device(backend.device)
        self.lm, self.tokenizer = load_causal_lm(model, device=self.device, cache_dir=backend.cache_dir)
        if backend.merge_adapter and model.adapter:
            self.lm = self.lm.merge_and_unload()  # LoRA's two extra matmuls per layer, gone
        self._n_layers = 0
        self._prefix: dict | None = None  # shared KV cache of the system prompt
        # each live episode's cache: {"ids": list[int], "layers": [(k, v), ...]} (k: heads x len x dim)
        self._kv: weakref.WeakKeyDictionary[Episode, dict] = weakref.WeakKeyDictionary()
        # custom_cache: generate writes into a preallocated cache (ours); reuse_kv: rows start
        # from their cached prefix. Both need plain full-attention DynamicLayers.
        self.custom_cache = self._cache_supported()
        self._forward_params = forward_parameters(self.lm)
        # transformers 5.24 renamed the KV-cache argument to `cache` (past_key_values warns, and
        # goes in 5.40); generate's output carries it under the same name.
        self.cache_kw = "cache" if "cache" in self._forward_params else "past_key_values"
        self.reuse_kv = backend.reuse_kv_cache and self.custom_cache
        if backend.reuse_kv_cache and not self.reuse_kv:
            print(
                f"[agentpref] hf policy: KV-cache reuse off for {model.name}: its cache type "
                "cannot be cropped and re-batched per episode (sliding-window or recurrent layers)",
                file=sys.stderr,
                flush=True,
            )
        self._stream: StreamBatch | None = None
        if backend.scheduler == "continuous" and not self.reuse_kv:
            raise ConfigError(
                f"backend.scheduler=continuous needs KV-cache reuse, which {model.name} cannot "
                "do (or backend.reuse_kv_cache is off): use backend.scheduler=lockstep"
            )
        if self.device == "cpu":
            transpose_linear_storage(self.lm)
        # continuous batching on CPU: each row attends over its own keys (reads dominate there;
        # on a GPU one padded attention call beats a call per row)
        self.row_attention = (
            backend.scheduler == "continuous"
            and backend.row_attention
            and self.device == "cpu"
            and use_row_attention(self.lm)
        )
        self.eos_ids = self._eos_ids()
        self.pad_id = self.tokenizer.pad_token_id
        # reused_tokens: prompt tokens served from a cache; computed_tokens: prompt tokens encoded.
        # decode_steps: decode iterations of the batch (each call's generated length); row_steps:
        # rows x those iterations; finished_row_steps: the part spent on rows already finished
        # (padding: lock-step waits for the longest row); generate_s: wall seconds in generate;
        # solo_prefill_*: prompt tokens encoded row by row before it (backend.solo_prefill_over).
        self.stats: dict[str, int | float] = {
            "steps": 0,
            "rows": 0,
            "prompt_tokens": 0,
            "reused_tokens": 0,
            "computed_tokens": 0,
            "completion_tokens": 0,
            "shared_prefix_tokens": 0,
            "solo_prefill_tokens": 0,
            "solo_prefill_s": 0.0,
            "decode_steps": 0,
            "row_steps": 0,
            "finished_row_steps": 0,
            "generate_s": 0.0,
        }

    # ---- prompts: TokenizerPrompts ------------------------------------------------------------
    def info(self) -> PolicyInfo:
        info = super().info()
        if self.hf.merge_adapter and self.model.adapter:  # rounding differs: never resume across it
            info.sampling["merged_adapter"] = True
        return info

    def _eos_ids(self) -> list[int]:
        """eos of the tokenizer and generation config, plus ``<|im_end|>`` for ChatML templates."""
        ids: list[int] = []
        for v in (
            self.tokenizer.eos_token_id,
            getattr(self.lm.generation_config, "eos_token_id", None),
        ):
            ids += v if isinstance(v, list) else [v] if v is not None else []
        im_end = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        if (
            isinstance(im_end, int)
            and im_end != self.tokenizer.unk_token_id
            and "<|im_end|>" in (self.chat_template() or "")
        ):
            ids.append(im_end)
        return list(dict.fromkeys(ids))

    # ---- generation ---------------------------------------------------------------------------
    def act(self, episodes: list[Episode], seed: int) -> list[PolicyOutput]:
        import torch

        if not episodes:
            return []
        prompts = [self._render_ids(ep) for ep in episodes]
        n = [len(p) for p in prompts]
        # each row's cache source (its own cache, or the shared system prefix) and usable length
        sources: list[dict | None] = [None] * len(episodes)
        usable = [0] * len(episodes)
        solo = 0
        if self.reuse_kv:
            self._pick_sources(episodes, prompts, sources, usable)
            solo = self._solo_prefill(prompts, sources, usable)
        u_len = max(ni - ki for ni, ki in zip(n, usable))  # U: new tokens per row
        total = max(n)  # T = C + U
        c_len = total - u_len  # C: batched cache length
        take = [max(0, ni - u_len) if sources[i] else 0 for i, ni in enumerate(n)]

        ids = torch.full((len(episodes), total), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(episodes), total), dtype=torch.long)
        for i, p in enumerate(prompts):
            ids[i, total - n[i] :] = torch.tensor(p, dtype=torch.long)
            mask[i, total - n[i] :] = 1
        kwargs: dict[str, Any] = {}
        if self.custom_cache:
            kwargs[self.cache_kw] = self._batched_cache(sources, take, c_len, total + self.max_new_tokens)

        gen = self._generation_kwargs()
        torch.manual_seed(seed)
        t0 = time.perf_counter()
        with torch.inference_mode():
            out = self.lm.generate(input_ids=ids.to(self.device), attention_mask=mask.to(self.device), **gen, **kwargs)
        latency = time.perf_counter() - t0
        new = out.sequences[:, total:].cpu()
        g_len = new.shape[1]

        outputs, completions = [], []
        eos = set(self.eos_ids)
        for i in range(len(episodes)):
            comp, text = row_completion(self.tokenizer, new[i].tolist(), eos, self.stop_strings)
            completions.append(comp)
            outputs.append(PolicyOutput(text=text, prompt_tokens=n[i], completion_tokens=len(comp), latency_s=latency))
        self.stats["steps"] += 1
        self.stats["rows"] += len(episodes)
        self.stats["prompt_tokens"] += sum(n)
        self.stats["reused_tokens"] += sum(take) - solo
        self.stats["computed_tokens"] += sum(n) - sum(take) + solo
        self.stats["shared_prefix_tokens"] += sum(
            t for t, src in zip(take, sources) if src is not None and src is self._prefix
        )
        self.stats["completion_tokens"] += sum(len(c) for c in completions)
        self.stats["decode_steps"] += g_len
        self.stats["row_steps"] += len(episodes) * g_len
        self.stats["finished_row_steps"] += len(episodes) * g_len - sum(map(len, completions))
        self.stats["generate_s"] += latency
        if self.reuse_kv and self.custom_cache:
            self._store_caches(episodes, getattr(out, self.cache_kw), prompts, completions, total, g_len)
        return outputs

    def _generation_kwargs(self) -> dict[str, Any]:
        """Exactly the configured sampling (no top-k or repetition penalty from the model's
        generation_config; temperature 0 is greedy) and the stop strings."""
        from transformers import GenerationConfig

        sampling = self.sampling.temperature > 0
        cfg = GenerationConfig(
            max_new_tokens=self.max_new_tokens,
            do_sample=sampling,
            eos_token_id=self.eos_ids,
            pad_token_id=self.pad_id,
            bos_token_id=self.tokenizer.bos_token_id,
            use_cache=True,
            return_dict_in_generate=True,
        )
        if sampling:
            cfg.temperature, cfg.top_p, cfg.top_k = (
                self.sampling.temperature,
                self.sampling.top_p,
                self.sampling.top_k,  # 0: off
            )
        kwargs: dict[str, Any] = {"generation_config": cfg}
        if self.stop_strings:
            kwargs["stopping_criteria"] = self._stopping_criteria()
        return kwargs

    def _stopping_criteria(self) -> Any:
        """transformers' ``StopStringCriteria`` for ``stop_strings``, built once (it indexes the
        whole vocabulary). It finishes each row on its own: a finished row gets padding while the
        others go on, and ``generate`` returns when every row is done."""
        if self._stop_criteria is None or self._stop_criteria[0] != self.stop_strings:
            from transformers import StoppingCriteriaList
            from transformers.generation.stopping_criteria import StopStringCriteria

            criteria = StopStringCriteria(self.tokenizer, list(self.stop_strings))
            self._stop_criteria = (self.stop_strings, StoppingCriteriaList([criteria]))
        return self._stop_criteria[1]

    # ---- KV-cache reuse -------------------------------------------------------------------------
    def _cache_supported(self) -> bool:
        """Only models whose default cache is plain full-attention DynamicLayers (no sliding
        windows, no recurrent state) can have their caches cropped and re-batched per row."""
        try:
            from transformers import DynamicCache
            from transformers.cache_utils import DynamicLayer

            if not self.lm._supports_default_dynamic_cache():
                return False
            probe = DynamicCache(config=self.lm.config)
            kinds = {type(layer) for layer in probe.layers}
            self._n_layers = len(probe.layers)
            return self._n_layers > 0 and kinds == {DynamicLayer}
        except Exception:
            return False

    def _pick_sources(
        self,
        episodes: list[Episode],
        prompts: list[list[int]],
        sources: list[dict | None],
        usable: list[int],
    ) -> None:
        """Per row: the longer of its own cache's and the shared system prefix's common prefix."""
        for i, ep in enumerate(episodes):
            own = self._kv.get(ep)
            if own is not None:
                sources[i], usable[i] = own, common_prefix(own["ids"], prompts[i])
            if usable[i] < SHARED_PREFIX_MIN:
                shared = self._shared_prefix(ep, prompts[i])
                if shared is not None:
                    k = common_prefix(shared["ids"], prompts[i])
                    if k > usable[i]:
                        sources[i], usable[i] = shared, k
            usable[i] = min(usable[i], len(prompts[i]) - 1)  # always encode >= 1 token

    def _solo_prefill(self, prompts: list[list[int]], sources: list[dict | None], usable: list[int]) -> int:
        """Encode, one row at a time, the new prompt tokens of rows that have more than
        ``solo_prefill_over`` of them, so the batched generate starts with at most that many per
        row: in one batched call every row encodes as many tokens as the row with the most new
        ones (a 1,000-token file read pads a 100-token test result), 1.4x the needed prefill in
        a measured evaluation. Returns the tokens encoded here; the rows' sources now cover them."""
        limit = self.hf.solo_prefill_over
        if limit is None:
            return 0
        encoded, t0 = 0, time.perf_counter()
        for i, prompt in enumerate(prompts):
            start, stop = usable[i], len(prompt) - 1  # the last token goes to generate
            if stop - start <= limit:
                continue
            if sources[i] is not None and sources[i] is self._prefix:
                self.stats["shared_prefix_tokens"] += start
            sources[i] = self._encode_row(sources[i], start, prompt[:stop])
            usable[i] = stop
            encoded += stop - start
        self.stats["solo_prefill_tokens"] += encoded
        self.stats["solo_prefill_s"] += time.perf_counter() - t0
        return encoded

    def _encode_row(self, source: dict | None, start: int, ids: list[int]) -> dict:
        """``ids``' keys/values: the first ``start`` from ``source``, the rest computed (batch 1)."""
        import torch

        cache = self.new_cache(len(ids))
        if start:
            for layer, (ck, cv) in zip(cache.layers, source["layers"], strict=True):
                k = ck.new_empty((1, ck.shape[0], len(ids), ck.shape[-1]))
                v = cv.new_empty((1, cv.shape[0], len(ids), cv.shape[-1]))
                k[0, :, :start], v[0, :, :start] = ck[:, :start], cv[:, :start]
                layer.prefill(k, v, start)
        extra = {"logits_to_keep": 1} if "logits_to_keep" in self._forward_params else {}
        with torch.inference_mode():
            self.lm(
                input_ids=torch.tensor([ids[start:]], device=self.device),
                attention_mask=torch.ones((1, len(ids)), dtype=torch.long, device=self.device),
                **{self.cache_kw: cache},
                use_cache=True,
                **extra,
            )
        return {"ids": ids, "layers": [(layer.keys[0], layer.values[0]) for layer in cache.layers]}

    def _shared_prefix(self, episode: Episode, prompt: list[int]) -> dict | None:
        """The KV cache of the rendered system message, encoded once and shared by every episode
        that starts with it (all episodes of a run do): a fresh episode skips re-encoding it."""
        if self._prefix is not None and common_prefix(self._prefix["ids"], prompt) >= SHARED_PREFIX_MIN:
            return self._prefix
        if not episode.messages or episode.messages[0]["role"] != "system":
            return None
        try:
            text = self.tokenizer.apply_chat_template(episode.messages[:1], tokenize=False, **self._template_kwargs())
            sys_ids = self.tokenizer(text, add_special_tokens=False)["input_ids"]
        except Exception:  # templates that refuse a lone system message
            return None
        length = min(common_prefix(sys_ids, prompt), len(prompt) - 1)
        if length < SHARED_PREFIX_MIN:
            return None
        import torch

        cache = self.new_cache(length)
        extra = {"logits_to_keep": 1} if "logits_to_keep" in self._forward_params else {}
        with torch.inference_mode():
            self.lm(
                input_ids=torch.tensor([prompt[:length]], device=self.device),
                **{self.cache_kw: cache},
                use_cache=True,
                **extra,
            )
        self._prefix = {
            "ids": prompt[:length],
            "layers": [(layer.keys[0].clone(), layer.values[0].clone()) for layer in cache.layers],
        }
        return self._prefix

    def new_cache(self, capacity: int) -> Any:
        layer_cls, cache_cls = prealloc_cache_classes()
        return cache_cls([layer_cls(capacity) for _ in range(self._n_layers)])

    def _batched_cache(self, sources: list[dict | None], take: list[int], c_len: int, capacity: int) -> Any:
        """One cache for the batch: each row's cached keys/values right-aligned in the first
        ``c_len`` slots (zeros, masked out, on the left), with room for the whole generation."""
        cache = self.new_cache(capacity)
        if c_len == 0:
            return cache

        ref = next(src for src in sources if src is not None)["layers"]
        for li, layer in enumerate(cache.layers):
            k0, v0 = ref[li]
            # slots past c_len are written by generate before anything reads them
            k = k0.new_empty((len(sources), k0.shape[0], capacity, k0.shape[-1]))
            v = v0.new_empty((len(sources), v0.shape[0], capacity, v0.shape[-1]))
            k[:, :, :c_len].zero_()
            v[:, :, :c_len].zero_()
            for i, src in enumerate(sources):
                if take[i]:
                    ck, cv = src["layers"][li]
                    k[i, :, c_len - take[i] : c_len] = ck[:, : take[i]]
                    v[i, :, c_len - take[i] : c_len] = cv[:, : take[i]]
            layer.prefill(k, v, c_len)
        return cache

    def _store_caches(
        self,
        episodes: list[Episode],
        cache: Any,
        prompts: list[list[int]],
        completions: list[list[int]],
        total: int,
        g_len: int,
    ) -> None:
        """Keep each row's valid keys/values: its prompt plus the generated tokens that were fed
        back (every generated token but the batch's last one; a finished row's eos, or the token
        that completed its stop string, was fed back). A stopped row's text is cut right after the
        stop string and the next prompt renders it followed by ``<|im_end|>``: the common-prefix
        match at the next step crops whatever of these ids the new prompt does not repeat."""
        if not isinstance(cache, prealloc_cache_classes()[1]):
            print(
                f"[agentpref] hf policy: KV-cache reuse off for {self.model.name}: generate "
                f"returned a {type(cache).__name__}, not the cache it was given",
                file=sys.stderr,
                flush=True,
            )
            self.reuse_kv = self.custom_cache = False
            return
        layers = [(layer.keys, layer.values) for layer in cache.layers]
        for i, ep in enumerate(episodes):
            fed = min(len(completions[i]), g_len - 1)
            start, stop = total - len(prompts[i]), total + fed
            self._kv[ep] = {
                "ids": prompts[i] + completions[i][:fed],
                "layers": [(k[i, :, start:stop].clone(), v[i, :, start:stop].clone()) for k, v in layers],
            }

    # ---- continuous batching (backend.scheduler=continuous; agent/policies/hf_stream.py) ---------
    def stream_rows(self) -> int:
        return 0 if self._stream is None else self._stream.live

    def open_turn(self, episode: Episode, seed: int) -> None:
        """Start the episode's next turn in a free slot (its cached prefix reused, its new prompt
        tokens encoded); ``seed`` seeds this turn's sampling."""
        prompt = self._render_ids(episode)
        sources: list[dict | None] = [None]
        usable = [0]
        self._pick_sources([episode], [prompt], sources, usable)
        if sources[0] is not None and sources[0] is self._prefix:
            self.stats["shared_prefix_tokens"] += usable[0]
        if self._stream is None:
            self._stream = StreamBatch(self, self.batch_size)
        t0 = time.perf_counter()
        self._stream.admit(episode, prompt, sources[0], usable[0], seed)
        self.stats["generate_s"] += time.perf_counter() - t0
        self.stats["rows"] += 1
        self.stats["prompt_tokens"] += len(prompt)
        self.stats["reused_tokens"] += usable[0]
        self.stats["computed_tokens"] += len(prompt) - usable[0]

    def stream_step(self) -> list[tuple[Episode, PolicyOutput]]:
        """One decode step of the running batch: the turns that ended at it."""
        batch = self._stream
        t0 = time.perf_counter()
        slots, live = batch.slots, batch.live
        ended = batch.step()
        self.stats["generate_s"] += time.perf_counter() - t0
        self.stats["decode_steps"] += 1
        self.stats["row_steps"] += slots
        self.stats["finished_row_steps"] += slots - live
        self.stats["completion_tokens"] += sum(len(comp) for _, _, comp in ended)
        self.stats["steps"] += len(ended)
        self.stats["stream_rebuilds"] = batch.rebuilds
        self.stats["stream_rebuild_s"] = round(batch.rebuild_s, 2)
        self.stats["attended_keys"] = batch.attended
        self.stats["needed_keys"] = batch.needed
        return [(ep, out) for ep, out, _ in ended]

    def stream_shrink(self, slots: int) -> None:
        """Fewer episodes left than slots: drop idle slots (each costs a row of attention)."""
        if self._stream is not None:
            self._stream.shrink(max(slots, 1))

    # the pieces hf_stream.StreamBatch calls back into
    def kv_shape(self) -> tuple[int, int, Any]:
        """(key/value heads, head dim, dtype) of one layer's cache."""
        cfg = self.lm.config
        heads = getattr(cfg, "num_key_value_heads", None) or cfg.num_attention_heads
        dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
        return heads, dim, next(self.lm.parameters()).dtype

    def encode_into(self, cache: Any, slot: int, start: int, cached: int, ids: list[int]) -> None:
        """Encode ``ids[cached:]`` (batch 1) into ``slot`` of the running batch's buffers, right
        after the ``cached`` tokens that sit at ``start``."""
        import torch

        layer_cls, cache_cls = prealloc_cache_classes()
        view = cache_cls([layer_cls(0) for _ in range(self._n_layers)])
        for mine, theirs in zip(view.layers, cache.layers, strict=True):
            mine.prefill(theirs._k[slot : slot + 1, :, start:], theirs._v[slot : slot + 1, :, start:], cached)
        extra = {"logits_to_keep": 1} if "logits_to_keep" in self._forward_params else {}
        with torch.inference_mode():
            self.lm(
                input_ids=torch.tensor([ids[cached:]], device=self.device),
                attention_mask=torch.ones((1, len(ids)), dtype=torch.long, device=self.device),
                position_ids=torch.arange(cached, len(ids), device=self.device)[None],
                **{self.cache_kw: view},
                use_cache=True,
                **extra,
            )

    def next_tokens(self, logits: Any, rows: list[Any]) -> list[int]:
        """Greedy, or the configured sampling (transformers' warpers) with each row's generator."""
        import torch

        if self.sampling.greedy:
            return logits.argmax(-1).tolist()
        from transformers.generation.logits_process import (
            TemperatureLogitsWarper,
            TopKLogitsWarper,
            TopPLogitsWarper,
        )

        scores = TemperatureLogitsWarper(self.sampling.temperature)(None, logits)
        if self.sampling.top_k:
            scores = TopKLogitsWarper(self.sampling.top_k)(None, scores)
        if self.sampling.top_p < 1.0:
            scores = TopPLogitsWarper(self.sampling.top_p)(None, scores)
        probs = torch.softmax(scores, dim=-1)
        return [int(torch.multinomial(p, 1, generator=row.generator)) for p, row in zip(probs, rows, strict=True)]

    def turn_over(self, out: list[int]) -> bool:
        """eos, the token budget, or a stop string in the last tokens' text."""
        if out[-1] in self.eos_ids or len(out) >= self.max_new_tokens:
            return True
        if not self.stop_strings:
            return False
        tail = self.tokenizer.decode(out[-16:], skip_special_tokens=True)
        return any(s in tail for s in self.stop_strings)

    def completion(self, out: list[int]) -> tuple[list[int], str]:
        return row_completion(self.tokenizer, out, set(self.eos_ids), self.stop_strings)

    def keep_cache(
        self, episode: Episode, prompt: list[int], comp: list[int], cache: Any, slot: int, start: int
    ) -> None:
        """The row's prompt and fed-back completion tokens (all but the last) for its next turn."""
        fed = len(comp) - 1
        stop = start + len(prompt) + fed
        self._kv[episode] = {
            "ids": prompt + comp[:fed],
            "layers": [
                (layer._k[slot, :, start:stop].clone(), layer._v[slot, :, start:stop].clone()) for layer in cache.layers
            ],
        }

    # ---- lifecycle ----------------------------------------------------------------------------
    def profile(self) -> dict[str, Any]:
        """The counters plus the two ratios that say what lock-step batching wastes and yields
        (``prefill_tokens``: the prompt tokens actually encoded, i.e. ``computed_tokens``)."""
        s = self.stats
        rows, secs = s["row_steps"], s["generate_s"]
        return (
            s
            | {
                "generate_s": round(secs, 2),
                "solo_prefill_s": round(s["solo_prefill_s"], 2),
                "prefill_tokens": s["computed_tokens"],
                "finished_row_share": round(s["finished_row_steps"] / rows, 4) if rows else 0.0,
                "decode_tokens_per_s": round(s["completion_tokens"] / secs, 1) if secs else 0.0,
            }
            | (
                {"attention_padding": round(s["attended_keys"] / s["needed_keys"], 3)}  # continuous only
                if s.get("needed_keys")
                else {}
            )
        )

    def forget(self, episode: Episode) -> None:
        self._kv.pop(episode, None)  # now rather than when the episode is collected
        super().forget(episode)

    def close(self) -> None:
        import gc

        self.lm, self._prefix, self._stream = None, None, None
        gc.collect()
        if self.device.startswith("cuda"):
            import torch

            torch.cuda.empty_cache()
