"""The policy interface: one call advances every active episode by one turn (lock-step).

A policy returns one ``PolicyOutput`` per episode it was given, in order. It never raises for a
single bad generation; infrastructure failures (an API that keeps failing) come back as
``PolicyOutput(error=...)`` and end that episode with ``policy_error`` (not recorded as finished,
so a resumed run tries it again).
"""

from __future__ import annotations

import functools
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Literal

from agentpref.agent.config import SamplingConfig
from agentpref.agent.episode import Episode, PolicyOutput, PromptMode
from agentpref.agent.prompts import render_prompt_ids, text_prompt_mode
from agentpref.agent.protocol import tool_schemas
from agentpref.agent.record import PolicyInfo
from agentpref.models import ModelConfig


def estimate_tokens(messages: list[dict[str, Any]], extra_chars: int = 0) -> int:
    """~3.5 characters a token plus a few tokens of chat framing per message (no tokenizer)."""
    chars = sum(len(m["content"] or "") for m in messages) + extra_chars
    return int(chars / 3.5) + 8 * len(messages)


def cut_after_stop(text: str, stops: Sequence[str]) -> str:
    """``text`` up to and including the earliest-ending stop string (unchanged without one): a
    stop that ends inside a token leaves the rest of that token's text out of the turn."""
    ends = [i + len(s) for s in stops if s and (i := text.find(s)) >= 0]
    return text[: min(ends)] if ends else text


class Policy(ABC):
    backend: str = "?"
    privileged: bool = False
    protocol: Literal["text", "native"] = "text"
    edit_format: str = "json"  # agent.edit_format: which edit tool schema the model is shown
    stop_strings: tuple[str, ...] = ()  # generation ends right after one (backend.stop_at_tool_call)

    def __init__(self, model: ModelConfig, sampling: SamplingConfig, batch_size: int, max_new_tokens: int = 0):
        self.model, self.sampling = model, sampling
        self.batch_size, self.max_new_tokens = batch_size, max_new_tokens

    # ---- what the run logs --------------------------------------------------------------------
    @property
    def prompt_mode(self) -> PromptMode:
        """How the system prompt is built for this policy (see episode.system_message)."""
        return "native" if self.protocol == "native" else "text_prompt"

    def chat_template(self) -> str | None:
        """The chat template used to render prompts (logged with the run), if any."""
        return None

    def info(self) -> PolicyInfo:
        sampling: dict[str, Any] = self.sampling.model_dump() | {
            "greedy": self.sampling.greedy,
            "max_new_tokens": self.max_new_tokens,
            "stop_at_tool_call": bool(self.stop_strings),
        }
        return PolicyInfo(
            backend=self.backend,
            model=self.model.api_id or self.model.hub_id or self.model.name,
            adapter=self.model.adapter,
            privileged=self.privileged,
            protocol=self.protocol,
            sampling=sampling,
        )

    # ---- generation -----------------------------------------------------------------------------
    @abstractmethod
    def act(self, episodes: list[Episode], seed: int) -> list[PolicyOutput]:
        """One turn for each episode (at most ``batch_size``), in order. ``seed`` varies per step."""

    def prompt_tokens(self, episode: Episode) -> int:
        """Tokens of the episode's next prompt; an estimate (~3.5 chars/token, tool schemas
        included for native calling) unless overridden. Budgets rely on it not undercounting much."""
        extra = len(json.dumps(tool_schemas(self.edit_format))) if self.protocol == "native" else 0
        return estimate_tokens(episode.messages, extra)

    def forget(self, episode: Episode) -> None:
        """Release per-episode state (e.g. a KV cache) once the episode is over."""
        episode.policy_state.clear()

    def profile(self) -> dict[str, Any]:
        """Where this policy's generation time went (counters for the run summary); none by default."""
        return {}

    def close(self) -> None:  # noqa: B027 - a no-op by default: not every policy holds resources
        """Release the model / client."""


class TokenizerPrompts:
    """For policies that render prompts with the model's own tokenizer and chat template (hf,
    llamacpp), so both send the same token ids. Needs ``tokenizer``, ``tools_in`` and
    ``edit_format``; the last rendering is kept per episode (a turn renders its prompt twice:
    budget check, then generation)."""

    tokenizer: Any
    tools_in: str
    edit_format: str
    _RENDER = "rendered_prompt"  # policy_state key: (messages fingerprint, token ids)

    @functools.cached_property
    def prompt_mode(self) -> PromptMode:  # once: it keys every render, and parses the template
        return text_prompt_mode(self.tools_in, self.chat_template())

    def chat_template(self) -> str | None:
        tpl = self.tokenizer.chat_template
        return tpl if isinstance(tpl, str) or tpl is None else tpl.get("default")

    def _template_kwargs(self) -> dict[str, Any]:
        return {"tools": tool_schemas(self.edit_format)} if self.prompt_mode == "text_template" else {}

    def _render_ids(self, episode: Episode) -> list[int]:
        msgs = episode.messages
        # str hashes are cached by CPython, so fingerprinting the whole transcript is cheap
        key = (hash(tuple((m["role"], m["content"]) for m in msgs)), self.prompt_mode)
        cached = episode.policy_state.get(self._RENDER)
        if cached is not None and cached[0] == key:
            return cached[1]
        ids = render_prompt_ids(self.tokenizer, msgs, self._template_kwargs().get("tools"))
        episode.policy_state[self._RENDER] = (key, ids)
        return ids

    def prompt_tokens(self, episode: Episode) -> int:
        return len(self._render_ids(episode))
