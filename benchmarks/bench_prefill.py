"""What a long cached context costs a prefill on CPU: new tokens encoded after a cached prefix
(the hf policy's own batch-1 encoding of a continuing episode's turn) vs the same tokens with no
context, side by side, then torch's profiler on the first (operator shares). Prints the profiler
table and one JSON line.

    python benchmarks/bench_prefill.py                       # 600 new tokens after 2,000 cached
    python benchmarks/bench_prefill.py --cached 1000 --new 300
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch
from omegaconf import OmegaConf
from torch.profiler import profile

from agentpref.agent.config import HFBackend, SamplingConfig
from agentpref.agent.policies.hf import HFPolicy
from agentpref.models import ModelConfig

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cached", type=int, default=2000, help="tokens already in the KV cache")
    ap.add_argument("--new", type=int, default=600, help="tokens to encode")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cfg = ModelConfig(**OmegaConf.to_container(OmegaConf.load(REPO / "conf/model/smollm2_135m.yaml"), resolve=True))
    policy = HFPolicy(cfg, HFBackend(device="cpu", batch_size=1), SamplingConfig(temperature=0))
    c, n = args.cached, args.new
    ids = torch.randint(0, 1000, (c + n,), generator=torch.Generator().manual_seed(0)).tolist()
    prefix = policy._encode_row(None, 0, ids[:c])  # the episode's cached keys and values
    runs = {
        "after_cache": lambda: policy._encode_row(prefix, c, ids),  # how a continuing turn is encoded
        "alone": lambda: policy._encode_row(None, 0, ids[c:]),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.repeats):  # interleaved, so drift hits both
        for name, fn in runs.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    with profile() as prof:
        runs["after_cache"]()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=6))
    total = sum(e.self_cpu_time_total for e in prof.key_averages())
    shares = {
        e.key: round(e.self_cpu_time_total / total, 3)
        for e in prof.key_averages()
        if e.key in ("aten::_scaled_dot_product_flash_attention_for_cpu", "aten::mm")
    }
    best = {k: min(v) for k, v in times.items()}
    print(
        json.dumps(
            {
                "benchmark": "prefill",
                "cached": c,
                "new": n,
                "threads": torch.get_num_threads(),
                "seconds": {k: round(v, 3) for k, v in best.items()},
                "tokens_per_s": {k: round(n / v, 1) for k, v in best.items()},
                "slowdown_after_cache": round(best["after_cache"] / best["alone"], 2),
                "profile_shares_after_cache": shares,
            }
        )
    )


if __name__ == "__main__":
    main()
