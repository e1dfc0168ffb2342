"""A real loopback HTTP server that speaks ``POST /v1/chat/completions`` (OpenAI format).

Tests drive API policies against it over real sockets (no mocked client), so retries, timeouts
and concurrency limits are exercised the way a provider would exercise them.

Usage::

    from fake_openai_server import FakeOpenAIServer, http_error, stall, text_reply, tool_call_reply

    with FakeOpenAIServer() as srv:                 # random port on 127.0.0.1
        srv.script(http_error(429, retry_after=0.05),      # 1st request: rate limited
                   http_error(503),                        # 2nd: server error
                   stall(2.0),                             # 3rd: no answer for 2 s (client timeout)
                   tool_call_reply("read_file", {"path": "a.py"}),   # 4th: a native tool call
                   text_reply("<tool_call>...</tool_call>"))         # 5th: plain text content
        ...point a client at srv.url (the ``.../v1`` base url, any api key)...
        srv.requests        # JSON bodies of every request received, in arrival order
        srv.max_in_flight   # most requests being handled at the same moment
        srv.served          # requests answered so far (any status)

Each request pops the next scripted ``Behaviour``; when the script is empty the ``fallback``
callable (request JSON -> ``Behaviour`` or a response dict) answers. The default fallback is
``ScriptedAgent()``: per conversation (stateless, so any number of concurrent episodes work) it
reads the first editable file, runs the tests and finishes, as native tool calls when the
request carries ``tools`` and as ``<tool_call>`` text otherwise. ``delay_s`` adds latency to
every answer so that concurrent requests overlap. Responses carry ``usage`` (roughly 4
characters a token unless a behaviour sets it). Like a real API the server honours a request's
``stop`` strings: content is cut before the first one (the stop string itself is dropped) with
``finish_reason: "stop"``; ``stop_reason=True`` also reports which one matched (vLLM's
``stop_reason`` field: the string, or null when none did).
"""

from __future__ import annotations

import collections
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "Behaviour",
    "FakeOpenAIServer",
    "ScriptedAgent",
    "completion",
    "http_error",
    "stall",
    "text_reply",
    "tool_call_reply",
]

_ids = itertools.count(1)


@dataclass
class Behaviour:
    """How to answer one request: ``delay_s`` of silence, then ``status`` with ``body``."""

    status: int = 200
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    cut_after: int | None = None  # send only this many bytes of the body, then drop the connection
    raw: bytes | None = None  # a body that is not JSON (sent as is)


def completion(
    content: str | None = None,
    tool_calls: Sequence[tuple[str, Any]] = (),
    *,
    model: str = "fake-model",
    usage: tuple[int, int] | None = None,
    call_ids: Sequence[str] | None = None,
    request: dict | None = None,
) -> dict[str, Any]:
    """A chat.completion body. ``tool_calls``: (name, arguments) with arguments a dict or the raw
    JSON string (pass a broken string to test malformed calls). ``usage``: (prompt, completion)
    tokens; default ~4 characters a token of the request's messages and of the reply."""
    calls = []
    for k, (name, args) in enumerate(tool_calls):
        raw = args if isinstance(args, str) else json.dumps(args)
        cid = call_ids[k] if call_ids else f"call_{next(_ids)}"
        calls.append({"id": cid, "type": "function", "function": {"name": name, "arguments": raw}})
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = calls
    if usage is None:
        sent = len(json.dumps(request.get("messages", []))) if request else 0
        made = len(content or "") + sum(len(c["function"]["arguments"]) for c in calls)
        usage = (max(1, sent // 4), max(1, made // 4))
    return {
        "id": f"chatcmpl-{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": message, "logprobs": None, "finish_reason": "tool_calls" if calls else "stop"}
        ],
        "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": usage[0] + usage[1]},
    }


def text_reply(content: str, *, usage: tuple[int, int] | None = None, delay_s: float = 0.0) -> Behaviour:
    """A reply with plain text content (the text protocol)."""
    return Behaviour(body=completion(content, usage=usage), delay_s=delay_s)


def tool_call_reply(
    name: str,
    arguments: dict | str,
    *,
    content: str | None = None,
    call_id: str | None = None,
    usage: tuple[int, int] | None = None,
    delay_s: float = 0.0,
) -> Behaviour:
    """A reply with one native tool call (``arguments`` as a dict or a raw JSON string)."""
    return Behaviour(
        body=completion(content, [(name, arguments)], usage=usage, call_ids=[call_id] if call_id else None),
        delay_s=delay_s,
    )


def http_error(status: int, *, retry_after: float | None = None, message: str | None = None) -> Behaviour:
    """An error response in the OpenAI error format, optionally with a Retry-After header."""
    headers = {"retry-after": f"{retry_after:g}"} if retry_after is not None else {}
    body = {
        "error": {
            "message": message or f"fake error {status}",
            "type": "fake_error",
            "param": None,
            "code": str(status),
        }
    }
    return Behaviour(status=status, body=body, headers=headers)


def truncated(then: Behaviour | None = None, keep: int = 40) -> Behaviour:
    """Announce the whole body (content-length), send ``keep`` bytes of it, close the connection."""
    then = then or text_reply("(cut)")
    return Behaviour(status=then.status, body=then.body, headers=then.headers, cut_after=keep)


def not_json(text: bytes = b"<html>502 Bad Gateway</html>", status: int = 200) -> Behaviour:
    """A body that is not JSON (a proxy's error page)."""
    return Behaviour(status=status, raw=text)


def stall(seconds: float, then: Behaviour | None = None) -> Behaviour:
    """Say nothing for ``seconds`` (longer than the client timeout to test timeouts), then answer
    ``then`` (default: a text reply nobody will read)."""
    then = then or text_reply("(too late)")
    return Behaviour(status=then.status, body=then.body, headers=then.headers, delay_s=seconds)


class ScriptedAgent:
    """A fallback that plays a fixed sequence of tool calls per conversation.

    The turn index is the number of assistant messages already in the request, so concurrent
    episodes each get the whole sequence. ``calls`` entries are (name, arguments) or a callable
    (request JSON -> (name, arguments)); the default reads the first editable file named in the
    task message, runs the tests and finishes. Past the end it repeats ``finish``.
    """

    def __init__(self, calls: Sequence[tuple[str, dict] | Callable[[dict], tuple[str, dict]]] | None = None):
        self.calls = (
            list(calls)
            if calls is not None
            else [self.read_editable, ("run_tests", {}), ("finish", {"summary": "done"})]
        )

    @staticmethod
    def read_editable(request: dict) -> tuple[str, dict]:
        text = " ".join(str(m.get("content") or "") for m in request.get("messages", []) if m.get("role") == "user")
        found = re.search(r"Editable files: ([^\s,]+)", text)
        return ("read_file", {"path": found.group(1) if found else "."})

    def __call__(self, request: dict) -> Behaviour:
        turn = sum(1 for m in request.get("messages", []) if m.get("role") == "assistant")
        call = self.calls[turn] if turn < len(self.calls) else ("finish", {"summary": "done"})
        name, args = call(request) if callable(call) else call
        if request.get("tools"):
            return Behaviour(body=completion(None, [(name, args)], request=request))
        body = json.dumps({"name": name, "arguments": args})
        return Behaviour(body=completion(f"<tool_call>{body}</tool_call>", request=request))


class FakeOpenAIServer:
    """See the module docstring. Thread-safe; a context manager that starts and stops it."""

    def __init__(
        self,
        fallback: Callable[[dict], Behaviour | dict] | None = None,
        *,
        delay_s: float = 0.0,
        stop_reason: bool = False,
    ):
        self.fallback = fallback or ScriptedAgent()
        self.delay_s = delay_s
        self.stop_reason = stop_reason
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.served = 0
        self._script: collections.deque[Behaviour] = collections.deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- control ---------------------------------------------------------------------------
    def script(self, *behaviours: Behaviour) -> FakeOpenAIServer:
        """Queue behaviours for the next requests (in arrival order)."""
        with self._lock:
            self._script.extend(behaviours)
        return self

    @property
    def pending(self) -> int:
        """Scripted behaviours not used yet."""
        with self._lock:
            return len(self._script)

    @property
    def url(self) -> str:
        """The base url a client takes (``http://127.0.0.1:PORT/v1``)."""
        assert self._httpd is not None, "the server is not running (use it as a context manager)"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> FakeOpenAIServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 (http.server's naming)
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes stalled handlers
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- serving ---------------------------------------------------------------------------
    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            length = int(h.headers.get("content-length") or 0)
            raw = h.rfile.read(length)
            if h.path.rstrip("/") != "/v1/chat/completions":
                return self._send(h, http_error(404, message=f"no route {h.path}"))
            try:
                request = json.loads(raw)
            except json.JSONDecodeError:
                return self._send(h, http_error(400, message="body is not JSON"))
            with self._lock:
                self.requests.append(request)
                self.headers.append({k.lower(): v for k, v in h.headers.items()})
                behaviour = self._script.popleft() if self._script else None
            if behaviour is None:
                answer = self.fallback(request)
                behaviour = answer if isinstance(answer, Behaviour) else Behaviour(body=answer)
            if request.get("stop") and behaviour.body and behaviour.body.get("choices"):
                behaviour = self._apply_stop(behaviour, request["stop"])
            if self._stop.wait(behaviour.delay_s + self.delay_s):
                return
            self._send(h, behaviour)
        finally:
            with self._lock:
                self.in_flight -= 1
                self.served += 1

    def _apply_stop(self, behaviour: Behaviour, stop: str | list[str]) -> Behaviour:
        """The answer as an API that was sent ``stop`` gives it: content cut before the first
        stop string, which is left out."""
        stops = [stop] if isinstance(stop, str) else list(stop)
        body = json.loads(json.dumps(behaviour.body))
        for choice in body["choices"]:
            content = (choice.get("message") or {}).get("content")
            hits = sorted((content.find(s), s) for s in stops if content and s in content)
            if hits:
                choice["message"]["content"] = content[: hits[0][0]]
                choice["finish_reason"] = "stop"
            if self.stop_reason:
                choice["stop_reason"] = hits[0][1] if hits else None
        return Behaviour(
            status=behaviour.status,
            body=body,
            headers=behaviour.headers,
            delay_s=behaviour.delay_s,
            cut_after=behaviour.cut_after,
            raw=behaviour.raw,
        )

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, behaviour: Behaviour) -> None:
        payload = behaviour.raw if behaviour.raw is not None else json.dumps(behaviour.body or {}).encode()
        try:
            h.send_response(behaviour.status)
            h.send_header("content-type", "application/json")
            h.send_header("content-length", str(len(payload)))
            for key, value in behaviour.headers.items():
                h.send_header(key, value)
            h.end_headers()
            if behaviour.cut_after is not None:
                h.wfile.write(payload[: behaviour.cut_after])
                h.wfile.flush()
                h.close_connection = True
                h.connection.shutdown(2)  # socket.SHUT_RDWR: the client sees the body end early
                return
            h.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass
