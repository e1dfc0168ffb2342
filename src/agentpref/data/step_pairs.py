"""Step-level decision-point pairs: which next action, at one state of a rollout, leads to better
episodes?

At decision points of a train-split rollout (``states``, the first of each kind in the rollout):

- ``before_first_edit``: right before the first ``edit``/``write_file`` attempt (for a rollout
  that never tries one, after its last ``list_files``/``read_file``/``search``): edit now or keep
  reading;
- ``after_failed_edit``: right after an edit call that did not apply: re-read or retry the edit;
- ``after_edit``: right after an edit that applied: run the tests, finish or edit again;
- ``before_finish``: where the rollout finished: finish or keep going;

the policy samples K alternative next actions; draws of the same call are one alternative (each
draw one of its continuations), and a state where every draw is the same call is skipped before
any continuation (it is not counted in ``max_states``). Each alternative is continued M times with
the same policy for up to N more steps (or until ``finish``, the agent's ``max_steps`` or its
context budget), through the same harness as ``generate.py``: a fresh workspace with the prefix's
edits replayed, real tools, real tests. Each continuation is graded and scored as a full record
(prefix + alternative + its continuation), and

    value(alternative) = success_weight * success rate + (1 - success_weight) * mean score.

The best and the worst alternative form a pair when their values differ by at least
``min_margin`` and their actions differ; a pair's ``decision`` names the two action kinds
(``edit_vs_explore``, ``finish_vs_test``, ...) and its ``state`` the decision point. The stats
carry the value's noise: the standard deviation of one alternative's M continuation values.
Continuations cost tokens: every pair carries the tokens spent at its state and the stats carry
the total (and USD at the model's prices).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agentpref.agent.config import AgentConfig
from agentpref.agent.episode import Episode, PolicyOutput, PromptMode
from agentpref.agent.harness import Harness, next_turn, stable_seed
from agentpref.agent.policies.base import Policy
from agentpref.agent.protocol import EDIT_TOOLS, EXPLORE_TOOLS
from agentpref.agent.record import Cost, RolloutRecord, StepRecord
from agentpref.agent.tools import Workspace
from agentpref.errors import ConfigError, DataError
from agentpref.models import Prices
from agentpref.sandbox.limits import Limits
from agentpref.sandbox.runner import TestRunner
from agentpref.scoring.scorer import ScorerConfig, score_record
from agentpref.tasks.model import Task

ActionKind = Literal["edit", "explore", "test", "finish", "protocol_error"]
StateKind = Literal["before_first_edit", "after_failed_edit", "after_edit", "before_finish"]
STATE_KINDS: tuple[str, ...] = ("before_first_edit", "after_failed_edit", "after_edit", "before_finish")


class StepPairsConfig(BaseModel):
    """How decision points are chosen, explored and turned into pairs."""

    model_config = ConfigDict(extra="forbid")
    states: list[StateKind] = Field(
        default_factory=lambda: ["before_first_edit"],
        min_length=1,
        description="decision points visited in each rollout (the first of each kind): "
        "before_first_edit (edit now vs keep reading), after_failed_edit (re-read vs retry the edit), "
        "after_edit (run the tests vs finish vs edit more), before_finish (finish vs keep going)",
    )
    alternatives: int = Field(4, ge=2, description="K: next actions sampled at each state")
    continuations: int = Field(2, ge=1, description="M: continuations of each alternative")
    max_steps: int = Field(6, ge=0, description="N: steps a continuation may take after the alternative")
    min_margin: float = Field(0.3, gt=0, le=1, description="value gap needed for a pair (ties never pair)")
    success_weight: float = Field(0.5, ge=0, le=1, description="value = w * success rate + (1 - w) * mean score")
    temperature: float | None = Field(
        1.0,
        ge=0,
        description="sampling temperature of the K alternatives; None: the policy's own "
        "(continuations always use the policy's own)",
    )
    max_states: int | None = Field(None, ge=1, description="stop after this many states")
    max_states_per_task: int | None = Field(
        None, ge=1, description="visit at most this many states of one task (spreads a budget over tasks)"
    )
    budget_tokens: int | None = Field(None, gt=0, description="cap on prompt+completion tokens spent")
    seed: int = 0

    @field_validator("states", mode="before")
    @classmethod
    def _one_kind(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


# ---- restoring a state ---------------------------------------------------------------------------
def restore_episode(
    record: RolloutRecord,
    step_index: int,
    task: Task,
    runner: TestRunner,
    agent: AgentConfig,
    mode: PromptMode,
    scratch_dir: Path,
) -> Episode:
    """The episode as it stood right before ``record.steps[step_index]``: a fresh workspace (a new
    directory under ``scratch_dir``) with the prefix's successful edits replayed, and the prefix's
    messages and steps. Raises if the prompt differs (other agent config or prompt mode) or an
    edit no longer applies: the state could not be reproduced faithfully."""
    if task.id != record.task_id:
        raise DataError(f"restore_episode: task {task.id!r} given for a record of {record.task_id!r}")
    if not 0 <= step_index <= len(record.steps):
        raise DataError(
            f"restore_episode: step {step_index} outside the {len(record.steps)} steps of "
            f"{record.task_id}#{record.sample_index}"
        )
    if len(record.messages) != 2 + 2 * len(record.steps):
        raise DataError(
            f"{record.task_id}#{record.sample_index}: {len(record.messages)} messages for "
            f"{len(record.steps)} steps (expected system, user, then 2 per step)"
        )
    Path(scratch_dir).mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="state-", dir=scratch_dir))
    ws = Workspace(task, root, runner, observation_limit=agent.observation_limit_chars)
    ep = Episode(ws, sample_index=record.sample_index, seed=record.seed, agent=agent, mode=mode)
    if ep.system != record.messages[0]["content"]:
        shutil.rmtree(root, ignore_errors=True)
        raise ConfigError(
            f"prompt mismatch restoring {record.task_id}#{record.sample_index} (run {record.run_id}): "
            f"the system prompt built from this agent config and prompt mode {mode!r} differs from the "
            "record's; use the agent config and policy the rollouts were generated with"
        )
    prefix = record.steps[:step_index]
    for step in prefix:
        if step.edited and step.action is not None and step.action.name in EDIT_TOOLS:
            obs = ws.execute(step.action)
            if not obs.ok:
                shutil.rmtree(root, ignore_errors=True)
                raise DataError(
                    f"{record.task_id}#{record.sample_index}: replaying step {step.index} "
                    f"({step.action.name}) failed: {obs.text}"
                )
    ep.messages = [dict(m) for m in record.messages[: 2 + 2 * step_index]]
    ep.steps = [s.model_copy(deep=True) for s in prefix]
    return ep


def decision_state(record: RolloutRecord, states: str = "before_first_edit") -> int | None:
    """Index of the step a decision of kind ``states`` is taken at (the state is everything
    before it), the first in the rollout; None when the rollout has no such point."""
    steps = record.steps

    def after(pred) -> int | None:
        return next((s.index + 1 for s in steps if s.action is not None and pred(s)), None)

    if states == "before_first_edit":
        for s in steps:
            if s.action is not None and s.action.name in EDIT_TOOLS:
                return s.index
        explore = [s.index for s in steps if s.action is not None and s.action.name in EXPLORE_TOOLS]
        return explore[-1] + 1 if explore else None
    if states == "after_failed_edit":
        return after(lambda s: s.action.name in EDIT_TOOLS and not s.tool_ok)
    if states == "after_edit":
        return after(lambda s: s.action.name in EDIT_TOOLS and bool(s.tool_ok))
    if states == "before_finish":
        return next((s.index for s in steps if s.action is not None and s.action.name == "finish"), None)
    raise ConfigError(f"unknown states {states!r}: use {', '.join(STATE_KINDS)}")


def decision_states(record: RolloutRecord, kinds: list[str]) -> list[tuple[str, int]]:
    """(kind, step index) of each kind's decision point in the rollout, one per step index."""
    found: dict[int, str] = {}
    for kind in kinds:
        index = decision_state(record, kind)
        if index is not None and index not in found:
            found[index] = kind
    return sorted(((kind, index) for index, kind in found.items()), key=lambda x: x[1])


def decision_name(kinds: set[str]) -> str:
    """``edit_vs_explore``, ``finish_vs_test``, ...: the two action kinds a pair decides between."""
    return "_vs_".join(sorted(kinds)) if len(kinds) == 2 else f"{next(iter(kinds))}_vs_{next(iter(kinds))}"


def action_kind(step: StepRecord) -> ActionKind:
    if step.action is None:
        return "protocol_error"
    name = step.action.name
    if name in EDIT_TOOLS:
        return "edit"
    if name in EXPLORE_TOOLS:
        return "explore"
    return "test" if name == "run_tests" else "finish"


def _action_key(step: StepRecord) -> str:
    """What makes two alternatives 'the same action': the parsed call, else the raw text."""
    return step.action.render() if step.action is not None else "raw:" + step.raw_text.strip()


@contextmanager
def _temperature(policy: Policy, temperature: float | None):
    """Sample the alternatives at the configured temperature, then restore the policy's own."""
    if temperature is None:
        yield
        return
    old = policy.sampling
    policy.sampling = old.model_copy(update={"temperature": temperature})
    try:
        yield
    finally:
        policy.sampling = old


class _BudgetExceeded(Exception):
    pass


class _OneAction(Exception):
    """Every alternative drawn at a state was the same call."""


# ---- the builder ---------------------------------------------------------------------------------
class _Builder:
    """One run of ``build_step_pairs``: runners, thread pool, scratch dir and spend."""

    def __init__(
        self,
        policy: Policy,
        agent: AgentConfig,
        prices: Prices,
        scorer_cfg: ScorerConfig,
        cfg: StepPairsConfig,
        runner_mode: str,
        sandbox: Limits,
        workers: int,
    ):
        self.policy, self.agent, self.prices, self.scorer_cfg, self.cfg = policy, agent, prices, scorer_cfg, cfg
        self.info = policy.info()
        self.harness = Harness(runner_mode, sandbox, workers, "step-pairs")
        self.live: dict[int, Episode] = {}  # restored episodes not yet dropped
        self.spend = Cost()  # tokens only: USD from the prices at the end
        self.policy_errors = 0

    def close(self) -> None:
        self.harness.close()

    @property
    def tokens(self) -> int:
        return self.spend.tokens

    def restore(self, record: RolloutRecord, step_index: int, task: Task, seed: int) -> Episode:
        runner, root = self.harness.next_workspace()
        ep = restore_episode(record, step_index, task, runner, self.agent, self.policy.prompt_mode, root)
        ep.seed = seed
        self.live[id(ep)] = ep
        return ep

    def drop(self, ep: Episode) -> None:
        self.live.pop(id(ep), None)
        self.policy.forget(ep)
        shutil.rmtree(ep.workspace.root, ignore_errors=True)

    def drop_all(self) -> None:
        for ep in list(self.live.values()):
            self.drop(ep)

    def act(self, episodes: list[Episode], seed: int) -> None:
        """One lock-step turn for ``episodes``, the loop ``generate.py`` runs: context-budget
        check, token budget, the policy in chunks of ``policy.batch_size``, tools on the pool."""
        live, prompt, completion = next_turn(episodes, self.policy, self.agent)
        cap = self.cfg.budget_tokens
        if live and cap is not None and self.tokens + prompt + completion > cap:
            raise _BudgetExceeded
        turn = self.harness.turn(live, self.policy, lambda start: stable_seed(seed, start))
        for out in turn.outputs:
            self.spend.add(out.prompt_tokens, out.completion_tokens)
            self.policy_errors += out.error is not None

    def evaluate(self, ep: Episode, record: RolloutRecord) -> tuple[bool, float] | None:
        """(resolved, score) of a finished continuation as a full record; None on a policy error."""
        try:
            if ep.end_reason == "policy_error":
                return None
            final = ep.grade()
            rec = ep.to_record(
                run_id=f"{record.run_id}/step-pairs",
                policy=self.info,
                prompt_hash=record.prompt_hash,
                prices=self.prices,
                final=final,
            )
            scored = score_record(rec, self.scorer_cfg)
            return final.resolved, float(scored.score or 0.0)
        finally:
            self.drop(ep)

    def state(self, record: RolloutRecord, step_index: int, task: Task) -> dict[str, Any]:
        """Sample K alternatives at one state, continue each M times, value them."""
        try:
            return self._state(record, step_index, task)
        finally:
            self.drop_all()  # on errors (budget, replay) nothing leaks

    def _state(self, record: RolloutRecord, step_index: int, task: Task) -> dict[str, Any]:
        cfg = self.cfg
        # record.seed, not run_id: run_id hashes the run dir's path, so the same study in another
        # dir would sample other alternatives
        base = (cfg.seed, record.seed, record.task_id, record.sample_index, step_index)
        alts = [self.restore(record, step_index, task, stable_seed(*base, "alt", k)) for k in range(cfg.alternatives)]
        tokens_before = self.tokens
        with _temperature(self.policy, cfg.temperature):
            self.act(alts, seed=stable_seed(*base, "alternatives"))
        # one group per distinct action: a draw of an action already drawn is one more continuation
        # of it (up to M); the rest of the M are fresh copies replaying the same turn
        groups: list[tuple[StepRecord, list[Episode]]] = []
        outputs: list[PolicyOutput] = []
        seen: dict[str, list[Episode]] = {}
        for ep in alts:
            if len(ep.steps) <= step_index:  # context budget or policy error: no alternative
                self.drop(ep)
                continue
            step = ep.steps[step_index]
            copies = seen.get(_action_key(step))
            if copies is None:
                seen[_action_key(step)] = copies = [ep]
                groups.append((step, copies))
            elif len(copies) < cfg.continuations and not ep.done:  # a finished copy has nothing to sample
                copies.append(ep)
            else:
                self.drop(ep)
        if len(groups) < 2:  # one action (or none) drawn: nothing to compare, no continuation spent
            raise _OneAction
        replayed: list[tuple[Episode, StepRecord]] = []
        for g, (step, copies) in enumerate(groups):
            while not copies[0].done and len(copies) < cfg.continuations:
                copy = self.restore(record, step_index, task, stable_seed(*base, "cont", g, len(copies)))
                copies.append(copy)
                replayed.append((copy, step))
                outputs.append(PolicyOutput(text=step.raw_text))
        # replayed turns cost no tokens: the alternative was generated once ...
        self.harness.apply([c for c, _ in replayed], outputs)
        for c, step in replayed:  # ... but their records show what it cost
            c.steps[-1] = c.steps[-1].model_copy(
                update={"prompt_tokens": step.prompt_tokens, "completion_tokens": step.completion_tokens}
            )
        everyone = [c for _, copies in groups for c in copies]
        for n in range(cfg.max_steps):
            live = [c for c in everyone if not c.done]
            if not live:
                break
            self.act(live, seed=stable_seed(*base, "step", n))
        for c in everyone:
            c.end("max_steps")  # N extra steps taken: the continuation stops
        results = list(self.harness.pool.map(lambda c: self.evaluate(c, record), everyone))
        alternatives, i = [], 0
        for step, copies in groups:
            got = [r for r in results[i : i + len(copies)] if r is not None]
            i += len(copies)
            if not got:
                continue
            success = sum(r[0] for r in got) / len(got)
            mean_score = sum(r[1] for r in got) / len(got)
            each = [cfg.success_weight * r[0] + (1 - cfg.success_weight) * r[1] for r in got]
            value = sum(each) / len(each)  # = w * success rate + (1 - w) * mean score
            alternatives.append(
                {
                    "step": step,
                    "kind": action_kind(step),
                    "value": round(value, 6),
                    "success_rate": round(success, 6),
                    "mean_score": round(mean_score, 6),
                    "continuations": len(got),
                    "continuation_values": [round(v, 6) for v in each],
                }
            )
        return {"alternatives": alternatives, "continuations": len(everyone), "tokens": self.tokens - tokens_before}


def make_pair(
    record: RolloutRecord,
    step_index: int,
    alternatives: list[dict[str, Any]],
    tokens: int,
    min_margin: float,
    state: str = "before_first_edit",
) -> tuple[dict[str, Any] | None, str]:
    """(pair, why) from valued alternatives: best vs worst when the margin is large enough and
    the actions differ; else (None, the reason)."""
    if len(alternatives) < 2:
        return None, "too_few_alternatives"
    best = max(alternatives, key=lambda a: a["value"])
    worst = min(alternatives, key=lambda a: a["value"])
    margin = round(best["value"] - worst["value"], 6)
    if margin < min_margin or margin <= 0:
        return None, "small_margin"
    if _action_key(best["step"]) == _action_key(worst["step"]):
        return None, "same_action"
    kinds = {best["kind"], worst["kind"]}
    return {
        "prompt": [dict(m) for m in record.messages[: 2 + 2 * step_index]],
        "chosen": [{"role": "assistant", "content": best["step"].raw_text}],
        "rejected": [{"role": "assistant", "content": worst["step"].raw_text}],
        "metadata": {
            "pair_kind": "step",
            "task_id": record.task_id,
            "source_run": record.run_id,
            "sample_index": record.sample_index,
            "step_index": step_index,
            "chosen_value": best["value"],
            "rejected_value": worst["value"],
            "margin": margin,
            "chosen_kind": best["kind"],
            "rejected_kind": worst["kind"],
            "state": state,
            "decision": decision_name(kinds),
            "alternatives": [
                {k: a[k] for k in ("kind", "value", "success_rate", "mean_score", "continuation_values") if k in a}
                for a in alternatives
            ],
            "continuation_tokens": tokens,
        },
    }, "pair"


def build_step_pairs(
    records: list[RolloutRecord],
    tasks_by_id: dict[str, Task],
    policy: Policy,
    *,
    agent: AgentConfig,
    prices: Prices,
    scorer_cfg: ScorerConfig,
    cfg: StepPairsConfig,
    runner_mode: str = "fork",
    sandbox: Limits | None = None,
    workers: int = 2,
    progress: bool = False,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Decision-point pairs from train-split rollouts, plus stats (tokens and USD included).

    Only train records are used (heldout tasks must never reach training data). A state whose
    continuations would pass ``cfg.budget_tokens`` is abandoned (its tokens still count) and the
    build stops with ``stop_reason="budget_tokens"``.
    """
    started = time.perf_counter()
    skipped: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    pairs: list[dict[str, Any]] = []
    margins: list[float] = []  # best - worst value per state: what min_margin is compared to
    states = alternatives = continuations = 0
    per_task: Counter[str] = Counter()
    visited: Counter[str] = Counter()  # states by kind
    spreads: list[float] = []  # sd of one alternative's continuation values: the value's noise
    stop_reason = "completed"
    builder = _Builder(policy, agent, prices, scorer_cfg, cfg, runner_mode, sandbox or Limits(), workers)
    try:
        for record in records:
            if cfg.max_states is not None and states >= cfg.max_states:
                stop_reason = "max_states"
                break
            if record.split != "train":
                skipped["not_train"] += 1
                continue
            task = tasks_by_id.get(record.task_id)
            if task is None:
                skipped["unknown_task"] += 1
                continue
            points = decision_states(record, cfg.states)
            if not points:
                skipped["no_state"] += 1
                continue
            for kind, step_index in points:
                if cfg.max_states is not None and states >= cfg.max_states:
                    stop_reason = "max_states"
                    break
                if step_index >= agent.max_steps:
                    skipped["no_steps_left"] += 1
                    continue
                if cfg.max_states_per_task is not None and per_task[record.task_id] >= cfg.max_states_per_task:
                    skipped["task_has_enough_states"] += 1
                    continue
                spent_before = builder.tokens
                try:
                    result = builder.state(record, step_index, task)
                except _OneAction:  # every draw the same call: no continuation spent, no state counted
                    skipped["one_action"] += 1
                    continue
                except _BudgetExceeded:
                    result, stop_reason = None, "budget_tokens"
                    reasons["budget"] += 1
                except DataError as exc:  # an edit of the prefix no longer applies: task changed
                    result = None
                    skipped["replay_failed"] += 1
                    if progress:
                        print(f"[step-pairs] skipped: {exc}", file=sys.stderr, flush=True)
                states += 1
                per_task[record.task_id] += 1
                visited[kind] += 1
                if result is None:
                    if stop_reason != "completed":
                        break
                    continue
                alternatives += len(result["alternatives"])
                values = [a["value"] for a in result["alternatives"]]
                if len(values) >= 2:
                    margins.append(round(max(values) - min(values), 6))
                spreads.extend(
                    statistics.stdev(a["continuation_values"])
                    for a in result["alternatives"]
                    if len(a["continuation_values"]) >= 2
                )
                continuations += result["continuations"]
                pair, why = make_pair(
                    record, step_index, result["alternatives"], result["tokens"], cfg.min_margin, kind
                )
                reasons[why] += 1
                if pair is not None:
                    pairs.append(pair)
                if progress:
                    print(
                        f"[step-pairs] {record.task_id}#{record.sample_index} {kind} (step {step_index}): {why}; "
                        f"{len(pairs)} pairs, {builder.tokens - spent_before} tokens",
                        file=sys.stderr,
                        flush=True,
                    )
            if stop_reason != "completed":
                break
    finally:
        builder.close()
    tokens = builder.tokens
    stats = {
        "records": len(records),
        "states": states,
        "alternatives": alternatives,
        "continuations": continuations,
        "pairs": len(pairs),
        "states_by_kind": dict(visited),
        "pairs_by_state": dict(Counter(p["metadata"]["state"] for p in pairs)),
        "decisions": dict(Counter(p["metadata"]["decision"] for p in pairs)),
        "value": {
            "success_weight": cfg.success_weight,
            "continuations": cfg.continuations,
            # sd of the M continuation values of one alternative, averaged: how noisy a value is,
            # to set against min_margin
            "continuation_sd_mean": round(statistics.fmean(spreads), 6) if spreads else None,
        },
        "pairs_per_task": dict(Counter(p["metadata"]["task_id"] for p in pairs)),
        "outcomes": dict(reasons),
        "skipped": dict(skipped),
        "margins": {
            "min_margin": cfg.min_margin,
            "max": max(margins, default=None),
            "mean": round(sum(margins) / len(margins), 6) if margins else None,
            "per_state": margins,
        },
        "policy_errors": builder.policy_errors,
        "prompt_tokens": builder.spend.prompt_tokens,
        "completion_tokens": builder.spend.completion_tokens,
        "continuation_tokens": tokens,
        "pairs_per_mtok": round(len(pairs) / (tokens / 1e6), 3) if tokens else None,
        "usd": round(prices.usd(builder.spend.prompt_tokens, builder.spend.completion_tokens), 8),
        "stop_reason": stop_reason,
        "seconds": round(time.perf_counter() - started, 2),
    }
    return pairs, stats
