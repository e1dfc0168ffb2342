"""The vllm policy: a clear error where vllm is missing (everywhere), a smoke test on GPUs."""

from __future__ import annotations

import importlib.util
import json
import sys
from types import SimpleNamespace

import pytest
from omegaconf import OmegaConf

from agentpref.agent.config import AgentConfig, SamplingConfig, VLLMBackend
from agentpref.agent.policies.vllm import VLLMPolicy, close_engines
from agentpref.errors import AgentprefError
from agentpref.models import ModelConfig


def test_missing_vllm_is_a_clear_error(monkeypatch):
    from agentpref.agent.policies.vllm import VLLMUnavailable

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
    close_engines()


def _adapter(path, rank: int):
    path.mkdir(parents=True)
    (path / "adapter_config.json").write_text(json.dumps({"r": rank, "peft_type": "LORA"}))
    return str(path)


def test_engine_args_fit_the_adapter_rank_and_the_context_budget(repo, tmp_path):
    from agentpref.agent.policies.vllm import engine_args

    llama = ModelConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/model/llama8b.yaml")))
    backend = VLLMBackend(**OmegaConf.to_container(OmegaConf.load(repo / "conf/backend/vllm.yaml")))
    base = engine_args(llama, backend, "ckpt", None, max_context_tokens=4096)
    assert llama.context_window == 131_072 and base["max_model_len"] == 4096 + backend.max_new_tokens
    assert "enable_lora" not in base and "max_lora_rank" not in base
    assert engine_args(llama, backend, "ckpt", None, None)["max_model_len"] == 131_072  # no budget known
    r64 = llama.model_copy(update={"adapter": _adapter(tmp_path / "r64", 64)})
    args = engine_args(r64, backend, "ckpt", None, 4096)
    assert (args["enable_lora"], args["max_lora_rank"], args["max_loras"]) == (True, 64, 1)  # vLLM's default 16 fails
    r20 = llama.model_copy(update={"adapter": _adapter(tmp_path / "r20", 20)})
    assert engine_args(r20, backend, "ckpt", None, 4096)["max_lora_rank"] == 32  # rounded up to a rank vLLM takes
    wide = backend.model_copy(update={"max_lora_rank": 128, "max_loras": 3})
    assert engine_args(r20, wide, "ckpt", None, 4096)["max_lora_rank"] == 128
    huge = llama.model_copy(update={"adapter": _adapter(tmp_path / "r1024", 1024)})
    with pytest.raises(AgentprefError, match="above vLLM's largest"):
        engine_args(huge, backend, "ckpt", None, 4096)
    with pytest.raises(AgentprefError, match="no LoRA rank"):
        engine_args(llama.model_copy(update={"adapter": str(tmp_path)}), backend, "ckpt", None, 4096)


def test_one_engine_serves_several_adapters_in_a_process(repo, tmp_path, monkeypatch):
    """Two rows of a study on one base model: one engine is built, each adapter is its own
    LoRARequest with its own id; another engine configuration frees the first."""
    import torch

    from agentpref.agent.policies import vllm as vllm_policy

    ckpt = repo / "data/cache/models/smollm2_135m-gguf"
    if not (ckpt / "tokenizer.json").is_file():
        pytest.skip("no local SmolLM2 checkpoint (built by the hf policy's first run)")
    built = []

    class Engine(_StubLLM):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            built.append(self)

    request = SimpleNamespace(LoRARequest=lambda name, id_, path: SimpleNamespace(name=name, id=id_, path=path))
    stub = SimpleNamespace(LLM=Engine, SamplingParams=lambda **kw: SimpleNamespace(**kw))
    monkeypatch.setitem(sys.modules, "vllm", stub)
    monkeypatch.setitem(sys.modules, "vllm.lora", SimpleNamespace(request=request))
    monkeypatch.setitem(sys.modules, "vllm.lora.request", request)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    base = ModelConfig(name="smol", hub_id=str(ckpt), context_window=8192)
    policies = [
        vllm_policy.VLLMPolicy(
            base.model_copy(update={"adapter": _adapter(tmp_path / name, 64)}),
            VLLMBackend(max_new_tokens=64),
            SamplingConfig(),
            max_context_tokens=4096,
        )
        for name in ("sft", "sft_dpo")
    ]
    try:
        assert len(built) == 1 and policies[0].llm is policies[1].llm is built[0]
        assert built[0].kwargs["max_model_len"] == 4160 and built[0].kwargs["max_lora_rank"] == 64
        ids = [p._lora.id for p in policies]
        assert ids[0] != ids[1] and [p._lora.path for p in policies] == [str(tmp_path / n) for n in ("sft", "sft_dpo")]
        policies[0].close()  # a closed policy leaves the engine to the next one
        again = vllm_policy.VLLMPolicy(
            base.model_copy(update={"adapter": str(tmp_path / "sft")}),
            VLLMBackend(max_new_tokens=64),
            SamplingConfig(),
            max_context_tokens=4096,
        )
        assert len(built) == 1 and again._lora.id == ids[0]
        other = vllm_policy.VLLMPolicy(base, VLLMBackend(max_new_tokens=32), SamplingConfig(), max_context_tokens=4096)
        assert len(built) == 2 and other.llm is built[1] and list(vllm_policy._ENGINES.values()) == [built[1]]
    finally:
        vllm_policy.close_engines()


def _gpu_with_vllm() -> bool:
    if importlib.util.find_spec("vllm") is None:
        return False
    import torch

    return torch.cuda.is_available()


@pytest.mark.slow
@pytest.mark.skipif(not _gpu_with_vllm(), reason="needs vllm and a CUDA GPU")
def test_vllm_policy_smoke(repo, tmp_path, fork_runner):
    from agentpref.agent.episode import Episode
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
        close_engines()


@pytest.mark.slow
@pytest.mark.skipif(not _gpu_with_vllm(), reason="needs vllm and a CUDA GPU")
def test_vllm_serves_an_r64_adapter(repo, tmp_path, fork_runner):
    """The GPU presets train LoRA at r=64, above vLLM's default max_lora_rank (16): the engine
    built for such an adapter takes it and generates with it."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from agentpref.agent.episode import Episode
    from agentpref.agent.tools import Workspace
    from agentpref.models import resolve_checkpoint
    from agentpref.tasks.config import BuiltinTasks
    from agentpref.tasks.registry import load_task_set

    agent = AgentConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/agent/default.yaml")))
    model = ModelConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/model/smollm2_135m.yaml")))
    path = resolve_checkpoint(model, tmp_path / "models")
    lora = LoraConfig(r=64, lora_alpha=128, target_modules="all-linear", task_type="CAUSAL_LM")
    get_peft_model(AutoModelForCausalLM.from_pretrained(path), lora).save_pretrained(tmp_path / "adapter")
    policy = VLLMPolicy(
        model.model_copy(update={"adapter": str(tmp_path / "adapter")}),
        VLLMBackend(gpu_memory_utilization=0.3, max_new_tokens=16),
        SamplingConfig(temperature=0.7),
        cache_dir=tmp_path / "models",
        llm_kwargs={"enforce_eager": True},
        max_context_tokens=2048,
    )
    try:
        assert policy.max_model_len == 2048 + 16 and policy._lora is not None
        task = load_task_set(BuiltinTasks(limit=1)).tasks[0]
        ep = Episode(
            Workspace(task, tmp_path / "ws", fork_runner), sample_index=0, seed=0, agent=agent, mode=policy.prompt_mode
        )
        (out,) = policy.act([ep], seed=0)
        assert out.error is None and 0 < out.completion_tokens <= 16
    finally:
        policy.close()
        close_engines()
