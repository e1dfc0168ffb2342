"""What every lock-step loop over episodes needs: one sandboxed test runner per worker, a thread
pool for tools and grading, a scratch dir for workspaces, the per-turn context check, and the
turn itself (the policy over the live episodes, then their tools).

Shared by ``generate.py`` (agent/generation.py) and the step-pair builder (data/step_pairs.py),
so continuations run through exactly the loop that made the rollouts.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentpref.agent.config import AgentConfig
from agentpref.agent.episode import Episode, PolicyOutput
from agentpref.agent.policies.base import Policy
from agentpref.sandbox.limits import Limits
from agentpref.sandbox.runner import TestRunner


def stable_seed(*parts: Any) -> int:
    """A 31-bit seed from any parts, stable across processes (unlike ``hash``)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


class Harness:
    def __init__(self, runner_mode: str, sandbox: Limits, workers: int, prefix: str):
        self.runners = [TestRunner(runner_mode, sandbox) for _ in range(workers)]
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix=prefix)
        self.scratch = Path(tempfile.mkdtemp(prefix=f"agentpref-{prefix}-"))
        self._made = 0

    def next_workspace(self) -> tuple[TestRunner, Path]:
        """A runner (round robin) and a fresh workspace directory for a new episode."""
        runner = self.runners[self._made % len(self.runners)]
        root = self.scratch / f"ep-{self._made}"
        self._made += 1
        return runner, root

    def apply(self, episodes: list[Episode], outputs: list[PolicyOutput]) -> None:
        """Parse each turn and run its tool, episodes in parallel (tests are the slow part)."""
        list(self.pool.map(lambda pair: pair[0].apply(pair[1]), zip(episodes, outputs, strict=True)))

    def turn(self, live: list[Episode], policy: Policy, seed_for: Callable[[int], int]) -> Turn:
        """One lock-step turn: ``policy.act`` over ``live`` in chunks of ``policy.batch_size`` (the
        chunk that starts at index i sampled with ``seed_for(i)``), then every tool on the pool."""
        t0 = time.perf_counter()
        outputs: list[PolicyOutput] = []
        for start in range(0, len(live), policy.batch_size):
            chunk = live[start : start + policy.batch_size]
            got = policy.act(chunk, seed=seed_for(start))
            if len(got) != len(chunk):
                raise RuntimeError(f"{policy.backend} policy returned {len(got)} outputs for {len(chunk)} episodes")
            outputs.extend(got)
        t1 = time.perf_counter()
        self.apply(live, outputs)
        return Turn(outputs, policy_s=t1 - t0, tool_s=time.perf_counter() - t1)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for runner in self.runners:
            runner.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


@dataclass
class Turn:
    outputs: list[PolicyOutput]
    policy_s: float
    tool_s: float


def next_turn(episodes: list[Episode], policy: Policy, agent: AgentConfig) -> tuple[list[Episode], int, int]:
    """Before a lock-step turn: end the episodes over the context budget; returns the live ones,
    their prompt tokens and the most tokens their replies may take (for budget checks)."""
    sizes = end_over_context(episodes, policy, agent)
    live = [ep for ep in episodes if not ep.done]
    return live, sum(sizes[id(ep)] for ep in live), policy.max_new_tokens * len(live)


def end_over_context(episodes: list[Episode], policy: Policy, agent: AgentConfig) -> dict[int, int]:
    """End episodes whose next prompt plus a full reply would not fit ``agent.max_context_tokens``;
    returns every episode's prompt tokens (by ``id``) for budget checks."""
    limit = agent.max_context_tokens - policy.max_new_tokens
    sizes = {}
    for ep in episodes:
        sizes[id(ep)] = policy.prompt_tokens(ep)
        if sizes[id(ep)] > limit:
            ep.end("context_budget")
    return sizes
