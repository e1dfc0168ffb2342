"""Step-level decision-point pairs: restoring a rollout state, the no-pair-on-ties rule (oracle),
an edit-vs-explore pair from a scripted policy, the train-only rule, token accounting, and one
end-to-end run with the tiny random hf model."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentpref.agent.config import HFBackend, SamplingConfig
from agentpref.agent.episode import Episode, PolicyOutput
from agentpref.agent.policies.base import Policy
from agentpref.agent.policies.oracle import OraclePolicy
from agentpref.agent.protocol import Action
from agentpref.agent.record import PolicyInfo, RolloutRecord
from agentpref.agent.tools import Workspace
from agentpref.data.step_pairs import (
    STATE_KINDS,
    StepPairsConfig,
    build_step_pairs,
    decision_name,
    decision_state,
    decision_states,
    make_pair,
    restore_episode,
)
from agentpref.errors import ConfigError
from agentpref.models import ModelConfig, Prices
from agentpref.sandbox.limits import Limits
from agentpref.scoring.scorer import load_scorer, score_record

REPO = Path(__file__).resolve().parents[1]
TRAIN = "builtin/anagram_groups/min_size_exclusive"
HELDOUT = "builtin/base_convert/negative_sign_lost"
SANDBOX = Limits(per_test_timeout_s=1.0, wall_timeout_s=30)


def play_oracle(task, agent, runner, root: Path) -> RolloutRecord:
    """A finished oracle episode as a rollout record (what generate.py would have written)."""
    policy = OraclePolicy(ModelConfig(name="oracle"), SamplingConfig(), 8)
    ep = Episode(
        Workspace(task, root, runner, observation_limit=agent.observation_limit_chars),
        sample_index=0,
        seed=7,
        agent=agent,
        mode=policy.prompt_mode,
    )
    while not ep.done:
        ep.apply(policy.act([ep], seed=0)[0])
    return ep.to_record(run_id="oracle-run", policy=policy.info(), prompt_hash="h", prices=Prices(), final=ep.grade())


@pytest.fixture(scope="module")
def records(builtin_tasks, agent_config, fork_runner, tmp_path_factory):
    root = tmp_path_factory.mktemp("oracle")
    return {
        tid: play_oracle(builtin_tasks[tid], agent_config, fork_runner, root / str(i))
        for i, tid in enumerate((TRAIN, HELDOUT))
    }


@pytest.fixture(scope="module")
def scorer():
    return load_scorer("default")


def test_restore_episode_reproduces_the_state(records, builtin_tasks, agent_config, fork_runner, tmp_path):
    rec, task = records[TRAIN], builtin_tasks[TRAIN]
    assert decision_state(rec) == 2  # oracle: read_file, run_tests, then the first edit
    last = len(rec.steps) - 1  # right before finish: every edit replayed
    ep = restore_episode(rec, last, task, fork_runner, agent_config, "text_prompt", tmp_path)
    assert ep.messages == rec.messages[: 2 + 2 * last] and ep.steps == rec.steps[:last]
    for path, content in task.reference_fix.items():
        assert (ep.workspace.root / path).read_text() == content
    assert ep.workspace.diff() == rec.final.diff and ep.workspace.touched == rec.final.files_touched
    assert not ep.done and str(ep.workspace.root).startswith(str(tmp_path))
    # the decision state: nothing edited yet
    ep2 = restore_episode(rec, 2, task, fork_runner, agent_config, "text_prompt", tmp_path)
    assert ep2.workspace.diff() == "" and [m["role"] for m in ep2.messages] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "tool",
    ]
    with pytest.raises(ConfigError, match="prompt mismatch"):
        restore_episode(rec, 2, task, fork_runner, agent_config, "native", tmp_path)


def test_a_state_where_every_draw_is_the_same_call_spends_no_continuation(records, builtin_tasks, agent_config, scorer):
    policy = OraclePolicy(ModelConfig(name="oracle"), SamplingConfig(), 8)
    cfg = StepPairsConfig(alternatives=3, continuations=2, max_steps=6)
    pairs, stats = _build_one(records, builtin_tasks, policy, agent_config, scorer, cfg)
    # the oracle draws one call three times: the state is skipped, not counted against max_states
    assert pairs == [] and stats["states"] == 0 and stats["alternatives"] == 0
    assert stats["skipped"] == {"one_action": 1} and stats["outcomes"] == {}
    assert stats["continuations"] == 0 and stats["continuation_tokens"] == 0  # oracle: no tokens
    assert stats["value"] == {"success_weight": 0.5, "continuations": 2, "continuation_sd_mean": None}
    assert stats["states_by_kind"] == {}


def test_decision_points_of_each_kind(records):
    rec = records[TRAIN]  # oracle: read_file, run_tests, edit, run_tests, finish
    assert [s.action.name for s in rec.steps] == ["read_file", "run_tests", "edit", "run_tests", "finish"]
    kinds = list(STATE_KINDS)
    assert decision_states(rec, kinds) == [("before_first_edit", 2), ("after_edit", 3), ("before_finish", 4)]
    failed = rec.steps[2].model_copy(update={"tool_ok": False, "edited": None})
    rec2 = rec.model_copy(update={"steps": [*rec.steps[:2], failed, *rec.steps[3:]]})
    assert decision_states(rec2, kinds) == [("before_first_edit", 2), ("after_failed_edit", 3), ("before_finish", 4)]
    assert decision_states(rec, ["after_failed_edit"]) == []
    # two kinds at one step: the first listed names it
    assert decision_states(rec2, ["after_edit", "after_failed_edit", "before_finish"])[0] == ("after_failed_edit", 3)
    assert decision_name({"test", "finish"}) == "finish_vs_test" and decision_name({"edit"}) == "edit_vs_edit"
    assert StepPairsConfig(states="after_edit").states == ["after_edit"]
    with pytest.raises(ValueError):
        StepPairsConfig(states=["after_lunch"])


def test_same_action_never_pairs(records):
    rec = records[TRAIN]
    step = rec.steps[2]
    alts = [{"step": step, "kind": "edit", "value": v, "success_rate": v, "mean_score": v} for v in (1.0, 0.0)]
    assert make_pair(rec, 2, alts, 0, 0.3) == (None, "same_action")
    other = rec.steps[0]
    alts[1] = {**alts[1], "step": other, "kind": "explore"}
    pair, why = make_pair(rec, 2, alts, 5, 0.3)
    assert why == "pair" and pair["metadata"]["decision"] == "edit_vs_explore"
    assert pair["metadata"]["state"] == "before_first_edit"
    assert make_pair(rec, 2, [alts[0], {**alts[1], "value": 0.8}], 0, 0.3) == (None, "small_margin")


class Scripted(Policy):
    """At the decision point: the reference edit for even batch positions, a read_file for odd
    ones. Afterwards an edit branch plays like the oracle; a read branch gives up (finish)."""

    backend = "scripted"

    def __init__(self, decision_step: int):
        super().__init__(ModelConfig(name="scripted"), SamplingConfig(), batch_size=8, max_new_tokens=10)
        self.oracle = OraclePolicy(ModelConfig(name="oracle"), SamplingConfig(), 8)
        self.decision_step, self.decision_seeds, self.temperatures = decision_step, [], []

    def info(self) -> PolicyInfo:
        return PolicyInfo(backend="scripted", model="scripted")

    def act(self, episodes: list[Episode], seed: int) -> list[PolicyOutput]:
        outs = []
        for i, ep in enumerate(episodes):
            n = len(ep.steps)
            if n == self.decision_step:
                self.decision_seeds.append(ep.seed)
                self.temperatures.append(self.sampling.temperature)
                text = (
                    self.oracle.act([ep], seed)[0].text
                    if i % 2 == 0
                    else "Let me look again.\n"
                    + Action(name="read_file", arguments={"path": ep.task.editable[0]}).render()
                )
            elif ep.steps[self.decision_step].action.name == "read_file":
                text = Action(name="finish", arguments={"summary": "gave up"}).render()
            else:
                text = self.oracle.act([ep], seed)[0].text
            outs.append(PolicyOutput(text=text, prompt_tokens=100, completion_tokens=10))
        return outs


def test_scripted_policy_gives_one_edit_vs_explore_pair(records, builtin_tasks, agent_config, scorer):
    rec = records[TRAIN]
    policy = Scripted(decision_step=2)
    cfg = StepPairsConfig(alternatives=4, continuations=2, max_steps=6, temperature=0.9)
    held = records[HELDOUT]
    pairs, stats = build_step_pairs(
        [rec, held],
        builtin_tasks,
        policy,
        agent=agent_config,
        prices=Prices(prompt_usd_per_mtok=1.0, completion_usd_per_mtok=2.0),
        scorer_cfg=scorer,
        cfg=cfg,
        sandbox=SANDBOX,
    )
    assert len(pairs) == 1 and stats["skipped"] == {"not_train": 1} and stats["states"] == 1
    assert len(set(policy.decision_seeds)) == 4 and policy.temperatures == [0.9] * 4
    assert policy.sampling.temperature == SamplingConfig().temperature  # restored
    pair = pairs[0]
    meta = pair["metadata"]
    assert meta["decision"] == "edit_vs_explore" and meta["chosen_kind"] == "edit"
    assert meta["rejected_kind"] == "explore" and meta["step_index"] == 2
    assert '"name": "edit"' in pair["chosen"][0]["content"]
    assert '"name": "read_file"' in pair["rejected"][0]["content"]
    assert pair["prompt"] == rec.messages[:6]
    assert (meta["task_id"], meta["source_run"], meta["sample_index"], meta["pair_kind"]) == (
        TRAIN,
        "oracle-run",
        0,
        "step",
    )
    # values: the edit branch replays the oracle's episode (same score), the read branch fails; the
    # 4 draws are 2 calls, each drawn twice: one alternative each, its 2 draws its 2 continuations
    oracle_score = score_record(rec, scorer).score
    edit = [a for a in meta["alternatives"] if a["kind"] == "edit"]
    read = [a for a in meta["alternatives"] if a["kind"] == "explore"]
    assert len(edit) == len(read) == 1 and [len(a["continuation_values"]) for a in edit + read] == [2, 2]
    for a in meta["alternatives"]:
        assert a["value"] == pytest.approx(0.5 * a["success_rate"] + 0.5 * a["mean_score"], abs=1e-6)
    assert all(a["success_rate"] == 1.0 and a["mean_score"] == pytest.approx(oracle_score) for a in edit)
    assert all(a["success_rate"] == 0.0 and a["mean_score"] < 0.6 for a in read)
    assert meta["chosen_value"] == edit[0]["value"] and meta["rejected_value"] == read[0]["value"]
    assert meta["margin"] == pytest.approx(meta["chosen_value"] - meta["rejected_value"])
    # tokens: 4 draws; then the edit's 2 continuations: run_tests, finish; the read's 2: finish
    calls = 4 + 2 * 2 + 2 * 1
    assert stats["prompt_tokens"] == 100 * calls and stats["completion_tokens"] == 10 * calls
    assert stats["continuation_tokens"] == meta["continuation_tokens"] == 110 * calls
    assert stats["usd"] == pytest.approx((100 * calls * 1.0 + 10 * calls * 2.0) / 1e6)
    assert stats["pairs_per_mtok"] == pytest.approx(1 / (110 * calls / 1e6), rel=1e-3)
    assert stats["pairs_per_task"] == {TRAIN: 1} and stats["continuations"] == 4


def _build_one(records, builtin_tasks, policy, agent_config, scorer, cfg):
    return build_step_pairs(
        [records[TRAIN]],
        builtin_tasks,
        policy,
        agent=agent_config,
        prices=Prices(),
        scorer_cfg=scorer,
        cfg=cfg,
        sandbox=SANDBOX,
    )


def test_an_alternative_drawn_once_gets_its_other_continuations_replayed(records, builtin_tasks, agent_config, scorer):
    """3 draws: edit, read, edit. The edit's 2 draws are its 2 continuations; the read, drawn
    once, gets a second copy that replays its turn (no tokens) and continues."""
    policy = Scripted(decision_step=2)
    cfg = StepPairsConfig(alternatives=3, continuations=2, max_steps=6)
    pairs, stats = _build_one(records, builtin_tasks, policy, agent_config, scorer, cfg)
    assert len(pairs) == 1 and stats["alternatives"] == 2 and stats["continuations"] == 4
    assert len(policy.decision_seeds) == 3  # the replayed copy never asked the policy for its turn
    read = next(a for a in pairs[0]["metadata"]["alternatives"] if a["kind"] == "explore")
    assert len(read["continuation_values"]) == 2
    assert stats["prompt_tokens"] == 100 * (3 + 2 * 2 + 2 * 1)


def test_token_budget_stops_the_build(records, builtin_tasks, agent_config, scorer):
    policy = Scripted(decision_step=2)
    cfg = StepPairsConfig(alternatives=2, continuations=1, budget_tokens=50)
    pairs, stats = _build_one(records, builtin_tasks, policy, agent_config, scorer, cfg)
    assert pairs == [] and stats["stop_reason"] == "budget_tokens" and stats["continuation_tokens"] <= 50


def test_tiny_random_model_end_to_end(records, builtin_tasks, agent_config, scorer, monkeypatch):
    import socket

    from omegaconf import OmegaConf

    def refuse(*args, **kwargs):  # the loader must never wait on the hub
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)

    from agentpref.agent.policies.hf import HFPolicy

    model = ModelConfig(**OmegaConf.to_container(OmegaConf.load(REPO / "conf/model/tiny_random.yaml")))
    policy = HFPolicy(
        model,
        HFBackend(device="cpu", max_new_tokens=12, batch_size=4, cache_dir=str(REPO / "data/cache/models")),
        SamplingConfig(temperature=1.0),
    )
    try:
        cfg = StepPairsConfig(alternatives=2, continuations=1, max_steps=2, min_margin=0.05)
        pairs, stats = build_step_pairs(
            list(records.values()),
            builtin_tasks,
            policy,
            agent=agent_config,
            prices=model.prices,
            scorer_cfg=scorer,
            cfg=cfg,
            sandbox=SANDBOX,
        )
    finally:
        policy.close()
    assert stats["states"] == 1 and stats["skipped"] == {"not_train": 1}
    assert stats["alternatives"] == 2 and 1 <= stats["continuations"] <= 2
    assert stats["pairs"] == len(pairs) == sum(stats["outcomes"].get(k, 0) for k in ["pair"])
    assert sum(stats["outcomes"].values()) == 1
    # the recorded gap is what decided it (a tie of two different actions is no pair either way)
    assert len(stats["margins"]["per_state"]) == 1
    assert stats["pairs"] == (stats["margins"]["max"] >= 0.05 and "same_action" not in stats["outcomes"])
    # real generations: prompt tokens of the 6-message prefix, a few completion tokens each
    assert stats["prompt_tokens"] > 2 * 200 and 0 < stats["completion_tokens"] <= 12 * 2 * 3
    assert stats["continuation_tokens"] == stats["prompt_tokens"] + stats["completion_tokens"]
    assert stats["usd"] == 0.0
    for p in pairs:
        assert p["metadata"]["margin"] >= 0.05 and p["chosen"] != p["rejected"]
