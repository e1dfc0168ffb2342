"""A local model served by llama.cpp's ``llama-server`` (parallel slots, continuous batching and
a KV cache per slot built in), prompted with the same token ids as the hf policy.

Prompts are rendered with the model's own tokenizer and chat template (as the hf policy does) and
sent as token ids to the server's ``/completion`` endpoint, so both backends see identical
prompts; the only differences are the engine's numerics (a GGUF's weights, an f16 KV cache).
Each episode keeps one slot (``id_slot``) while it runs, so its next turn re-encodes only the
new tokens (``cache_prompt``); ``backend.batch_size`` episodes run at once, one per slot.

With ``backend.server`` set, the policy starts ``llama-server`` on a free local port with
``backend.batch_size`` slots of ``agent.max_context_tokens`` each, and stops it at ``close``. The
GGUF is ``backend.gguf``, or the model with its adapter merged, converted once by llama.cpp's
``convert_hf_to_gguf.py`` (``backend.convert_script``) and cached under
``<cache_dir>/llamacpp/`` by the fingerprints of the base and adapter weights and the type.
``make llama-server`` builds both where the defaults point.

``scheduler=continuous`` sends a turn as soon as its episode is ready and hands back each
completion as it arrives (the server batches whatever is in flight); ``lockstep`` sends a round
and waits for all of it.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from agentpref.agent.config import LlamaCppBackend, SamplingConfig
from agentpref.agent.episode import Episode, PolicyOutput
from agentpref.agent.policies.base import Policy, TokenizerPrompts
from agentpref.agent.protocol import TOOL_CALL_CLOSE
from agentpref.errors import ConfigError
from agentpref.models import (
    ModelConfig,
    load_causal_lm,
    load_tokenizer,
    resolve_checkpoint,
    weights_fingerprint,
)

_SLOT = "llamacpp_slot"  # policy_state: the server slot an episode holds while it runs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def convert_to_gguf(model: ModelConfig, backend: LlamaCppBackend) -> Path:
    """The model (adapter merged) as a GGUF of ``backend.outtype``, converted once and cached."""
    if not backend.convert_script or not Path(backend.convert_script).is_file():
        raise ConfigError(
            f"backend.convert_script={backend.convert_script} does not exist: run `make "
            "llama-server`, set it to llama.cpp's convert_hf_to_gguf.py, or set backend.gguf"
        )
    base = resolve_checkpoint(model, backend.cache_dir)
    parts = [weights_fingerprint(base), weights_fingerprint(model.adapter), backend.outtype]
    key = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    out = Path(backend.cache_dir) / "llamacpp" / f"{model.name}-{key}-{backend.outtype}.gguf"
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    merged = out.with_suffix(".hf")
    lm, tok = load_causal_lm(model, device="cpu", cache_dir=backend.cache_dir)
    if model.adapter:
        lm = lm.merge_and_unload()
    lm.save_pretrained(str(merged))
    tok.save_pretrained(str(merged))
    del lm
    script = Path(backend.convert_script).resolve()
    env = os.environ | {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(script.parent / "gguf-py"), os.environ.get("PYTHONPATH")]))
    }
    tmp = out.with_suffix(".tmp")
    proc = subprocess.run(
        [sys.executable, str(script), str(merged), "--outtype", backend.outtype, "--outfile", str(tmp)],
        env=env,
        capture_output=True,
        text=True,
    )
    shutil.rmtree(merged, ignore_errors=True)  # the GGUF holds it all
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ConfigError(f"{script.name} failed on {merged}: {last}")
    tmp.rename(out)
    print(f"[agentpref] llamacpp: converted {model.name} to {out}", file=sys.stderr, flush=True)
    return out


class LlamaCppPolicy(TokenizerPrompts, Policy):
    backend = "llamacpp"

    def __init__(
        self,
        model: ModelConfig,
        backend: LlamaCppBackend,
        sampling: SamplingConfig,
        tools_in: str = "auto",
        max_context_tokens: int = 4096,
    ):
        super().__init__(model, sampling, backend.batch_size, backend.max_new_tokens)
        self.cfg = backend
        self.stop_strings = (TOOL_CALL_CLOSE,) if backend.stop_at_tool_call else ()
        self.tools_in = tools_in
        self.tokenizer = load_tokenizer(model, resolve_checkpoint(model, backend.cache_dir))  # as hf loads it
        self._proc: subprocess.Popen | None = None
        self.base_url = backend.base_url.rstrip("/")
        if backend.server:
            if not Path(backend.server).is_file():
                raise ConfigError(
                    f"backend.server={backend.server} does not exist: run `make llama-server`, give "
                    "the path of a built llama-server, or set server=null and base_url of a running one"
                )
            gguf = Path(backend.gguf) if backend.gguf else convert_to_gguf(model, backend)
            self._start(gguf, max_context_tokens)
        self._pool = cf.ThreadPoolExecutor(max_workers=backend.batch_size, thread_name_prefix="llamacpp")
        self._open: dict[cf.Future, Episode] = {}
        self._free = list(range(backend.batch_size))
        self._slot_lock = threading.Lock()  # episodes are forgotten on the grading threads
        self.stats: dict[str, int | float] = {
            "requests": 0,
            "prompt_tokens": 0,
            "reused_tokens": 0,
            "computed_tokens": 0,
            "completion_tokens": 0,
            "generate_s": 0.0,
        }

    # ---- the server ---------------------------------------------------------------------------
    def _start(self, gguf: Path, max_context_tokens: int) -> None:
        port = _free_port()
        slots = self.cfg.batch_size
        cmd = [
            self.cfg.server,
            "-m",
            str(gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--parallel",
            str(slots),
            "-c",
            str(slots * max_context_tokens),
            "--threads",
            str(self.cfg.threads),
            "--threads-batch",
            str(self.cfg.threads),
            "--no-webui",
            "-fa",
            "on",
            "--no-kv-unified",
            "--cache-ram",
            "0",
            "--log-disable",
        ]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.cfg.startup_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = (self._proc.stderr.read() or "").strip().splitlines()
                raise ConfigError(f"llama-server exited ({self._proc.returncode}): {(err or ['?'])[-1]}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        self.close()
        raise ConfigError(f"llama-server did not come up within {self.cfg.startup_s:.0f} s: raise backend.startup_s")

    def close(self) -> None:
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None

    def __del__(self):  # a run that dies without close() must not leave the server running
        try:
            self.close()
        except Exception:
            pass

    # ---- requests -----------------------------------------------------------------------------
    def _body(self, prompt: list[int], slot: int, seed: int) -> dict[str, Any]:
        s = self.sampling
        body = {
            "prompt": prompt,
            "n_predict": self.max_new_tokens,
            "id_slot": slot,
            "cache_prompt": True,
            "stop": list(self.stop_strings),
            "seed": seed % (2**31),
            "return_tokens": True,
        }
        if s.greedy:
            return body | {"temperature": 0.0, "top_k": 1}
        return body | {"temperature": s.temperature, "top_p": s.top_p, "top_k": s.top_k, "min_p": 0.0}

    def _request(self, prompt: list[int], slot: int, seed: int) -> PolicyOutput:
        t0 = time.perf_counter()
        data = json.dumps(self._body(prompt, slot, seed)).encode()
        req = urllib.request.Request(
            f"{self.base_url}/completion", data=data, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.cfg.timeout_s) as r:
                res = json.loads(r.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError) as exc:
            return PolicyOutput(error=f"llamacpp {self.base_url}: {type(exc).__name__}: {str(exc)[:200]}")
        text = res.get("content", "")
        if res.get("stop_type") == "word":  # the server cuts the stop string from the text
            text += res.get("stopping_word", "")
        timings = res.get("timings") or {}
        cached = int(timings.get("cache_n", res.get("tokens_cached", 0)) or 0)
        completion = int(timings.get("predicted_n", len(res.get("tokens") or [])))
        self.stats["requests"] += 1
        self.stats["prompt_tokens"] += len(prompt)
        self.stats["reused_tokens"] += cached
        self.stats["computed_tokens"] += len(prompt) - cached
        self.stats["completion_tokens"] += completion
        return PolicyOutput(
            text=text, prompt_tokens=len(prompt), completion_tokens=completion, latency_s=time.perf_counter() - t0
        )

    def _submit(self, episode: Episode, seed: int) -> cf.Future:
        slot = episode.policy_state.get(_SLOT)
        if slot is None:
            with self._slot_lock:
                if not self._free:
                    raise RuntimeError(f"no free slot among {self.cfg.batch_size}: at most batch_size episodes run")
                slot = episode.policy_state[_SLOT] = self._free.pop(0)
        return self._pool.submit(self._request, self._render_ids(episode), slot, seed)

    def act(self, episodes: list[Episode], seed: int) -> list[PolicyOutput]:
        t0 = time.perf_counter()
        futures = [self._submit(ep, seed + i) for i, ep in enumerate(episodes)]
        outs = [f.result() for f in futures]
        self.stats["generate_s"] += time.perf_counter() - t0
        return outs

    # the continuous scheduler's interface (agent/generation.py): one "step" = the next completion
    def stream_rows(self) -> int:
        return len(self._open)

    def open_turn(self, episode: Episode, seed: int) -> None:
        self._open[self._submit(episode, seed)] = episode

    def stream_step(self) -> list[tuple[Episode, PolicyOutput]]:
        t0 = time.perf_counter()
        done, _ = cf.wait(list(self._open), return_when=cf.FIRST_COMPLETED)
        self.stats["generate_s"] += time.perf_counter() - t0
        return [(self._open.pop(f), f.result()) for f in done]

    def stream_shrink(self, slots: int) -> None:
        """Nothing to do: the server's idle slots cost nothing."""

    def forget(self, episode: Episode) -> None:
        slot = episode.policy_state.get(_SLOT)
        if slot is not None:
            with self._slot_lock:
                self._free.append(slot)
        super().forget(episode)

    def profile(self) -> dict[str, Any]:
        s = self.stats
        secs = s["generate_s"]
        return s | {
            "generate_s": round(secs, 2),
            "prefill_tokens": s["computed_tokens"],
            "decode_tokens_per_s": round(s["completion_tokens"] / secs, 1) if secs else 0.0,
        }
