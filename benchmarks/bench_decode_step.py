"""Where one lock-step decode step's time goes with an SFT adapter of SmolLM2-135M on CPU.

Replays recorded episodes (a rollouts.jsonl of the same agent framing) up to turn ``--turn``,
encodes them once, then times ``--steps`` decode iterations of the whole batch (no stop, no
eos) with the adapter unmerged under torch's profiler (operator shares), and again with the
adapter merged (wall ms per iteration). Prints the profiler table and one JSON line.

    python benchmarks/bench_decode_step.py --adapter outputs/sft_recipe/lines_v5/sft/adapter \\
        --rollouts outputs/sft_recipe/lines_v5/eval_greedy/rollouts.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
import types
from pathlib import Path

from omegaconf import OmegaConf
from torch.profiler import ProfilerActivity, profile

from agentpref.agent.config import HFBackend, SamplingConfig
from agentpref.agent.policies.hf import HFPolicy
from agentpref.models import ModelConfig

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--adapter", required=True)
    ap.add_argument("--rollouts", required=True, help="recorded episodes whose messages are replayed")
    ap.add_argument("--rows", type=int, default=15)
    ap.add_argument("--turn", type=int, default=5, help="replay the messages up to this turn")
    ap.add_argument("--steps", type=int, default=48)
    args = ap.parse_args()
    cfg = ModelConfig(**OmegaConf.to_container(OmegaConf.load(REPO / "conf/model/smollm2_135m.yaml"), resolve=True))
    cfg = cfg.model_copy(update={"adapter": args.adapter})
    records = [json.loads(line) for line in Path(args.rollouts).read_text().splitlines()][: args.rows]

    def episodes():
        return [types.SimpleNamespace(messages=r["messages"][: 2 + 2 * args.turn], policy_state={}) for r in records]

    result: dict = {"rows": len(records), "steps": args.steps}
    for merge in (False, True):
        policy = HFPolicy(
            cfg,
            HFBackend(device="cpu", batch_size=len(records), max_new_tokens=args.steps, merge_adapter=merge),
            SamplingConfig(temperature=0),
        )
        eps = episodes()
        policy.act(eps, seed=0)  # encodes the prompts (cached for the next call)
        policy.stop_strings, policy.eos_ids = (), [-1]  # every row decodes all steps
        t0 = time.perf_counter()
        if merge:
            policy.act(eps, seed=0)
        else:
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                policy.act(eps, seed=0)
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))
            total = sum(e.self_cpu_time_total for e in prof.key_averages())
            for key, name in (("attention", "aten::_scaled_dot_product_flash_attention_for_cpu"), ("mm", "aten::mm")):
                result[f"{key}_share_unmerged"] = round(
                    sum(e.self_cpu_time_total for e in prof.key_averages() if e.key == name) / total, 3
                )
        if merge:
            result["ms_per_step_merged"] = round(1000 * (time.perf_counter() - t0) / args.steps, 1)
        result["context_tokens"] = sum(len(policy._render_ids(e)) for e in eps) // len(eps)
        policy.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
