"""Continuous batching (``backend.scheduler=continuous``): turns leave and join the running batch
mid-way and the episodes come out as they do one at a time; sampling, budgets, kill -9 and hostile
model output behave as under lock-step.

The tiny model gets noisy weights (as in test_hf_policy) and every tenth vocabulary id as an extra
end of turn, so turns end at different steps and rows really leave and join mid-batch.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from run_checks import kill_mid_run_then_resume, records


@pytest.fixture(scope="module")
def model_cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def run(generate_config, monkeypatch, tmp_path_factory, model_cache_dir):
    """``run(name, *overrides, force=None, rows=True)`` -> (summary, records as dicts): generate
    with the noisy tiny model; ``force(episode, out)`` may replace a row's next token (hostile
    output); ``rows=False`` keeps the padded attention step (a GPU's) in place of per-row attention."""
    from test_hf_policy import make_policy

    from agentpref.agent import generation
    from agentpref.agent.policies.hf_stream import use_row_attention

    cache = model_cache_dir
    base = tmp_path_factory.mktemp("runs")

    def go(name: str, *overrides: str, force=None, rows=True):
        cfg = generate_config(
            "model=tiny_random",
            "backend=hf",
            "decoding=greedy",
            "tasks.split=train",
            "agent.max_steps=3",
            "backend.max_new_tokens=20",
            *overrides,
            run_dir=base / name,
        )

        def build(model, backend, sampling, agent):
            policy = make_policy(cache, max_new=backend.max_new_tokens, temperature=sampling.temperature)
            policy.batch_size = backend.batch_size
            policy.eos_ids = sorted(set(policy.eos_ids) | set(range(7, len(policy.tokenizer), 10)))
            policy.hf = backend
            policy.edit_format = agent.edit_format
            policy.row_attention = rows and use_row_attention(policy.lm)
            assert policy.row_attention == rows
            if force is not None:
                pick = policy.next_tokens

                def forced(logits, rows):
                    return [
                        t if (f := force(policy, row.episode, row.out)) is None else f
                        for row, t in zip(rows, pick(logits, rows), strict=True)
                    ]

                policy.next_tokens = forced
            return policy

        monkeypatch.setattr(generation, "build_policy", build)
        summary = generation.run_generation(cfg)
        return summary, records(base / name)

    return go


def _by_key(recs):
    return {(r["task_id"], r["sample_index"]): r for r in recs}


@pytest.mark.parametrize("rows", [False, True], ids=["padded", "row_attention"])
def test_joining_and_leaving_mid_batch_gives_the_one_at_a_time_transcripts(run, rows):
    """6 episodes, 3 slots: rows end at different steps, their tools run, their next turns join
    while the others decode. Greedy transcripts equal lock-step with one episode at a time, with
    the padded attention step and with each row attending over its own keys."""
    one, alone = run("alone", "tasks.limit=6", "backend.batch_size=1")
    cont, mixed = run(
        f"mixed_{rows}", "tasks.limit=6", "backend.batch_size=3", "backend.scheduler=continuous", rows=rows
    )
    assert one.episodes == cont.episodes == 6
    lengths = [s["completion_tokens"] for r in mixed for s in r["steps"]]
    assert len(set(lengths)) > 3 and min(lengths) < 20  # turns of many lengths
    prof = cont.profile
    assert prof["decode_steps"] < sum(lengths)  # rows really shared steps
    assert prof["row_steps"] - prof["finished_row_steps"] == sum(lengths)
    assert prof["stream_rebuilds"] >= 2  # longer joiners repacked the rows
    if rows:
        assert prof["attended_keys"] == prof["needed_keys"] > 0 and prof["attention_padding"] == 1
    else:
        assert prof["attended_keys"] > prof["needed_keys"] > 0 and prof["attention_padding"] > 1  # padded
    a, b = _by_key(alone), _by_key(mixed)
    assert a.keys() == b.keys()
    for key in a:
        assert [s["raw_text"] for s in a[key]["steps"]] == [s["raw_text"] for s in b[key]["steps"]], key
        assert a[key]["messages"] == b[key]["messages"]


def test_continuous_equals_lockstep_at_the_same_batch_size(run):
    _, lock = run("lock", "tasks.limit=4", "backend.batch_size=2")
    _, cont = run("cont", "tasks.limit=4", "backend.batch_size=2", "backend.scheduler=continuous")
    assert [s["raw_text"] for r in sorted(lock, key=lambda r: r["task_id"]) for s in r["steps"]] == [
        s["raw_text"] for r in sorted(cont, key=lambda r: r["task_id"]) for s in r["steps"]
    ]


def test_sampling_is_seeded_per_turn_not_per_batch(run):
    """At T=1 each turn draws from its own generator: the same seed gives the same episodes
    whatever the batch size (which rows share a step changes nothing), another seed does not."""
    args = ("tasks.limit=4", "decoding=sample", "temperature=1.0", "backend.scheduler=continuous", "seed=3")
    _, three = run("three", *args, "backend.batch_size=3")
    _, again = run("again", *args, "backend.batch_size=3")
    _, one = run("one", *args, "backend.batch_size=1")
    _, other = run("other", *args[:-1], "seed=4", "backend.batch_size=3")
    assert three == again
    texts = lambda recs: {k: [s["raw_text"] for s in r["steps"]] for k, r in _by_key(recs).items()}  # noqa: E731
    assert texts(three) == texts(one)
    assert texts(three) != texts(other)


def test_budget_stops_before_the_cap(run):
    summary, recs = run(
        "budget", "tasks.limit=6", "backend.batch_size=3", "backend.scheduler=continuous", "budget.tokens=9000"
    )
    assert summary.stop_reason == "budget.tokens"
    assert summary.spent_tokens <= 9000
    assert recs and any(r["end_reason"] == "budget" for r in recs)
    assert sum(r["cost"]["prompt_tokens"] + r["cost"]["completion_tokens"] for r in recs) <= 9000


HOSTILE = [
    '<tool_call>{"name": "read_file", "arguments": {"path": 7}}</tool_call>',
    "<tool_call>" * 3,
    '<tool_call>{"name": "edit", "arguments": {"path": ["a"], "old": {"x": 1}, "new": null}}</tool_call>',
    "\x00" * 5,
    '<tool_call>{"name": "read_file", "arguments": {"path": "../../etc/passwd"}}</tool_call>',
]


def _hostile(task_id: str) -> bool:
    return sum(map(ord, task_id)) % 2 == 0


def test_hostile_output_mid_batch_becomes_protocol_or_tool_errors(run):
    """Half the episodes are made to write the reliability suite's hostile turns while the others
    decode: each becomes a recorded protocol or tool error and the run goes on."""

    def force(policy, episode, out):
        if not _hostile(episode.task.id):
            return None
        ids = policy.tokenizer(HOSTILE[len(episode.steps) % len(HOSTILE)], add_special_tokens=False)["input_ids"]
        return ids[len(out)] if len(out) < len(ids) else policy.eos_ids[0]

    summary, recs = run(
        "hostile",
        "tasks.limit=6",
        "backend.batch_size=3",
        "backend.scheduler=continuous",
        "backend.max_new_tokens=64",
        "agent.max_steps=5",
        force=force,
    )
    assert summary.episodes == 6 and summary.stop_reason == "completed"
    forced = [r for r in recs if _hostile(r["task_id"])]
    assert forced and len(forced) < 6
    for r in forced:
        assert len(r["steps"]) == 5
        assert all(s["protocol_error"] is not None or s["tool_error"] is not None for s in r["steps"]), [
            (s["raw_text"], s["protocol_error"], s["tool_error"]) for s in r["steps"]
        ]


@pytest.mark.reliability
def test_kill_9_mid_run_resumes_without_loss_or_duplicates(repo, tmp_path):
    run_dir = tmp_path / "run"
    cmd = [
        sys.executable,
        str(repo / "generate.py"),
        "model=tiny_random",
        "tasks.split=train",
        "tasks.limit=8",
        "agent.max_steps=2",
        "backend.max_new_tokens=8",
        "backend.batch_size=3",
        "backend.scheduler=continuous",
        "logger=none",
        "progress=false",
        f"run_dir={run_dir}",
    ]
    kill_mid_run_then_resume(cmd, repo, run_dir, total=8, killed_after=2, timeout=240)


def test_continuous_without_cache_reuse_is_one_clear_error(model_cache_dir, monkeypatch):
    from test_hf_policy import _load_cfg

    from agentpref.agent.config import HFBackend, SamplingConfig
    from agentpref.agent.policies.hf import HFPolicy
    from agentpref.errors import ConfigError

    monkeypatch.setattr(HFPolicy, "_cache_supported", lambda self: False)
    with pytest.raises(ConfigError, match="use backend.scheduler=lockstep"):
        HFPolicy(
            _load_cfg("tiny_random"),
            HFBackend(device="cpu", cache_dir=str(model_cache_dir), scheduler="continuous"),
            SamplingConfig(),
        )
