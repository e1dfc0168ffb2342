"""What a long cached context costs a prefill on CPU: new tokens encoded after a cached prefix
(how a continuing episode's turn is encoded) vs the same tokens with no context, side by side,
then torch's profiler on the first (operator shares). Prints the profiler table and one JSON line.

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

from agentpref.agent.config import ModelConfig
from agentpref.agent.policies.hf import _cache_classes
from agentpref.agent.models import load_causal_lm

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cached", type=int, default=2000, help="tokens already in the KV cache")
    ap.add_argument("--new", type=int, default=600, help="tokens to encode")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    cfg = ModelConfig(**OmegaConf.to_container(OmegaConf.load(REPO / "conf/model/smollm2_135m.yaml"), resolve=True))
    lm, _ = load_causal_lm(cfg, device="cpu", cache_dir=str(REPO / "data/cache/models"))
    lm.eval()
    layer_cls, cache_cls = _cache_classes()
    c, n = args.cached, args.new
    ids = torch.randint(0, 1000, (1, c + n), generator=torch.Generator().manual_seed(0))

    def after_cache(prefix) -> None:
        view = cache_cls([layer_cls(0) for _ in prefix.layers])
        for mine, layer in zip(view.layers, prefix.layers, strict=True):
            k = layer.keys.new_zeros(1, layer.keys.shape[1], c + n, layer.keys.shape[-1])
            v = torch.zeros_like(k)
            k[:, :, :c], v[:, :, :c] = layer.keys, layer.values
            mine.prefill(k, v, c)
        lm(input_ids=ids[:, c:], attention_mask=torch.ones(1, c + n, dtype=torch.long),
           position_ids=torch.arange(c, c + n)[None], cache=view, use_cache=True, logits_to_keep=1)

    def alone() -> None:
        lm(input_ids=ids[:, c:], use_cache=False, logits_to_keep=1)

    with torch.inference_mode():
        prefix = lm(input_ids=ids[:, :c], use_cache=True).past_key_values
        times: dict[str, list[float]] = {"after_cache": [], "alone": []}
        for _ in range(args.repeats):       # interleaved, so drift hits both
            for name, fn in (("after_cache", lambda: after_cache(prefix)), ("alone", alone)):
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
        with profile() as prof:
            after_cache(prefix)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=6))
    total = sum(e.self_cpu_time_total for e in prof.key_averages())
    shares = {e.key: round(e.self_cpu_time_total / total, 3) for e in prof.key_averages()
              if e.key in ("aten::_scaled_dot_product_flash_attention_for_cpu", "aten::mm")}
    best = {k: min(v) for k, v in times.items()}
    print(json.dumps({"benchmark": "prefill", "cached": c, "new": n, "threads": torch.get_num_threads(),
                      "seconds": {k: round(v, 3) for k, v in best.items()},
                      "tokens_per_s": {k: round(n / v, 1) for k, v in best.items()},
                      "slowdown_after_cache": round(best["after_cache"] / best["alone"], 2),
                      "profile_shares_after_cache": shares}))


if __name__ == "__main__":
    main()
