"""Policies by backend kind; heavy backends are imported only when chosen."""

from __future__ import annotations

from agentpref.agent.config import (
    AgentConfig,
    BackendConfig,
    HFBackend,
    LlamaCppBackend,
    OpenAIBackend,
    OracleBackend,
    SamplingConfig,
    VLLMBackend,
)
from agentpref.agent.policies.base import Policy
from agentpref.models import ModelConfig


def build_policy(model: ModelConfig, backend: BackendConfig, sampling: SamplingConfig, agent: AgentConfig) -> Policy:
    policy = _build(model, backend, sampling, agent)
    policy.edit_format = agent.edit_format
    return policy


def _build(model: ModelConfig, backend: BackendConfig, sampling: SamplingConfig, agent: AgentConfig) -> Policy:
    if isinstance(backend, OracleBackend):
        from agentpref.agent.policies.oracle import OraclePolicy

        return OraclePolicy(
            model,
            sampling,
            backend.batch_size,
            backend.perturb_rate,
            tuple(backend.perturb_kinds),
            backend.perturb_seed,
            backend.explain_fix,
            backend.narrate,
            backend.quote_line,
        )
    if isinstance(backend, HFBackend):
        from agentpref.agent.policies.hf import HFPolicy

        return HFPolicy(model, backend, sampling, tools_in=agent.tools_in)
    if isinstance(backend, OpenAIBackend):
        from agentpref.agent.policies.openai_api import OpenAIPolicy

        return OpenAIPolicy(model, backend, sampling)
    if isinstance(backend, LlamaCppBackend):
        from agentpref.agent.policies.llamacpp import LlamaCppPolicy

        return LlamaCppPolicy(
            model, backend, sampling, tools_in=agent.tools_in, max_context_tokens=agent.max_context_tokens
        )
    if isinstance(backend, VLLMBackend):
        from agentpref.agent.policies.vllm import VLLMPolicy

        return VLLMPolicy(
            model,
            backend,
            sampling,
            tools_in=agent.tools_in,
            cache_dir=backend.cache_dir,
            max_context_tokens=agent.max_context_tokens,
        )
    raise TypeError(f"unknown backend {backend!r}")
