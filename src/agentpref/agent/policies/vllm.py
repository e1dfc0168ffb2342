"""A text-protocol policy on the offline ``vllm.LLM`` batch engine (GPU machines).

One ``act`` renders every episode's transcript with the tokenizer's chat template and generates
all turns in one ``LLM.generate`` call; prefix caching (``backend.enable_prefix_caching``) keeps
the growing transcripts cheap, the way the hf policy's KV-cache reuse does. vllm is imported only
here, so the rest of the project installs and runs without it.

Prompts are rendered like the hf policy's: ``text_template`` (tools in the template's ``tools=``)
when ``tools_in == "template"``, or ``"auto"`` and the template uses ``tools``; else
``text_prompt`` (tools described in the system prompt). The transcript goes to the template as
is (tool results as role ``tool``); only a template that rejects that role gets them as user
messages wrapped in ``<tool_response>`` (the OpenAI policy's text mapping). Prompts are tokenized
here (no second BOS) and passed as token ids, which also gives exact prompt token counts.

A turn is one tool call: with ``backend.stop_at_tool_call`` each request stops right after
``</tool_call>`` (``stop=[...]``, ``include_stop_str_in_output=True``; see ``sampling_kwargs``).

The engine is sized by ``engine_args`` (context budget, LoRA rank) and shared by the policies of
one process that need the same engine: each adapter rides on it as its own ``LoRARequest``.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from agentpref.agent.config import SamplingConfig, VLLMBackend
from agentpref.agent.episode import Episode, PolicyOutput, PromptMode
from agentpref.agent.policies.base import Policy, cut_after_stop
from agentpref.agent.policies.openai_api import text_messages
from agentpref.agent.protocol import TOOL_CALL_CLOSE, tool_schemas
from agentpref.errors import AgentprefError
from agentpref.models import ModelConfig

DEFAULT_CACHE_DIR = "data/cache/models"  # HFBackend.cache_dir's default (converted checkpoints)


class VLLMUnavailable(AgentprefError):
    """vllm (or a CUDA GPU for it) is missing; the message names the fix."""


def _import_vllm():
    try:
        import vllm
    except ImportError as exc:
        raise VLLMUnavailable(
            f"backend=vllm needs the vllm package ({str(exc).splitlines()[0]}): pip install -e '.[vllm]' on a Linux "
            "machine with a CUDA GPU, or use backend=hf (CPU/GPU) or backend=openai (a server)"
        ) from None
    return vllm


VLLM_LORA_RANKS = (8, 16, 32, 64, 128, 256, 320, 512)  # the max_lora_rank values vLLM accepts


def adapter_rank(adapter: str | Path) -> int:
    """The LoRA rank ``r`` of a PEFT adapter dir (its adapter_config.json)."""
    path = Path(adapter) / "adapter_config.json"
    try:
        rank = json.loads(path.read_text())["r"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AgentprefError(
            f"model.adapter={adapter}: no LoRA rank in {path} ({type(exc).__name__}); point it at a PEFT adapter dir"
        ) from None
    if not isinstance(rank, int) or rank < 1:
        raise AgentprefError(f"model.adapter={adapter}: adapter_config.json has r={rank!r}, not a positive rank")
    return rank


def engine_args(
    model: ModelConfig, backend: VLLMBackend, path: str, revision: str | None, max_context_tokens: int | None
) -> dict[str, Any]:
    """``vllm.LLM`` arguments. ``max_model_len`` is the agent's context budget plus one turn (not
    the model's whole window, 131,072 tokens for llama8b); with an adapter, ``max_lora_rank`` is the
    smallest rank vLLM accepts that holds it (vLLM's default is 16, below the r=64 the GPU presets
    train) and ``max_loras`` the adapters in one batch."""
    budget = model.context_window
    if max_context_tokens is not None:
        budget = min(budget, max_context_tokens + backend.max_new_tokens)
    kwargs: dict[str, Any] = dict(
        model=path,
        tokenizer=path,
        revision=revision,
        dtype=model.dtype,
        tensor_parallel_size=backend.tensor_parallel_size,
        gpu_memory_utilization=backend.gpu_memory_utilization,
        enable_prefix_caching=backend.enable_prefix_caching,
        max_model_len=budget,
        seed=0,
    )
    if model.adapter:
        rank = max(adapter_rank(model.adapter), backend.max_lora_rank or 0)
        fits = [r for r in VLLM_LORA_RANKS if r >= rank]
        if not fits:
            raise AgentprefError(
                f"model.adapter={model.adapter}: LoRA rank {rank} is above vLLM's largest ({VLLM_LORA_RANKS[-1]})"
            )
        kwargs |= dict(enable_lora=True, max_lora_rank=fits[0], max_loras=backend.max_loras)
    return kwargs


# One engine per process and engine configuration: evaluating several adapters of one base model
# (study.py's rows, a multirun) reuses it, one LoRARequest per adapter, instead of a new engine
# (and its GPU memory) per row.
_ENGINES: dict[str, Any] = {}
_LORA_IDS: dict[str, int] = {}


def engine_key(kwargs: dict[str, Any]) -> str:
    return json.dumps(kwargs, sort_keys=True, default=str)


def lora_id(adapter: str) -> int:
    """A stable request id per adapter path within the process (vLLM keys its adapter cache by it)."""
    return _LORA_IDS.setdefault(adapter, len(_LORA_IDS) + 1)


class VLLMPolicy(Policy):
    backend = "vllm"
    protocol = "text"

    def __init__(
        self,
        model: ModelConfig,
        backend: VLLMBackend,
        sampling: SamplingConfig,
        tools_in: str = "auto",
        *,
        cache_dir: str | Path = DEFAULT_CACHE_DIR,
        llm_kwargs: dict[str, Any] | None = None,
        max_context_tokens: int | None = None,
    ):
        super().__init__(model, sampling, backend.batch_size, backend.max_new_tokens)
        self.cfg, self.tools_in = backend, tools_in
        self.stop_strings = (TOOL_CALL_CLOSE,) if backend.stop_at_tool_call else ()
        vllm = _import_vllm()
        import torch

        if not torch.cuda.is_available():
            raise VLLMUnavailable("backend=vllm needs a CUDA GPU and none is visible; use backend=hf on this machine")
        from transformers import AutoTokenizer

        from agentpref.models import resolve_checkpoint

        path = resolve_checkpoint(model, cache_dir)
        revision = model.revision if path == model.hub_id else None
        self.tokenizer = AutoTokenizer.from_pretrained(path, revision=revision)
        self._template: str | None = self.tokenizer.chat_template
        if model.chat_template:
            tpl = Path(model.chat_template)
            if not tpl.is_file():
                raise AgentprefError(f"model {model.name}: chat_template file {tpl} does not exist")
            self._template = tpl.read_text()
        if not self._template:
            raise AgentprefError(
                f"model {model.name}: the tokenizer has no chat template; "
                "set model.chat_template to a Jinja template file"
            )
        kwargs = engine_args(model, backend, path, revision, max_context_tokens) | (llm_kwargs or {})
        self.max_model_len = kwargs["max_model_len"]
        self._lora = None
        if model.adapter:
            from vllm.lora.request import LoRARequest

            adapter = str(Path(model.adapter).resolve())
            self._lora = LoRARequest(Path(adapter).name or "adapter", lora_id(adapter), adapter)
        self._engine_key = engine_key(kwargs)
        if self._engine_key not in _ENGINES:
            close_engines()  # another configuration: free the old engine's GPU memory first
            _ENGINES[self._engine_key] = vllm.LLM(**kwargs)
        self.llm = _ENGINES[self._engine_key]
        self._SamplingParams = vllm.SamplingParams

    # ---- prompts -----------------------------------------------------------------------------
    @property
    def prompt_mode(self) -> PromptMode:
        from agentpref.agent.prompts import text_prompt_mode

        return text_prompt_mode(self.tools_in, self._template)

    def chat_template(self) -> str | None:
        return self._template

    def render(self, episode: Episode) -> str:
        """The prompt text for the episode's next turn."""
        tools = tool_schemas(self.edit_format) if self.prompt_mode == "text_template" else None
        kwargs = dict(tools=tools, chat_template=self._template, add_generation_prompt=True, tokenize=False)
        try:
            return self.tokenizer.apply_chat_template(episode.messages, **kwargs)
        except Exception:  # e.g. a template that only knows system/user/assistant
            return self.tokenizer.apply_chat_template(text_messages(episode.messages), **kwargs)

    def encode(self, episode: Episode) -> list[int]:
        # The template already wrote BOS / special tokens: do not add them again.
        return self.tokenizer.encode(self.render(episode), add_special_tokens=False)

    def prompt_tokens(self, episode: Episode) -> int:
        return len(self.encode(episode))

    # ---- generation --------------------------------------------------------------------------
    def act(self, episodes: list[Episode], seed: int) -> list[PolicyOutput]:
        outs: list[PolicyOutput | None] = [None] * len(episodes)
        prompts, params, slots = [], [], []
        for i, ep in enumerate(episodes):
            ids = self.encode(ep)
            room = self.max_model_len - len(ids)
            if room < 1:
                outs[i] = PolicyOutput(
                    error=f"prompt of {len(ids)} tokens does not fit max_model_len "
                    f"{self.max_model_len}; lower agent.max_context_tokens",
                    prompt_tokens=len(ids),
                )
                continue
            prompts.append({"prompt_token_ids": ids})
            kwargs = self.sampling_kwargs(min(self.cfg.max_new_tokens, room), seed + i)
            params.append(self._SamplingParams(**kwargs))
            slots.append(i)
        if prompts:
            start = time.perf_counter()
            results = self.llm.generate(prompts, params, use_tqdm=False, lora_request=self._lora)
            latency = time.perf_counter() - start
            for i, res in zip(slots, results):
                gen = res.outputs[0]
                # vllm already cuts the text right after the stop string; cutting again is a no-op
                outs[i] = PolicyOutput(
                    text=cut_after_stop(gen.text, self.stop_strings),
                    prompt_tokens=len(res.prompt_token_ids or []),
                    completion_tokens=len(gen.token_ids),
                    latency_s=latency,
                )
        return [o for o in outs if o is not None]

    def sampling_kwargs(self, max_tokens: int, seed: int) -> dict[str, Any]:
        """``vllm.SamplingParams`` arguments of one request. Temperature 0 is greedy (vllm then
        ignores top_p/top_k); top_k -1 is "off" in every vllm version (newer ones also take 0). The
        stop string stays in the text (``include_stop_str_in_output``): the turn must parse as a
        closed call, and vllm cuts the text right after it."""
        kwargs: dict[str, Any] = dict(
            temperature=self.sampling.temperature,
            top_p=self.sampling.top_p,
            top_k=self.sampling.top_k or -1,
            max_tokens=max_tokens,
            seed=seed,
        )
        if self.stop_strings:
            kwargs |= dict(stop=list(self.stop_strings), include_stop_str_in_output=True)
        return kwargs

    def close(self) -> None:
        """Let go of the engine; it stays alive for the process's next policy of the same
        configuration (``close_engines`` frees it)."""
        self.__dict__.pop("llm", None)


def close_engines() -> None:
    """Free every cached engine and its GPU memory (best effort: vllm keeps some global state)."""
    _ENGINES.clear()
    import gc

    gc.collect()
    try:
        import torch

        torch.cuda.empty_cache()
    except Exception:
        pass
