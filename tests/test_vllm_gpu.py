"""The vllm policy: a clear error where vllm is missing (everywhere), a smoke test on GPUs."""

from __future__ import annotations

import importlib.util
import sys
from types import SimpleNamespace

import pytest
from omegaconf import OmegaConf

from agentpref.agent.config import AgentConfig, SamplingConfig, VLLMBackend
from agentpref.errors import AgentprefError
from agentpref.models import ModelConfig


def test_missing_vllm_is_a_clear_error(monkeypatch):
    from agentpref.agent.policies.vllm import VLLMPolicy, VLLMUnavailable

    monkeypatch.setitem(sys.modules, "vllm", None)  # import vllm fails, installed or not
    with pytest.raises(VLLMUnavailable) as info:
        VLLMPolicy(ModelConfig(name="m", hub_id="x"), VLLMBackend(), SamplingConfig())
    message = str(info.value)
    assert isinstance(info.value, AgentprefError)
    assert "pip install -e '.[vllm]'" in message and "GPU" in message and "\n" not in message


class _StubLLM:
    """Stands in for vllm.LLM on CPU machines: records what the policy asks for."""

    def __init__(self, **kwargs):
        self.kwargs, self.calls = kwargs, []

    def generate(self, prompts, params, use_tqdm=True, lora_request=None):
        self.calls.append((prompts, params, lora_request))
        return [
            SimpleNamespace(
                prompt_token_ids=p["prompt_token_ids"],
                outputs=[
                    SimpleNamespace(
                        text='<tool_call>{"name": "list_files", "arguments": {}}</tool_call>', token_ids=[1, 2, 3]
                    )
                ],
            )
            for p in prompts
        ]


def test_vllm_policy_plumbing_with_a_stub_engine(repo, tmp_path, monkeypatch, fork_runner):
    """Rendering, token ids, per-request seeds and outputs, without vllm or a GPU."""
    import torch

    from agentpref.agent.episode import Episode
    from agentpref.agent.policies.vllm import VLLMPolicy
    from agentpref.agent.tools import Workspace
    from agentpref.tasks.config import BuiltinTasks
    from agentpref.tasks.registry import load_task_set

    ckpt = repo / "data/cache/models/smollm2_135m-gguf"
    if not (ckpt / "tokenizer.json").is_file():
        pytest.skip("no local SmolLM2 checkpoint (built by the hf policy's first run)")
    stub = SimpleNamespace(LLM=_StubLLM, SamplingParams=lambda **kw: SimpleNamespace(**kw))
    monkeypatch.setitem(sys.modules, "vllm", stub)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    agent = AgentConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/agent/default.yaml")))
    policy = VLLMPolicy(
        ModelConfig(name="smol", hub_id=str(ckpt), context_window=4096),
        VLLMBackend(max_new_tokens=40),
        SamplingConfig(temperature=0.3),
    )
    assert policy.prompt_mode == "text_prompt"  # SmolLM2's template has no tools
    assert policy.llm.kwargs["model"] == str(ckpt) and policy.llm.kwargs["enable_prefix_caching"]
    tasks = load_task_set(BuiltinTasks(limit=2)).tasks
    eps = [
        Episode(
            Workspace(t, tmp_path / f"ws{i}", fork_runner), sample_index=i, seed=i, agent=agent, mode=policy.prompt_mode
        )
        for i, t in enumerate(tasks)
    ]
    outs = policy.act(eps, seed=50)
    prompts, params, lora = policy.llm.calls[0]
    assert [p.seed for p in params] == [50, 51] and lora is None
    assert all(p.max_tokens == 40 and p.temperature == 0.3 for p in params)
    # a turn is one call: stop right after </tool_call>, kept in the text; top_k off (-1)
    assert all(p.stop == ["</tool_call>"] and p.include_stop_str_in_output and p.top_k == -1 for p in params)
    assert policy.info().sampling["stop_at_tool_call"] is True
    policy.stop_strings, policy.sampling = (), SamplingConfig(temperature=0.0, top_k=5)
    kwargs = policy.sampling_kwargs(7, seed=1)
    assert kwargs == {"temperature": 0.0, "top_p": 1.0, "top_k": 5, "max_tokens": 7, "seed": 1}
    policy.stop_strings, policy.sampling = ("</tool_call>",), SamplingConfig(temperature=0.3)
    text = policy.tokenizer.decode(prompts[0]["prompt_token_ids"])
    assert text.startswith("<|im_start|>system\n") and text.endswith("<|im_start|>assistant\n")
    assert "<tool_call>" in text  # the text protocol is in the system prompt
    for ep, out in zip(eps, outs):
        assert out.completion_tokens == 3 and out.prompt_tokens == policy.prompt_tokens(ep)
        assert ep.apply(out).action.name == "list_files"
    policy.act(eps, seed=0)
    second = policy.tokenizer.decode(policy.llm.calls[1][0][0]["prompt_token_ids"])
    assert "<|im_start|>tool\n" in second  # tool results keep their role in the template
    policy.tools_in = "template"
    assert policy.prompt_mode == "text_template"
    policy.close()


def _gpu_with_vllm() -> bool:
    if importlib.util.find_spec("vllm") is None:
        return False
    import torch

    return torch.cuda.is_available()


@pytest.mark.slow
@pytest.mark.skipif(not _gpu_with_vllm(), reason="needs vllm and a CUDA GPU")
def test_vllm_policy_smoke(repo, tmp_path, fork_runner):
    from agentpref.agent.episode import Episode
    from agentpref.agent.policies.vllm import VLLMPolicy
    from agentpref.agent.tools import Workspace
    from agentpref.tasks.config import BuiltinTasks
    from agentpref.tasks.registry import load_task_set

    agent = AgentConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/agent/default.yaml")))
    model = ModelConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/model/smollm2_135m.yaml")))
    policy = VLLMPolicy(
        model,
        VLLMBackend(gpu_memory_utilization=0.3, max_new_tokens=32),
        SamplingConfig(temperature=0.7),
        cache_dir=tmp_path / "models",
        llm_kwargs={"enforce_eager": True, "max_model_len": 4096},
    )
    try:
        tasks = load_task_set(BuiltinTasks(limit=2)).tasks
        eps = [
            Episode(
                Workspace(t, tmp_path / f"ws{i}", fork_runner),
                sample_index=i,
                seed=i,
                agent=agent,
                mode=policy.prompt_mode,
            )
            for i, t in enumerate(tasks)
        ]
        for turn in range(2):
            live = [ep for ep in eps if not ep.done]
            outs = policy.act(live, seed=turn * 100)
            assert len(outs) == len(live)
            for ep, out in zip(live, outs):
                assert out.error is None
                assert out.prompt_tokens == policy.prompt_tokens(ep) > 0
                assert 0 < out.completion_tokens <= 32
                ep.apply(out)
        assert all(ep.steps for ep in eps)
        assert policy.info().backend == "vllm" and policy.chat_template()
    finally:
        policy.close()
