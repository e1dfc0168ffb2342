"""The llama.cpp backend against a loopback server that speaks llama-server's ``/completion``:
token-id prompts identical to the hf policy's, a slot kept per episode (its prompts extend each
other, so the server's cache serves them), the stop string put back, both schedulers, and
one-line errors for a failing server or a missing binary / converter."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agentpref.agent.config import LlamaCppBackend, SamplingConfig
from agentpref.agent.generation import run_generation
from agentpref.agent.record import read_rollouts
from agentpref.errors import ConfigError

TOOL_CALL = '<tool_call>{{"name": "{name}", "arguments": {args}}}'


class FakeLlamaServer:
    """Answers each ``/completion`` like a tiny scripted agent: read the editable file, run the
    tests, finish (the turn index is the number of assistant turns already in the prompt); the
    stop string is cut from ``content`` and reported in ``stopping_word``, as llama-server does."""

    def __init__(self, tokenizer, status: int = 200):
        self.tokenizer, self.status = tokenizer, status
        self.requests: list[dict] = []
        self.in_flight = self.max_in_flight = 0
        self._lock = threading.Lock()
        self._slots: dict[int, list[int]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"status": "ok"}')

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    server.requests.append(body)
                reply = server.answer(body)
                with server._lock:
                    server.in_flight -= 1
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(reply).encode())

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def answer(self, body: dict) -> dict:
        import time

        time.sleep(0.02)  # concurrent requests overlap
        prompt = body["prompt"]
        text = self.tokenizer.decode(prompt)
        turn = text.count("<|im_start|>assistant") - 1
        if turn == 0:
            path = re.search(r"Editable files: (\S+)", text).group(1)
            content = TOOL_CALL.format(name="read_file", args=json.dumps({"path": path}))
        elif turn == 1:
            content = TOOL_CALL.format(name="run_tests", args="{}")
        else:
            content = TOOL_CALL.format(name="finish", args=json.dumps({"summary": "done"}))
        with self._lock:
            old = self._slots.get(body["id_slot"], [])
            cached = next((i for i, (a, b) in enumerate(zip(old, prompt)) if a != b), min(len(old), len(prompt)))
            self._slots[body["id_slot"]] = prompt
        return {
            "content": content,
            "stop_type": "word",
            "stopping_word": "</tool_call>",
            "timings": {"cache_n": cached, "prompt_n": len(prompt) - cached, "predicted_n": 12},
        }

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def tokenizer(repo):
    from omegaconf import OmegaConf
    from transformers import AutoTokenizer

    from agentpref.models import ModelConfig, resolve_checkpoint

    model = ModelConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/model/tiny_random.yaml")))
    return AutoTokenizer.from_pretrained(resolve_checkpoint(model, repo / "data/cache/models"))


def _run(generate_config, url: str, scheduler: str, tmp_path):
    cfg = generate_config(
        "model=tiny_random",
        "backend=llamacpp",
        "backend.server=null",
        f"backend.base_url={url}",
        f"backend.scheduler={scheduler}",
        "backend.batch_size=2",
        "tasks.limit=3",
        "agent.max_steps=5",
        "decoding=greedy",
        run_dir=tmp_path / scheduler,
    )
    return cfg, run_generation(cfg)


@pytest.mark.parametrize("scheduler", ["continuous", "lockstep"])
def test_episodes_run_through_the_server(generate_config, tokenizer, scheduler, tmp_path):
    with FakeLlamaServer(tokenizer) as srv:
        cfg, summary = _run(generate_config, srv.url, scheduler, tmp_path)
    records = read_rollouts(tmp_path / scheduler / "rollouts.jsonl")
    assert summary.episodes == 3 and summary.protocol_error_rate == 0.0  # the stop string came back
    assert all([s.action.name for s in r.steps] == ["read_file", "run_tests", "finish"] for r in records)
    assert all(r.end_reason == "finished" and r.policy.backend == "llamacpp" for r in records)
    assert srv.max_in_flight <= 2 and {b["id_slot"] for b in srv.requests} <= {0, 1}
    # each episode keeps its slot: the slot's next prompt extends the last one (prefix reuse)
    by_slot: dict[int, list[list[int]]] = {}
    for body in srv.requests:
        by_slot.setdefault(body["id_slot"], []).append(body["prompt"])
    extends = [b[: len(a)] == a for prompts in by_slot.values() for a, b in zip(prompts, prompts[1:])]
    assert extends.count(True) >= 6  # 2 follow-up turns per episode
    assert summary.profile["reused_tokens"] > 0 and summary.profile["requests"] == 9
    assert all(b["temperature"] == 0.0 and b["stop"] == ["</tool_call>"] for b in srv.requests)


def test_prompts_are_the_hf_policys_token_ids(generate_config, tokenizer, tmp_path, repo):
    """Same rendering as the hf backend, token for token, at every turn of a recorded episode."""
    from agentpref.agent.prompts import render_prompt_ids

    with FakeLlamaServer(tokenizer) as srv:
        _run(generate_config, srv.url, "lockstep", tmp_path)
    record = read_rollouts(tmp_path / "lockstep" / "rollouts.jsonl")[0]
    turns = [i for i, m in enumerate(record.messages) if m["role"] == "assistant"]
    expected = [render_prompt_ids(tokenizer, record.messages[:i], None) for i in turns]
    assert expected[0] in [b["prompt"] for b in srv.requests]
    assert all(p in [b["prompt"] for b in srv.requests] for p in expected)


def test_a_failing_server_ends_episodes_with_a_policy_error(generate_config, tokenizer, tmp_path):
    with FakeLlamaServer(tokenizer, status=500) as srv:
        _, summary = _run(generate_config, srv.url, "continuous", tmp_path)
    assert summary.episodes == 0 and summary.failed_episodes == 3
    assert all("llamacpp" in f and "\n" not in f for f in summary.failures)


def test_missing_server_binary_or_converter_is_a_config_error(tokenizer, tmp_path):
    from agentpref.agent.policies.llamacpp import LlamaCppPolicy, convert_to_gguf
    from agentpref.models import ModelConfig

    model = ModelConfig(name="tiny", hub_id=tokenizer.name_or_path)
    with pytest.raises(ConfigError, match="convert_script=None does not exist: run `make llama-server`"):
        convert_to_gguf(model, LlamaCppBackend(server="/bin/true", convert_script=None))
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    with pytest.raises(ConfigError, match="server=.*nope does not exist: run `make llama-server`"):
        LlamaCppPolicy(model, LlamaCppBackend(server=str(tmp_path / "nope"), gguf=str(gguf)), SamplingConfig())
