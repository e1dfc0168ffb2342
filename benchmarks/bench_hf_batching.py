"""Lock-step batched generation vs one episode at a time, with the embedded SmolLM2-135M on CPU.

Every mode runs its own copy of the same real episodes (builtin tasks, real Workspace/Episode,
each output applied with ``ep.apply`` so prompts grow as in a real run) for the same number of
steps and the same max_new_tokens, with one loaded model, side by side in one process:

- ``batched``: one ``act`` call (one ``generate``) per step for all episodes, KV-cache reuse on;
- ``batched_no_reuse``: the same with every prompt encoded from scratch each step;
- ``sequential``: batch size 1 (one ``act`` call per episode per step), KV-cache reuse on.

The modes take turns step by step (step 0 of every mode, then step 1, ...), so a machine whose
load changes during the run affects all of them alike. Each mode encodes the shared system
prompt itself on its first step. Only time inside ``act`` counts (tool execution excluded).
Greedy by default, so every mode does the same work; the texts are compared with the first
mode's. Ends with one JSON object.

    python benchmarks/bench_hf_batching.py [--episodes 8] [--steps 4] [--max-new-tokens 64]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from omegaconf import OmegaConf

from agentpref.agent.config import AgentConfig, HFBackend, SamplingConfig
from agentpref.agent.episode import Episode
from agentpref.agent.policies.hf import HFPolicy
from agentpref.agent.tools import Workspace
from agentpref.models import ModelConfig
from agentpref.sandbox.runner import TestRunner
from agentpref.tasks.config import BuiltinTasks
from agentpref.tasks.registry import load_task_set

MODES = ("batched", "batched_no_reuse", "sequential")


class ModeRun:
    """One mode's episodes and counters."""

    def __init__(self, mode: str, policy: HFPolicy, tasks, agent, n_eps: int, runner, root: Path):
        self.mode, self.policy = mode, policy
        self.eps = [
            Episode(
                Workspace(tasks[i % len(tasks)], root / f"{mode}-{i}", runner),
                sample_index=i // len(tasks),
                seed=i,
                agent=agent,
                mode=policy.prompt_mode,
            )
            for i in range(n_eps)
        ]
        self.gen_s, self.calls, self.texts = 0.0, 0, []
        self.totals = dict.fromkeys(policy.stats, 0)

    def step(self, step: int, seed: int) -> None:
        policy = self.policy
        policy.reuse_kv = self.mode != "batched_no_reuse"
        if step == 0:
            policy._prefix = None  # every mode pays for encoding the system prompt once
        live = [e for e in self.eps if not e.done]
        if not live:
            return
        before = dict(policy.stats)
        t0 = time.perf_counter()
        if self.mode == "sequential":
            outs = [policy.act([e], seed=seed + step)[0] for e in live]
            self.calls += len(live)
        else:
            outs = policy.act(live, seed=seed + step)
            self.calls += 1
        took = time.perf_counter() - t0
        self.gen_s += took
        for k in self.totals:
            self.totals[k] += policy.stats[k] - before[k]
        for e, o in zip(live, outs):
            self.texts.append(o.text)
            e.apply(o)
        print(
            f"  step {step} {self.mode}: {took:.1f} s, "
            f"{sum(o.completion_tokens for o in outs)} new tokens, prompts "
            f"{min(o.prompt_tokens for o in outs)}-{max(o.prompt_tokens for o in outs)}",
            file=sys.stderr,
            flush=True,
        )

    def report(self) -> dict:
        t = self.totals
        for e in self.eps:
            self.policy.forget(e)
        return {
            "generate_calls": self.calls,
            "gen_s": round(self.gen_s, 2),
            "completion_tokens": t["completion_tokens"],
            "prompt_tokens": t["prompt_tokens"],
            "prompt_tokens_reused": t["reused_tokens"],
            "prompt_tokens_encoded": t["computed_tokens"],
            "tokens_per_s": round(t["completion_tokens"] / self.gen_s, 2),
            "parsed_tool_calls": sum(1 for e in self.eps for s in e.steps if s.action is not None),
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="conf/model/smollm2_135m.yaml")
    ap.add_argument("--episodes", type=int, default=8)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--max-new-tokens", type=int, default=64)
    ap.add_argument("--temperature", type=float, default=0.0, help="0: greedy, equal work")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--dtype", default=None, help="override the model config's dtype")
    ap.add_argument("--cache-dir", default="data/cache/models")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := sorted(set(modes) - set(MODES)):
        ap.error(f"unknown modes {unknown}; choose from {', '.join(MODES)}")

    import torch

    model = ModelConfig(**OmegaConf.to_container(OmegaConf.load(args.model)))
    if args.dtype:
        model = model.model_copy(update={"dtype": args.dtype})
    agent = AgentConfig(**OmegaConf.to_container(OmegaConf.load("conf/agent/default.yaml")))
    backend = HFBackend(
        device="cpu",
        batch_size=args.episodes,
        max_new_tokens=args.max_new_tokens,
        cache_dir=args.cache_dir,
    )
    t0 = time.perf_counter()
    policy = HFPolicy(model, backend, SamplingConfig(temperature=args.temperature, top_p=1.0))
    load_s = time.perf_counter() - t0
    tasks = load_task_set(BuiltinTasks()).tasks
    with TestRunner("fork") as runner, tempfile.TemporaryDirectory() as tmp:
        # warm-up: first-call allocations and kernel selection stay out of every mode's numbers
        warm = Episode(
            Workspace(tasks[0], Path(tmp) / "warm", runner),
            sample_index=0,
            seed=0,
            agent=agent,
            mode=policy.prompt_mode,
        )
        policy.max_new_tokens = 4
        policy.act([warm, warm], seed=0)
        policy.forget(warm)
        policy.max_new_tokens = args.max_new_tokens
        runs = [ModeRun(m, policy, tasks, agent, args.episodes, runner, Path(tmp)) for m in modes]
        t_all = time.perf_counter()
        for step in range(args.steps):
            for run in runs:
                run.step(step, args.seed)
        wall = time.perf_counter() - t_all
    report: dict = {
        "model": model.name,
        "dtype": model.dtype,
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "episodes": args.episodes,
        "steps": args.steps,
        "max_new_tokens": args.max_new_tokens,
        "temperature": args.temperature,
        "load_s": round(load_s, 1),
        "bench_wall_s": round(wall, 1),
        "modes": {},
    }
    first = runs[0]
    for run in runs:
        report["modes"][run.mode] = run.report()
        if run is not first:
            same = sum(a == b for a, b in zip(run.texts, first.texts))
            report["modes"][run.mode][f"texts_equal_to_{first.mode}"] = f"{same}/{len(run.texts)}"
    tps = {m: r["tokens_per_s"] for m, r in report["modes"].items()}
    pairs = [
        ("batched_vs_sequential", "batched", "sequential"),
        ("batched_no_reuse_vs_sequential", "batched_no_reuse", "sequential"),
        ("reuse_vs_no_reuse", "batched", "batched_no_reuse"),
    ]
    report["tokens_per_s"] = tps
    report["ratios"] = {name: round(tps[a] / tps[b], 2) for name, a, b in pairs if a in tps and b in tps}
    policy.close()
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
