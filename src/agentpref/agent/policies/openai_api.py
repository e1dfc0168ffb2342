"""A policy behind any OpenAI-compatible chat API (Together, a vLLM server, OpenAI).

Requests of one ``act`` call run concurrently (at most ``backend.max_concurrency`` in flight) on a
private asyncio loop in a background thread, so ``act`` is a plain blocking call from synchronous
code (and from code that already runs a loop) and the HTTP connections are reused across steps.

Retries are our own thin loop, not the client's (the client is built with ``max_retries=0``):
the client's loop has a fixed 0.5 s initial delay, cannot be told ``backend.backoff_s`` and does
not report how many retries it took, which ``stats`` and the tests need. Retried: 408, 409, 429,
5xx, timeouts and connection errors, with exponential backoff from ``backoff_s`` (doubling, some
jitter) or the server's Retry-After when it gives one (capped at ``MAX_RETRY_AFTER_S``). Anything
else (400, 401, 403, 404, 422), or running out of retries, ends only that episode with a one-line
``PolicyOutput.error``; ``act`` never raises for a single request.

Two protocols:

* ``native`` (``backend.native_tools``): the tools go in ``tools=``; the model's tool calls come
  back as ``NativeCall``s. The native conversation is rebuilt every step from the episode's steps
  plus each turn's assistant message as the API returned it (kept in ``episode.policy_state``):
  a parsed call is answered by a ``tool`` message with its ``tool_call_id``; a turn that is a
  protocol error answers every tool call it made with the error (the API requires a reply to each
  call id), or, with no call, continues with the error as a user message.
* ``text``: the episode's text transcript is sent as is, except that role ``tool`` messages become
  user messages ``<tool_response>\\n...\\n</tool_response>`` (the Hermes/Qwen convention that the
  text protocol's ``<tool_call>`` comes from): a plain chat API rejects a ``tool`` message without
  a ``tool_call_id``, and the wrapping keeps the result apart from instructions. With
  ``backend.stop_at_tool_call`` the request carries ``stop=["</tool_call>"]`` (a turn is one
  call); APIs drop the stop string from the text, so ``restore_stop`` puts it back.

``top_k`` is not an OpenAI parameter; when it is set (> 0) it goes in the request body as an extra
field, which OpenAI-compatible servers (vLLM, Together, ...) read.
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
import time
from typing import Any

from agentpref.agent.config import OpenAIBackend, SamplingConfig
from agentpref.agent.episode import Episode, NativeCall, PolicyOutput
from agentpref.agent.policies.base import Policy, estimate_tokens
from agentpref.agent.protocol import TOOL_CALL_CLOSE, TOOL_CALL_OPEN, tool_schemas
from agentpref.errors import ConfigError
from agentpref.models import ModelConfig

MAX_RETRY_AFTER_S = 60.0  # honour a server's Retry-After up to this long
MAX_BACKOFF_S = 60.0
RETRYABLE_STATUS = {408, 409, 429}

_STATE_KEY = "openai_turns"  # policy_state: step index -> the assistant message as returned
_USAGE_KEY = "openai_usage"  # policy_state: (messages in the transcript, tokens) of the last turn


def text_messages(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text transcript for a plain chat API: ``tool`` results become wrapped user messages."""
    out = []
    for m in messages:
        if m["role"] == "tool":
            out.append({"role": "user", "content": f"<tool_response>\n{m['content']}\n</tool_response>"})
        else:
            out.append({"role": m["role"], "content": m["content"]})
    return out


def restore_stop(text: str, finish_reason: str | None, extra: dict[str, Any], stops: tuple[str, ...]) -> str:
    """Put the stop string back that the API cut from the turn (``stop=`` strips it from the text).

    ``finish_reason == "stop"`` also means the model's own end of turn, so: when the server says
    which stop matched (vLLM's ``stop_reason``: the string, or null / a token id for eos) that
    decides; otherwise the text must hold a ``<tool_call>`` that was never closed.
    """
    if not stops or finish_reason != "stop":
        return text
    if "stop_reason" in extra:
        reason = extra["stop_reason"]
        return text + reason if isinstance(reason, str) and reason in stops else text
    if TOOL_CALL_CLOSE in stops and text.rfind(TOOL_CALL_OPEN) > text.rfind(TOOL_CALL_CLOSE):
        return text + TOOL_CALL_CLOSE
    return text


def _one_line(text: Any, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


class OpenAIPolicy(Policy):
    backend = "openai"

    def __init__(self, model: ModelConfig, backend: OpenAIBackend, sampling: SamplingConfig):
        super().__init__(model, sampling, backend.batch_size, backend.max_new_tokens)
        self.cfg = backend
        self.protocol = "native" if backend.native_tools else "text"
        # text protocol: the turn ends at </tool_call> (native calls end on their own)
        self.stop_strings = (TOOL_CALL_CLOSE,) if backend.stop_at_tool_call and self.protocol == "text" else ()
        self.model_name = model.api_id or model.hub_id
        if not self.model_name:
            raise ConfigError(
                f"model {model.name!r} has neither api_id nor hub_id: set model.api_id to the model name the API serves"
            )
        self.api_key = os.environ.get(backend.api_key_env)
        if not self.api_key:
            raise ConfigError(
                f"${backend.api_key_env} is not set: export the API key (backend.api_key_env); "
                "for a local server without auth any value works, e.g. EMPTY"
            )
        self.base_url = backend.base_url or os.environ.get(backend.base_url_env) or None
        self.stats: dict[str, int] = {
            "requests": 0,
            "attempts": 0,
            "retries": 0,
            "errors": 0,
            "rate_limited": 0,
            "server_errors": 0,
            "timeouts": 0,
            "connection_errors": 0,
            "prompt_tokens": 0,
            "completion_tokens": 0,
        }
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: Any = None

    # ---- event loop and client ---------------------------------------------------------------
    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="openai-policy", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
        return self._loop

    def _run(self, coro) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._ensure_loop()).result()

    def _get_client(self):
        if self._client is None:
            from openai import AsyncOpenAI

            self._client = AsyncOpenAI(
                api_key=self.api_key, base_url=self.base_url, timeout=self.cfg.timeout_s, max_retries=0
            )
        return self._client

    def close(self) -> None:
        if self._loop is None:
            return
        if self._client is not None:
            client, self._client = self._client, None
            try:
                self._run(client.close())
            except Exception:  # closing is best effort
                pass
        loop, self._loop = self._loop, None
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        loop.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # ---- messages ----------------------------------------------------------------------------
    def native_messages(self, episode: Episode) -> list[dict[str, Any]]:
        """The native conversation: system, task, then per step the assistant turn as returned
        and its answer (tool messages keyed by call id, or a user message)."""
        turns: dict[int, dict] = episode.policy_state.get(_STATE_KEY, {})
        msgs: list[dict[str, Any]] = [dict(m) for m in episode.messages[:2]]
        for step in episode.steps:
            turn = turns.get(step.index)
            if turn is None:  # a step this policy did not generate: fall back to its text form
                msgs.append({"role": "assistant", "content": step.raw_text})
                msgs.append({"role": "user", "content": step.observation})
                continue
            msgs.append(turn)
            call_ids = [c["id"] for c in turn.get("tool_calls") or []]
            if step.action is not None and step.action.call_id in call_ids:
                msgs.append({"role": "tool", "tool_call_id": step.action.call_id, "content": step.observation})
            elif call_ids:
                for k, cid in enumerate(call_ids):
                    content = step.observation if k == 0 else "Not executed: see the error above."
                    msgs.append({"role": "tool", "tool_call_id": cid, "content": content})
            else:
                msgs.append({"role": "user", "content": step.observation})
        return msgs

    def request_messages(self, episode: Episode) -> list[dict[str, Any]]:
        if self.protocol == "native":
            return self.native_messages(episode)
        return text_messages(episode.messages)

    def prompt_tokens(self, episode: Episode) -> int:
        """The last turn's reported tokens plus an estimate of what came after; else the base estimate."""
        last = episode.policy_state.get(_USAGE_KEY)
        if not last:
            return super().prompt_tokens(episode)
        n_messages, tokens = last
        new = episode.messages[n_messages + 1 :]  # +1: the assistant turn is in the completion tokens
        return tokens + estimate_tokens(new)

    # ---- generation --------------------------------------------------------------------------
    def act(self, episodes: list[Episode], seed: int) -> list[PolicyOutput]:
        if not episodes:
            return []
        jobs = [(self.request_messages(ep), seed + i) for i, ep in enumerate(episodes)]
        outs: list[tuple[PolicyOutput, dict | None]] = self._run(self._act_all(jobs))
        for ep, (out, message) in zip(episodes, outs):
            if message is not None:
                ep.policy_state.setdefault(_STATE_KEY, {})[len(ep.steps)] = message
                ep.policy_state[_USAGE_KEY] = (len(ep.messages), out.prompt_tokens + out.completion_tokens)
        return [out for out, _ in outs]

    async def _act_all(self, jobs: list[tuple[list[dict], int]]) -> list[tuple[PolicyOutput, dict | None]]:
        sem = asyncio.Semaphore(self.cfg.max_concurrency)
        results = await asyncio.gather(*(self._one(messages, s, sem) for messages, s in jobs), return_exceptions=True)
        outs = []
        for res in results:  # anything unexpected still ends only its own episode
            if isinstance(res, BaseException):
                self.stats["errors"] += 1
                res = (PolicyOutput(error=f"{self._where()}: unexpected {type(res).__name__}: {_one_line(res)}"), None)
            outs.append(res)
        return outs

    def _request_kwargs(self, messages: list[dict], seed: int) -> dict[str, Any]:
        kwargs: dict[str, Any] = dict(
            model=self.model_name,
            messages=messages,
            temperature=self.sampling.temperature,
            top_p=self.sampling.top_p,
            max_tokens=self.cfg.max_new_tokens,
            seed=seed,
        )
        if self.protocol == "native":
            kwargs["tools"] = tool_schemas(self.edit_format)
        if self.stop_strings:
            kwargs["stop"] = list(self.stop_strings)
        if self.sampling.top_k > 0:  # not an OpenAI parameter: vLLM, Together, ... read it from the body
            kwargs["extra_body"] = {"top_k": self.sampling.top_k}
        return kwargs

    async def _one(self, messages: list[dict], seed: int, sem: asyncio.Semaphore) -> tuple[PolicyOutput, dict | None]:
        import openai

        client = self._get_client()
        kwargs = self._request_kwargs(messages, seed)
        self.stats["requests"] += 1
        start = time.perf_counter()
        attempt = 0
        while True:
            self.stats["attempts"] += 1
            delay_hint: float | None = None
            try:
                async with sem:
                    response = await client.chat.completions.create(**kwargs)
                return self._output(response, time.perf_counter() - start)
            except openai.APITimeoutError:
                self.stats["timeouts"] += 1
                cause = f"no answer within {self.cfg.timeout_s:g} s (backend.timeout_s)"
            except openai.APIConnectionError as exc:
                self.stats["connection_errors"] += 1
                cause = f"cannot connect ({_one_line(exc.__cause__ or exc, 120)})"
            except openai.APIStatusError as exc:
                status = exc.status_code
                if status == 429:
                    self.stats["rate_limited"] += 1
                elif status >= 500:
                    self.stats["server_errors"] += 1
                if status not in RETRYABLE_STATUS and status < 500:
                    self.stats["errors"] += 1
                    return PolicyOutput(error=self._fatal_message(exc), latency_s=time.perf_counter() - start), None
                cause = f"HTTP {status} ({_one_line(exc.message, 160)})"
                delay_hint = _retry_after(exc.response.headers)
            except openai.OpenAIError as exc:  # e.g. a response that does not parse
                self.stats["errors"] += 1
                return PolicyOutput(
                    error=f"{self._where()}: {type(exc).__name__}: {_one_line(exc)}",
                    latency_s=time.perf_counter() - start,
                ), None
            if attempt >= self.cfg.max_retries:
                self.stats["errors"] += 1
                msg = (
                    f"{self._where()}: gave up after {attempt} retries: {cause}; check the server "
                    "and rate limits, or raise backend.max_retries / backend.backoff_s"
                )
                return PolicyOutput(error=msg, latency_s=time.perf_counter() - start), None
            self.stats["retries"] += 1
            await asyncio.sleep(self._backoff(attempt, delay_hint))
            attempt += 1

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None and retry_after >= 0:
            return min(retry_after, MAX_RETRY_AFTER_S)
        delay = min(self.cfg.backoff_s * 2**attempt, MAX_BACKOFF_S)
        return delay * (1 - 0.25 * random.random())  # jitter: spread out synchronised retries

    def _where(self) -> str:
        return f"{self.model_name} at {self.base_url or 'the default OpenAI endpoint'}"

    def _fatal_message(self, exc) -> str:
        status, detail = exc.status_code, _one_line(exc.message, 200)
        fix = {
            401: f"check the key in ${self.cfg.api_key_env}",
            403: f"the key in ${self.cfg.api_key_env} may not access this model",
            404: "check model.api_id (the name the server serves) and backend.base_url",
            400: "check the request: context length, max_new_tokens, or set backend.native_tools=false "
            "if the server has no tool calling",
            422: "check the request: context length, max_new_tokens, or backend.native_tools",
        }.get(status, "see the server's message")
        return f"{self._where()}: HTTP {status} ({detail}); not retried: {fix}"

    def _output(self, response, latency: float) -> tuple[PolicyOutput, dict | None]:
        usage = getattr(response, "usage", None)
        prompt_t = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_t = int(getattr(usage, "completion_tokens", 0) or 0)
        self.stats["prompt_tokens"] += prompt_t
        self.stats["completion_tokens"] += completion_t
        if not response.choices:
            self.stats["errors"] += 1
            return PolicyOutput(
                error=f"{self._where()}: the response has no choices; check the server",
                latency_s=latency,
                prompt_tokens=prompt_t,
                completion_tokens=completion_t,
            ), None
        choice = response.choices[0]
        msg = choice.message
        content = msg.content or ""
        if self.stop_strings:
            content = restore_stop(content, choice.finish_reason, choice.model_extra or {}, self.stop_strings)
        base = dict(text=content, prompt_tokens=prompt_t, completion_tokens=completion_t, latency_s=latency)
        if self.protocol == "text":
            return PolicyOutput(**base), {"role": "assistant", "content": content}
        calls, wire = [], []
        for k, tc in enumerate(msg.tool_calls or []):
            fn = getattr(tc, "function", None)
            if fn is None:  # a non-function tool call type: nothing we can run
                continue
            cid = tc.id or f"call_{k}_{random.getrandbits(32):08x}"
            calls.append(NativeCall(name=fn.name, arguments=fn.arguments or "", call_id=cid))
            wire.append({"id": cid, "type": "function", "function": {"name": fn.name, "arguments": fn.arguments or ""}})
        message: dict[str, Any] = {"role": "assistant", "content": content or (None if wire else "")}
        if wire:
            message["tool_calls"] = wire
        return PolicyOutput(native_calls=calls, **base), message


def _retry_after(headers) -> float | None:
    """Seconds from retry-after-ms / retry-after (numbers only; dates are rare for chat APIs)."""
    for name, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        value = headers.get(name) if headers is not None else None
        if value is None:
            continue
        try:
            return float(value) * scale
        except ValueError:
            continue
    return None
