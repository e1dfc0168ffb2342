"""``generate.py``: run a policy over a task set and write scored-ready rollouts.

One JSON line per finished episode is appended and fsynced to ``<run_dir>/rollouts.jsonl``.
Re-running with the same run dir resumes: finished (task, sample) pairs are skipped, a line cut
by ``kill -9`` is repaired, nothing is written twice. ``budget.tokens`` / ``budget.usd`` stop new
episodes before the cap would be passed (and cut running ones if a step could pass it);
``shard.index`` / ``shard.count`` split the tasks across jobs with no overlap.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from agentpref.agent.config import AgentConfig, BackendConfig, SamplingConfig
from agentpref.agent.episode import Episode, PolicyOutput, prompt_hash, system_message
from agentpref.agent.harness import Harness, end_over_context, next_turn, stable_seed
from agentpref.agent.policies import build_policy
from agentpref.agent.policies.base import Policy
from agentpref.agent.protocol import tool_schemas
from agentpref.agent.record import Cost, RolloutRecord, RolloutWriter, read_rollouts, repair_tail
from agentpref.agent.tools import Workspace
from agentpref.errors import ConfigError
from agentpref.models import ModelConfig
from agentpref.run_files import GenerationManifest, GenerationSummary
from agentpref.sandbox.limits import Limits
from agentpref.tasks.config import TaskSetConfig
from agentpref.tasks.loading import LoadResult
from agentpref.tasks.model import Task
from agentpref.tasks.registry import load_task_set
from agentpref.tracking import LoggerConfig, Tracker

ROLLOUTS_FILE = "rollouts.jsonl"
MAX_FAILED_STEPS = 3  # consecutive steps in which every request failed: the backend is down


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    usd: float | None = Field(None, gt=0, description="stop before spending more (model prices)")
    tokens: int | None = Field(None, gt=0, description="stop before more prompt+completion tokens")


class Shard(BaseModel):
    model_config = ConfigDict(extra="forbid")
    index: int = Field(0, ge=0)
    count: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _in_range(self) -> Shard:
        if self.index >= self.count:
            raise ValueError(f"shard.index={self.index} must be < shard.count={self.count}")
        return self


class PolicyRunConfig(BaseModel):
    """What any run of a policy over tasks needs (generate.py, evaluate.py)."""

    model_config = ConfigDict(extra="forbid")
    model: ModelConfig
    backend: BackendConfig
    tasks: TaskSetConfig
    sandbox: Limits
    agent: AgentConfig
    logger: LoggerConfig = Field(discriminator="kind")
    temperature: float = Field(0.7, ge=0, description="0 = greedy (decoding=greedy)")
    top_p: float = Field(1.0, gt=0, le=1)
    top_k: int = Field(0, ge=0, description="sample among the k likeliest tokens; 0 = off")
    seed: int = 0
    budget: Budget = Budget()
    max_episodes: int | None = Field(None, ge=1, description="stop after this many new episodes")
    runner: str = Field("fork", pattern="^(fork|subprocess)$")
    workers: int = Field(2, ge=1, description="threads running tools and grading")
    progress: bool = True
    run_dir: str


class GenerateConfig(PolicyRunConfig):
    """Config of ``generate.py`` (conf/generate.yaml)."""

    rollouts_per_task: int = Field(1, ge=1)
    shard: Shard = Shard()

    @property
    def sampling(self) -> SamplingConfig:
        return SamplingConfig(temperature=self.temperature, top_p=self.top_p, top_k=self.top_k)


def shard_tasks(tasks: list[Task], shard: Shard) -> list[Task]:
    """Stable split by task id: every task lands in exactly one shard."""
    ordered = sorted(tasks, key=lambda t: t.id)
    return [t for i, t in enumerate(ordered) if i % shard.count == shard.index]


@dataclass
class RunState:
    records: list[RolloutRecord] = field(default_factory=list)  # this run's new records
    previous: list[RolloutRecord] = field(default_factory=list)  # found in the run dir
    spend: Cost = field(default_factory=Cost)
    failed: list[str] = field(default_factory=list)  # policy errors (retried on resume)
    stop_reason: str = "completed"


def _manifest(policy: Policy, agent: AgentConfig, run_id: str) -> GenerationManifest:
    system = system_message(agent, policy.prompt_mode)
    template = policy.chat_template()
    limits = {
        "max_steps": agent.max_steps,
        "max_context_tokens": agent.max_context_tokens,
        "observation_limit_chars": agent.observation_limit_chars,
    }
    if agent.failures_shown != AgentConfig.model_fields["failures_shown"].default:  # earlier run dirs resume
        limits["failures_shown"] = agent.failures_shown
    if agent.reindent:
        limits["reindent"] = 1
    return GenerationManifest(
        run_id=run_id,
        policy=policy.info().model_dump(),
        prompt_mode=policy.prompt_mode,
        prompt_hash=prompt_hash(system, template, agent.edit_format, agent.numbered),
        system_prompt=system,
        task_prompt=agent.task_prompt,
        tools=tool_schemas(agent.edit_format),
        edit_format=agent.edit_format,
        line_numbers=agent.numbered,
        chat_template=template,
        limits=limits,
    )


def _check_same_run(run_dir: Path, manifest: GenerationManifest) -> str:
    """Resuming must not mix policies or prompts in one rollouts file; returns the run id."""
    old = GenerationManifest.read_if_present(run_dir)
    if old is None:
        return manifest.run_id
    for key in ("policy", "prompt_hash", "limits"):
        if getattr(old, key) != getattr(manifest, key):
            raise ConfigError(
                f"{run_dir} holds rollouts of a different {key.replace('_', ' ')} "
                f"({getattr(old, key)!r} != {getattr(manifest, key)!r}): use a new run_dir"
            )
    return old.run_id


class Generation:
    """The lock-step scheduler: at most ``policy.batch_size`` episodes in flight; each step is
    one ``policy.act`` call for all of them, then their tools run on a thread pool."""

    def __init__(
        self,
        cfg: GenerateConfig,
        policy: Policy,
        writer: RolloutWriter,
        state: RunState,
        tracker: Tracker,
        run_id: str,
        run_prompt_hash: str,
    ):
        self.cfg, self.policy, self.writer, self.state, self.tracker = cfg, policy, writer, state, tracker
        self.run_id, self.prompt_hash = run_id, run_prompt_hash
        self.info = policy.info()
        self.harness = Harness(cfg.runner, cfg.sandbox, cfg.workers, "episodes")
        self._step = 0
        self._failed_steps = 0
        # wall seconds of each round (one act + its tools) and their split, plus grading: the
        # profile a change of scheduler (e.g. continuous batching) is measured against
        self.round_s: list[float] = []
        self.timings = {"policy_s": 0.0, "tool_s": 0.0, "grade_s": 0.0}

    def close(self) -> None:
        self.harness.close()

    def profile(self) -> dict[str, Any]:
        """This run's scheduling time (resumed episodes not included); the policy adds its own."""
        out: dict[str, Any] = {"rounds": len(self.round_s)}
        if self.round_s:
            import numpy as np

            p50, p90 = np.percentile(self.round_s, [50, 90], method="inverted_cdf")
            out["round_s"] = {
                "mean": round(sum(self.round_s) / len(self.round_s), 2),
                "p50": round(float(p50), 2),
                "p90": round(float(p90), 2),
                "max": round(max(self.round_s), 2),
            }
        return out | {k: round(v, 2) for k, v in self.timings.items()}

    # ---- budget -------------------------------------------------------------------------------
    def _over(self, extra_prompt: int, extra_completion: int) -> str | None:
        """The budget key that ``extra`` tokens on top of what was spent would pass, if any."""
        budget, spend = self.cfg.budget, self.state.spend
        if budget.tokens is not None and spend.tokens + extra_prompt + extra_completion > budget.tokens:
            return "budget.tokens"
        if budget.usd is not None:
            usd = spend.usd + self.cfg.model.prices.usd(extra_prompt, extra_completion)
            if usd > budget.usd:
                return "budget.usd"
        return None

    def _episode_estimate(self) -> tuple[int, int]:
        """Tokens a new episode may cost: the largest finished episode so far, else one step."""
        done = self.state.records + self.state.previous
        if done:
            biggest = max(done, key=lambda r: r.cost.tokens)
            return biggest.cost.prompt_tokens, biggest.cost.completion_tokens
        return self.cfg.agent.max_context_tokens // 4, self.policy.max_new_tokens

    def _room_for_another(self, in_flight: int) -> bool:
        """Whether a new episode fits the budget next to ``in_flight`` running ones (if not, the
        run's stop reason is set: no episode starts after it)."""
        est_prompt, est_completion = self._episode_estimate()
        over = self._over(est_prompt + in_flight * (est_prompt + est_completion), est_completion)
        if over:
            self.state.stop_reason = over
        return not over

    def _charge(self, out: PolicyOutput) -> None:
        self.state.spend.add(
            out.prompt_tokens,
            out.completion_tokens,
            self.cfg.model.prices.usd(out.prompt_tokens, out.completion_tokens),
        )

    # ---- episodes -----------------------------------------------------------------------------
    def start(self, task: Task, sample_index: int) -> Episode:
        runner, root = self.harness.next_workspace()
        ws = Workspace(task, root, runner, observation_limit=self.cfg.agent.observation_limit_chars)
        return Episode(
            ws,
            sample_index=sample_index,
            seed=stable_seed(self.cfg.seed, task.id, sample_index),
            agent=self.cfg.agent,
            mode=self.policy.prompt_mode,
        )

    def _finish(self, ep: Episode) -> RolloutRecord | None:
        try:
            if ep.end_reason == "policy_error":
                return None
            final = ep.grade()
            return ep.to_record(
                run_id=self.run_id,
                policy=self.info,
                prompt_hash=self.prompt_hash,
                prices=self.cfg.model.prices,
                final=final,
            )
        finally:
            self.policy.forget(ep)
            shutil.rmtree(ep.workspace.root, ignore_errors=True)

    def run(self, pending: list[tuple[Task, int]], on_record) -> None:
        if getattr(self.cfg.backend, "scheduler", "lockstep") == "continuous":
            self._run_continuous(pending, on_record)
            return
        active: list[Episode] = []
        queue = list(pending)
        while True:
            while (
                queue
                and len(active) < self.policy.batch_size
                and self.state.stop_reason == "completed"
                and self._room_for_another(len(active))
            ):
                active.append(self.start(*queue.pop(0)))
            if not active:
                return
            self._advance(active)
            ended = [ep for ep in active if ep.done]
            active = [ep for ep in active if not ep.done]
            self._record(ended, on_record)
            if self._failed_steps >= MAX_FAILED_STEPS:
                self.state.stop_reason = "policy_error"
                for ep in active:
                    self.policy.forget(ep)
                return

    def _record(self, ended: list[Episode], on_record) -> None:
        t0 = time.perf_counter()  # wall time of grading (in parallel) and writing the records
        for ep, record in zip(ended, self.harness.pool.map(self._finish, ended), strict=True):
            if record is None:
                self.state.failed.append(f"{ep.task.id}#{ep.sample_index}: {ep.policy_error}")
                continue
            self.writer.write(record)
            self.state.records.append(record)
            on_record(record)
        self.timings["grade_s"] += time.perf_counter() - t0

    def _run_continuous(self, pending: list[tuple[Task, int]], on_record) -> None:
        """Continuous batching (``backend.scheduler=continuous``, the hf policy): a turn that ends
        leaves the batch at that decode step; its tool runs on the pool while the others decode,
        and its result is awaited ``backend.tool_wait_steps`` steps later, a fixed point, so which
        rows share a step never depends on timing. Then the episode's next turn joins. The
        profile's rounds are the scheduler's iterations (one decode step each)."""
        policy, cfg = self.policy, self.cfg
        queue = list(pending)
        ready: list[Episode] = []  # episodes whose next turn can start
        tools: list[tuple[int, Episode, Any]] = []  # (decode step it is awaited at, episode, future)
        open_prompts: dict[int, int] = {}  # prompt tokens of the turns in the batch
        in_flight, step = 0, 0
        while True:
            t0 = time.perf_counter()
            while (
                queue
                and in_flight < policy.batch_size
                and self.state.stop_reason == "completed"
                and self._room_for_another(in_flight)
            ):
                ready.append(self.start(*queue.pop(0)))
                in_flight += 1
            t_tools = time.perf_counter()
            due = [t for t in tools if t[0] <= step]
            tools = [t for t in tools if t[0] > step]
            for _, ep, future in due:
                future.result()
                ready.append(ep)
            self.timings["tool_s"] += time.perf_counter() - t_tools  # waiting for tools only
            sizes = end_over_context([ep for ep in ready if not ep.done], policy, cfg.agent)
            starting = []
            for ep in (ep for ep in ready if not ep.done):
                over = self._over(
                    sum(open_prompts.values()) + sizes[id(ep)], policy.max_new_tokens * (len(open_prompts) + 1)
                )
                if over:  # this turn could pass the cap: the episode ends (and is recorded)
                    self.state.stop_reason = over
                    ep.end("budget")
                else:
                    starting.append(ep)
            ended = [ep for ep in ready if ep.done]
            ready = []
            if ended:
                self._record(ended, on_record)
                in_flight -= len(ended)
            if not queue or self.state.stop_reason != "completed":
                policy.stream_shrink(in_flight)  # no episode joins any more
            t1 = time.perf_counter()
            for ep in starting:  # room: at most batch_size episodes are in flight
                open_prompts[id(ep)] = sizes[id(ep)]
                policy.open_turn(ep, seed=stable_seed(cfg.seed, ep.seed, len(ep.steps)))
            if policy.stream_rows():
                finished = policy.stream_step()
                step += 1
                for ep, out in finished:
                    open_prompts.pop(id(ep))
                    self._charge(out)
                    tools.append((step + cfg.backend.tool_wait_steps, ep, self.harness.pool.submit(ep.apply, out)))
                self.timings["policy_s"] += time.perf_counter() - t1
                self.round_s.append(time.perf_counter() - t0)
            elif tools:
                step = min(t[0] for t in tools)  # nothing to decode: the next result
            elif in_flight == 0 and (not queue or self.state.stop_reason != "completed"):
                return

    def _advance(self, active: list[Episode]) -> None:
        live, prompt, completion = next_turn(active, self.policy, self.cfg.agent)
        if not live:
            return
        over = self._over(prompt, completion)
        if over:  # this step could pass the cap: cut the running episodes (they are recorded)
            self.state.stop_reason = over
            for ep in live:
                ep.end("budget")
            return
        self._step += 1
        seed = self.cfg.seed * 1_000_003 + self._step
        turn = self.harness.turn(live, self.policy, lambda start: seed)  # live fits one batch
        for out in turn.outputs:
            self._charge(out)
        self._failed_steps = self._failed_steps + 1 if all(o.error for o in turn.outputs) else 0
        self.timings["policy_s"] += turn.policy_s
        self.timings["tool_s"] += turn.tool_s
        self.round_s.append(turn.policy_s + turn.tool_s)


def summarize(records: list[RolloutRecord]) -> dict[str, Any]:
    """Run-level metrics over records (this run's and resumed ones)."""
    n = len(records)
    steps = sum(len(r.steps) for r in records)
    return {
        "episodes": n,
        "resolved": sum(r.final.resolved for r in records),
        "pass_rate": round(sum(r.final.resolved for r in records) / n, 4) if n else 0.0,
        "protocol_error_rate": round(sum(r.protocol_errors for r in records) / steps, 4) if steps else 0.0,
        "episodes_with_protocol_error": sum(r.protocol_errors > 0 for r in records),
        "mean_steps": round(steps / n, 3) if n else 0.0,
        "prompt_tokens": sum(r.cost.prompt_tokens for r in records),
        "completion_tokens": sum(r.cost.completion_tokens for r in records),
        "usd": round(sum(r.cost.usd for r in records), 8),
        "end_reasons": dict(Counter(r.end_reason for r in records)),
    }


def _flat_numbers(d: dict[str, Any], prefix: str) -> dict[str, float]:
    """Numeric entries of a nested dict under slash-joined keys (W&B summary takes scalars)."""
    out: dict[str, float] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out |= _flat_numbers(v, f"{prefix}{k}/")
        elif isinstance(v, int | float) and not isinstance(v, bool):
            out[prefix + k] = v
    return out


def render_transcript(record: RolloutRecord, limit: int = 6000) -> str:
    parts = [f"[{m['role']}]\n{m['content']}" for m in record.messages[1:]]
    text = "\n\n".join(parts)
    return text if len(text) <= limit else text[:limit] + "\n... (truncated)"


def _log_run(
    tracker: Tracker, summary: GenerationSummary, profile: dict[str, Any], records: list[RolloutRecord]
) -> None:
    tracker.summary({k: v for k, v in summary.model_dump().items() if isinstance(v, int | float | str)})
    tracker.summary(_flat_numbers(profile, "profile/"))
    rows = [
        [
            r.task_id,
            r.sample_index,
            r.final.resolved,
            r.end_reason,
            len(r.steps),
            render_transcript(r),
            r.final.diff,
            f"visible: {r.final.visible.counts}; hidden: {r.final.hidden.counts if r.final.hidden else '-'}",
        ]
        for r in records[: tracker.table_rows]
    ]
    tracker.table(
        "trajectories", ["task", "sample", "resolved", "end_reason", "steps", "transcript", "diff", "outcome"], rows
    )


def run_generation(
    cfg: GenerateConfig,
    config_dict: dict[str, Any] | None = None,
    loaded: LoadResult | None = None,
    summary_file: str = GenerationSummary.FILE,
    tracker: Tracker | None = None,
) -> GenerationSummary:
    """The whole run; returns the summary (also written to ``<run_dir>/<summary_file>``).
    ``loaded``: the task set of ``cfg.tasks`` when the caller has already loaded it;
    ``summary_file``: evaluate.py keeps summary.json for its own summary; ``tracker``: the caller's
    live W&B run (evaluate.py's), which gets the episode curves and which the caller finishes."""
    from tqdm import tqdm

    started = time.perf_counter()
    run_dir = Path(cfg.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    loaded = loaded or load_task_set(cfg.tasks, cfg.sandbox, cfg.runner, cfg.workers)
    for problem in loaded.problems:
        print(f"problem: {problem}", file=sys.stderr)
    tasks = shard_tasks(loaded.tasks, cfg.shard)
    rollouts = run_dir / ROLLOUTS_FILE
    cut = repair_tail(rollouts)
    if cut:
        print(f"resume: cut a half-written last line ({cut} bytes) from {rollouts}", file=sys.stderr)
    state = RunState(previous=read_rollouts(rollouts) if rollouts.exists() else [])
    done = {r.key for r in state.previous}
    for r in state.previous:
        state.spend.add(r.cost.prompt_tokens, r.cost.completion_tokens, r.cost.usd)
    pending = [(t, k) for t in tasks for k in range(cfg.rollouts_per_task) if (t.id, k) not in done]
    if cfg.max_episodes:
        pending = pending[: cfg.max_episodes]
    if done:
        print(f"resume: {len(done)} episodes already in {rollouts}; {len(pending)} to go", file=sys.stderr)

    policy = build_policy(cfg.model, cfg.backend, cfg.sampling, cfg.agent)
    own_tracker = tracker is None
    exit_code = 1
    try:
        manifest = _manifest(
            policy, cfg.agent, run_id=f"{run_dir.name}-{hashlib.sha1(str(run_dir.resolve()).encode()).hexdigest()[:6]}"
        )
        manifest.run_id = run_id = _check_same_run(run_dir, manifest)
        manifest.write(run_dir)
        if own_tracker:
            tracker = Tracker(
                cfg.logger,
                run_dir,
                (config_dict or cfg.model_dump()) | {"agent_manifest": manifest.model_dump()},
                job_type="generate",
                name=run_id,
            )
            tracker.use(cfg.model.adapter)
        writer = RolloutWriter(rollouts)
        bar = tqdm(
            total=len(pending),
            desc="episodes",
            unit="ep",
            disable=not cfg.progress,
            file=sys.stderr,
            mininterval=0.5 if sys.stderr.isatty() else 15,
        )

        def on_record(record: RolloutRecord) -> None:
            bar.update(1)
            recs = state.records
            bar.set_postfix(
                pass_rate=f"{sum(r.final.resolved for r in recs) / len(recs):.2f}",
                tokens=state.spend.tokens,
                usd=f"{state.spend.usd:.4f}",
            )
            tracker.log(
                {
                    "episode/resolved": float(record.final.resolved),
                    "episode/steps": len(record.steps),
                    "episode/protocol_errors": record.protocol_errors,
                    "spend/tokens": state.spend.tokens,
                    "spend/usd": state.spend.usd,
                },
                step=len(recs),
            )

        gen = Generation(cfg, policy, writer, state, tracker, run_id, manifest.prompt_hash)
        try:
            gen.run(pending, on_record)
        finally:
            gen.close()
            writer.close()
            bar.close()
        profile = gen.profile() | policy.profile()  # before policy.close() (finally below)
        if state.stop_reason == "completed" and state.failed:
            state.stop_reason = "completed_with_policy_errors"
        summary = GenerationSummary(
            **summarize(state.previous + state.records),
            new_episodes=len(state.records),
            resumed_episodes=len(state.previous),
            failed_episodes=len(state.failed),
            failures=state.failed[:20],
            pending_left=len(pending) - len(state.records),
            stop_reason=state.stop_reason,
            spent_tokens=state.spend.tokens,
            spent_usd=round(state.spend.usd, 8),
            tasks=len(tasks),
            shard=cfg.shard.model_dump(),
            run_dir=str(run_dir),
            seconds=round(time.perf_counter() - started, 1),
            profile=profile,
        )
        summary.write(run_dir, summary_file)
        if own_tracker:  # evaluate.py logs its own summary and scored trajectories
            _log_run(tracker, summary, profile, state.records)
            tracker.log_artifact("rollouts", [rollouts, run_dir / summary_file])
        else:
            tracker.summary(_flat_numbers(profile, "profile/"))
        exit_code = 0
        return summary
    finally:
        policy.close()
        if own_tracker and tracker is not None:
            tracker.finish(exit_code)


def print_summary(summary: GenerationSummary) -> None:
    """A human line on stderr, the machine-readable summary (JSON) on stdout."""
    s = summary
    print(
        f"{s.new_episodes} new episodes ({s.resumed_episodes} resumed); pass rate {s.pass_rate:.1%} over "
        f"{s.episodes}; protocol-error rate {s.protocol_error_rate:.1%}; mean steps {s.mean_steps}; tokens "
        f"{s.spent_tokens}; ${s.spent_usd:.4f}; stopped: {s.stop_reason}; {s.run_dir}",
        file=sys.stderr,
    )
    print(s.model_dump_json(exclude={"failures"}))
