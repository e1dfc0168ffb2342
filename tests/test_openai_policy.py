"""OpenAIPolicy against a real loopback HTTP server: protocols, retries, errors, concurrency."""

from __future__ import annotations

import time

import pytest
from fake_openai_server import (
    Behaviour,
    FakeOpenAIServer,
    completion,
    http_error,
    not_json,
    stall,
    text_reply,
    tool_call_reply,
    truncated,
)
from omegaconf import OmegaConf

from agentpref.agent.config import AgentConfig, OpenAIBackend, SamplingConfig
from agentpref.agent.episode import Episode
from agentpref.agent.policies.openai_api import OpenAIPolicy
from agentpref.agent.tools import Workspace
from agentpref.errors import ConfigError
from agentpref.models import ModelConfig


@pytest.fixture(scope="module")
def agent(repo) -> AgentConfig:
    return AgentConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/agent/default.yaml")))


@pytest.fixture(scope="module")
def task():
    from agentpref.tasks.config import BuiltinTasks
    from agentpref.tasks.registry import load_task_set

    return load_task_set(BuiltinTasks(limit=1)).tasks[0]


@pytest.fixture
def server():
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
def make_policy(monkeypatch):
    """Policies pointed at a server, with tiny backoffs; closed after the test."""
    monkeypatch.setenv("OPENAI_API_KEY", "EMPTY")
    made: list[OpenAIPolicy] = []

    def make(srv: FakeOpenAIServer | None, sampling: SamplingConfig | None = None, **overrides) -> OpenAIPolicy:
        cfg = (
            dict(base_url=srv.url if srv else None, max_retries=3, backoff_s=0.01, timeout_s=5.0, max_new_tokens=64)
            | overrides
        )
        policy = OpenAIPolicy(
            ModelConfig(name="fake", api_id="fake-model"),
            OpenAIBackend(**cfg),
            sampling or SamplingConfig(temperature=0.5, top_p=0.9),
        )
        made.append(policy)
        return policy

    yield make
    for policy in made:
        policy.close()


@pytest.fixture
def make_episode(agent, task, fork_runner, tmp_path):
    count = iter(range(1000))

    def make(policy: OpenAIPolicy) -> Episode:
        i = next(count)
        ws = Workspace(task, tmp_path / f"ws{i}", fork_runner)
        return Episode(ws, sample_index=i, seed=i, agent=agent, mode=policy.prompt_mode)

    return make


def assert_valid_native(messages: list[dict]) -> None:
    """What a strict chat API checks: every tool call answered right after it, by its id."""
    assert [m["role"] for m in messages[:2]] == ["system", "user"]
    open_ids: list[str] = []
    for m in messages[2:]:
        if m["role"] == "tool":
            assert m["tool_call_id"] == open_ids.pop(0), "tool result out of order"
            continue
        assert not open_ids, f"tool calls {open_ids} never answered"
        if m["role"] == "assistant":
            open_ids = [c["id"] for c in m.get("tool_calls") or []]
            assert m.get("content") is not None or open_ids
    assert not open_ids
    roles = [m["role"] for m in messages]
    assert roles[-1] in ("tool", "user")


def step(policy, ep, seed=0):
    out = policy.act([ep], seed=seed)[0]
    assert out.error is None, out.error
    return out, ep.apply(out)


# ---- native protocol -------------------------------------------------------------------------
def test_native_tool_call_round_trip(server, make_policy, make_episode):
    policy = make_policy(server)
    assert policy.protocol == "native" and policy.prompt_mode == "native"
    ep = make_episode(policy)
    editable = ep.task.editable[0]
    server.script(tool_call_reply("read_file", {"path": editable}, call_id="call_a"))
    out, rec = step(policy, ep, seed=7)
    assert rec.protocol_error is None and rec.action.name == "read_file"
    assert rec.action.call_id == "call_a" and rec.action.arguments["path"] == editable
    assert rec.observation and rec.tool_ok

    first = server.requests[0]
    assert first["model"] == "fake-model" and first["seed"] == 7 and first["max_tokens"] == 64
    assert first["temperature"] == 0.5 and first["top_p"] == 0.9
    assert "stop" not in first and "top_k" not in first  # native calls end on their own; top_k off
    assert policy.info().sampling["stop_at_tool_call"] is False
    assert {t["function"]["name"] for t in first["tools"]} >= {"read_file", "run_tests", "finish"}
    assert server.headers[0]["authorization"] == "Bearer EMPTY"

    while not ep.done:  # the default scripted agent: read, run tests, finish
        step(policy, ep)
    assert ep.end_reason == "finished"
    second = server.requests[1]["messages"]
    assert_valid_native(second)
    assistant, tool = second[2], second[3]
    assert assistant["tool_calls"][0]["id"] == "call_a"
    assert assistant["tool_calls"][0]["function"]["name"] == "read_file"
    assert tool == {"role": "tool", "tool_call_id": "call_a", "content": ep.steps[0].observation}
    for request in server.requests:
        assert_valid_native(request["messages"])


@pytest.mark.reliability
def test_malformed_native_calls_become_protocol_errors(server, make_policy, make_episode):
    policy = make_policy(server)
    ep = make_episode(policy)
    server.script(
        tool_call_reply("read_file", '{"path": ', call_id="bad"),  # broken JSON
        Behaviour(
            body=completion(None, [("list_files", {}), ("run_tests", {})], call_ids=["two_a", "two_b"])
        ),  # two calls
        text_reply("I think the bug is in line 3."),  # no call
        tool_call_reply("delete_everything", {}, call_id="unk"),  # unknown tool
    )
    kinds = [step(policy, ep)[1].protocol_error.kind for _ in range(4)]
    assert kinds == ["invalid_json", "multiple_tool_calls", "no_tool_call", "unknown_tool"]
    out, rec = step(policy, ep)  # the scripted agent takes over (turn 5: finish), a valid call
    assert rec.protocol_error is None and rec.action.name == "finish" and ep.end_reason == "finished"

    msgs = server.requests[-1]["messages"]
    assert_valid_native(msgs)
    bad_reply = next(m for m in msgs if m.get("tool_call_id") == "bad")
    assert bad_reply["content"].startswith("Protocol error (invalid_json)")
    assert [m["tool_call_id"] for m in msgs if m.get("tool_call_id", "").startswith("two")] == ["two_a", "two_b"]
    text_turn = next(i for i, m in enumerate(msgs) if m.get("content") == "I think the bug is in line 3.")
    assert msgs[text_turn + 1]["role"] == "user"
    assert msgs[text_turn + 1]["content"].startswith("Protocol error (no_tool_call)")


# ---- retries and errors ----------------------------------------------------------------------
@pytest.mark.reliability
def test_429_then_success_honours_retry_after(server, make_policy, make_episode):
    policy = make_policy(server)
    ep = make_episode(policy)
    server.script(http_error(429, retry_after=0.3))
    start = time.perf_counter()
    out, rec = step(policy, ep)
    assert time.perf_counter() - start >= 0.3 and out.latency_s >= 0.3
    assert rec.action is not None and len(server.requests) == 2
    assert policy.stats["retries"] == 1 and policy.stats["rate_limited"] == 1
    assert policy.stats["errors"] == 0


@pytest.mark.reliability
def test_500_500_then_success(server, make_policy, make_episode):
    policy = make_policy(server)
    ep = make_episode(policy)
    server.script(http_error(500), http_error(503))
    out, rec = step(policy, ep)
    assert rec.action is not None and len(server.requests) == 3
    assert policy.stats["retries"] == 2 and policy.stats["server_errors"] == 2


@pytest.mark.reliability
def test_persistent_500_gives_policy_error(server, make_policy, make_episode):
    policy = make_policy(server, max_retries=2)
    ep = make_episode(policy)
    server.script(*[http_error(500, message="upstream\nexploded")] * 5)
    out = policy.act([ep], seed=0)[0]
    assert out.error and "\n" not in out.error
    assert "gave up after 2 retries" in out.error and "HTTP 500" in out.error
    assert "max_retries" in out.error
    assert len(server.requests) == 3 and policy.stats["errors"] == 1
    ep.apply(out)
    assert ep.end_reason == "policy_error" and ep.policy_error == out.error and not ep.steps


@pytest.mark.reliability
def test_a_truncated_body_is_retried(server, make_policy, make_episode):
    policy = make_policy(server)
    ep = make_episode(policy)
    server.script(truncated())
    out, rec = step(policy, ep)
    assert rec.action is not None and len(server.requests) == 2
    assert policy.stats["retries"] == 1 and policy.stats["errors"] == 0


@pytest.mark.reliability
def test_bodies_that_are_never_whole_give_one_line_policy_error(server, make_policy, make_episode):
    policy = make_policy(server, max_retries=1)
    ep = make_episode(policy)
    server.script(truncated(), truncated(), truncated())
    out = policy.act([ep], seed=0)[0]
    assert out.error and "\n" not in out.error and "gave up after 1 retries" in out.error
    ep.apply(out)
    assert ep.end_reason == "policy_error" and not ep.steps


@pytest.mark.reliability
def test_a_body_that_is_not_json_is_a_policy_error_not_a_crash(server, make_policy, make_episode):
    policy = make_policy(server, max_retries=1)
    ep = make_episode(policy)
    server.script(not_json(), not_json(), not_json())
    out = policy.act([ep], seed=0)[0]
    assert out.error and "\n" not in out.error, out.error
    ep.apply(out)
    assert ep.end_reason == "policy_error"


@pytest.mark.reliability
def test_timeout_is_retried(server, make_policy, make_episode):
    policy = make_policy(server, timeout_s=0.3)
    ep = make_episode(policy)
    server.script(stall(3.0))
    out, rec = step(policy, ep)
    assert rec.action is not None and len(server.requests) == 2
    assert policy.stats["timeouts"] == 1 and policy.stats["retries"] == 1


@pytest.mark.reliability
def test_connection_error_is_retried_then_reported(make_policy, make_episode):
    with FakeOpenAIServer() as srv:
        url = srv.url
    policy = make_policy(None, base_url=url, max_retries=1)  # nothing listens there any more
    out = policy.act([make_episode(policy)], seed=0)[0]
    assert out.error and "cannot connect" in out.error and "\n" not in out.error
    assert policy.stats["connection_errors"] == 2 and policy.stats["retries"] == 1


@pytest.mark.parametrize("status, fix", [(401, "OPENAI_API_KEY"), (404, "model.api_id"), (400, "native_tools")])
@pytest.mark.reliability
def test_client_errors_are_not_retried(server, make_policy, make_episode, status, fix):
    policy = make_policy(server)
    ep = make_episode(policy)
    server.script(http_error(status, message="nope"))
    out = policy.act([ep], seed=0)[0]
    assert out.error and f"HTTP {status}" in out.error and fix in out.error
    assert "not retried" in out.error and "\n" not in out.error
    assert len(server.requests) == 1 and policy.stats["retries"] == 0


@pytest.mark.reliability
def test_one_failure_does_not_stop_the_others(server, make_policy, make_episode):
    policy = make_policy(server, max_concurrency=1)
    eps = [make_episode(policy) for _ in range(3)]
    server.script(text_reply("x"), http_error(401), text_reply("y"))
    outs = policy.act(eps, seed=0)
    assert [o.error is None for o in outs] == [True, False, True]


# ---- concurrency, usage, text protocol, config -----------------------------------------------
def test_max_concurrency_is_respected(make_policy, make_episode):
    with FakeOpenAIServer(delay_s=0.15) as srv:
        policy = make_policy(srv, max_concurrency=2)
        eps = [make_episode(policy) for _ in range(8)]
        start = time.perf_counter()
        outs = policy.act(eps, seed=100)
        elapsed = time.perf_counter() - start
        assert all(o.error is None for o in outs)
        assert srv.max_in_flight == 2  # concurrent, but never more than two
        assert elapsed >= 4 * 0.15
        assert sorted(r["seed"] for r in srv.requests) == list(range(100, 108))
    with FakeOpenAIServer(delay_s=0.15) as srv:
        policy = make_policy(srv, max_concurrency=8)
        policy.act(eps, seed=0)
        assert srv.max_in_flight > 2


def test_usage_tokens_come_through(server, make_policy, make_episode):
    policy = make_policy(server)
    ep = make_episode(policy)
    server.script(tool_call_reply("list_files", {}, usage=(123, 45)))
    estimate = policy.prompt_tokens(ep)
    out, rec = step(policy, ep)
    assert (out.prompt_tokens, out.completion_tokens) == (123, 45)
    assert (rec.prompt_tokens, rec.completion_tokens) == (123, 45)
    assert policy.stats["prompt_tokens"] == 123 and policy.stats["completion_tokens"] == 45
    assert out.latency_s > 0 and estimate > 0
    assert policy.prompt_tokens(ep) > 123 + 45  # last usage plus the new observation


def test_text_protocol(make_policy, make_episode, monkeypatch):
    with FakeOpenAIServer() as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", srv.url)  # base_url from base_url_env
        policy = make_policy(None, native_tools=False)
        assert policy.protocol == "text" and policy.prompt_mode == "text_prompt"
        ep = make_episode(policy)
        assert "<tool_call>" in ep.system
        out, rec = step(policy, ep)
        assert out.native_calls is None and out.text.startswith("<tool_call>")
        assert srv.requests[0]["stop"] == ["</tool_call>"]  # the server cut it from the reply ...
        assert out.text.endswith("</tool_call>")  # ... and the policy put it back
        assert rec.action.name == "read_file"
        while not ep.done:
            step(policy, ep)
        assert ep.end_reason == "finished"
        assert all("tools" not in r for r in srv.requests)
        msgs = srv.requests[1]["messages"]
        assert [m["role"] for m in msgs] == ["system", "user", "assistant", "user"]
        assert msgs[2]["content"] == ep.steps[0].raw_text
        assert msgs[3]["content"] == f"<tool_response>\n{ep.steps[0].observation}\n</tool_response>"


@pytest.mark.reliability
def test_missing_api_key_is_a_config_error(monkeypatch):
    monkeypatch.delenv("MY_PROVIDER_KEY", raising=False)
    with pytest.raises(ConfigError) as info:
        OpenAIPolicy(ModelConfig(name="m", api_id="x"), OpenAIBackend(api_key_env="MY_PROVIDER_KEY"), SamplingConfig())
    message = str(info.value)
    assert "MY_PROVIDER_KEY" in message and "EMPTY" in message and "\n" not in message


def test_act_after_close_and_repeatedly(server, make_policy, make_episode):
    policy = make_policy(server)
    ep = make_episode(policy)
    step(policy, ep)
    policy.close()
    step(policy, ep)  # a fresh loop and client
    policy.close()
    policy.close()
    assert policy.stats["requests"] == 2


# ---- stopping at the end of a tool call (text protocol), top_k --------------------------------
UNCLOSED = '<tool_call>{"name": "list_files", "arguments": {}}'


@pytest.mark.parametrize(
    ("text", "finish", "extra", "restored"),
    [
        (UNCLOSED, "stop", {}, True),  # the API cut </tool_call>
        ("Let me look.\n" + UNCLOSED, "stop", {}, True),
        (UNCLOSED, "length", {}, False),  # ran out of tokens
        ("No call at all.", "stop", {}, False),  # the model's own end of turn
        (UNCLOSED + "</tool_call>", "stop", {}, False),  # already closed
        (UNCLOSED, "stop", {"stop_reason": "</tool_call>"}, True),  # vLLM says which stop matched
        (UNCLOSED, "stop", {"stop_reason": None}, False),  # ... or that eos ended it
        (UNCLOSED, "stop", {"stop_reason": 2}, False),
    ],
)
def test_restore_stop(text, finish, extra, restored):
    from agentpref.agent.policies.openai_api import restore_stop

    out = restore_stop(text, finish, extra, ("</tool_call>",))
    assert out == (text + "</tool_call>" if restored else text)
    assert restore_stop(text, finish, extra, ()) == text  # stop_at_tool_call=false


def test_text_protocol_stops_at_the_tool_call(make_policy, make_episode):
    """The server cuts at the stop string like a real API; the turn comes back closed and
    parses, while turns that did not stop there are left as the model wrote them."""
    with FakeOpenAIServer(stop_reason=True) as srv:
        policy = make_policy(srv, native_tools=False)
        assert policy.info().sampling["stop_at_tool_call"] is True
        ep = make_episode(policy)
        srv.script(
            text_reply("Listing.\n" + UNCLOSED + "</tool_call>\nand a second call"),
            text_reply(UNCLOSED),  # eos before closing: stop_reason null
            Behaviour(
                body=completion(UNCLOSED)
                | {
                    "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": UNCLOSED}, "finish_reason": "length"}
                    ]
                }
            ),
        )
        out, rec = step(policy, ep)
        assert out.text == "Listing.\n" + UNCLOSED + "</tool_call>" and rec.action.name == "list_files"
        assert srv.requests[0]["stop"] == ["</tool_call>"]
        for _ in range(2):
            out, rec = step(policy, ep)
            assert out.text == UNCLOSED and rec.protocol_error.kind == "unclosed_tool_call"
        # what the next request sends back is the turn as recorded (closed)
        assert srv.requests[-1]["messages"][2]["content"] == ep.steps[0].raw_text

    with FakeOpenAIServer() as srv:
        policy = make_policy(srv, native_tools=False, stop_at_tool_call=False)
        ep = make_episode(policy)
        srv.script(text_reply(UNCLOSED + "</tool_call>\nmore"))
        out, rec = step(policy, ep)
        assert "stop" not in srv.requests[0] and out.text == UNCLOSED + "</tool_call>\nmore"
        assert policy.info().sampling["stop_at_tool_call"] is False


def test_top_k_is_sent_only_when_set(server, make_policy, make_episode):
    policy = make_policy(server, sampling=SamplingConfig(temperature=0.0, top_k=7))
    step(policy, make_episode(policy))
    assert server.requests[0]["top_k"] == 7 and server.requests[0]["temperature"] == 0.0
    sampling = policy.info().sampling
    assert sampling["top_k"] == 7 and sampling["greedy"] is True
    policy = make_policy(server)
    step(policy, make_episode(policy))
    assert "top_k" not in server.requests[1]
