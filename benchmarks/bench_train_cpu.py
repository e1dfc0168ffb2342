"""Seconds per optimizer step of SFT and DPO on CPU, before and after the cheap wins.

The embedded SmolLM2-135M with LoRA r=16 on real oracle transcripts (2.0k-2.7k tokens), the same
examples and seed in every configuration, one process, configurations one after another with the
baseline measured first and again last (to see drift in machine load):

SFT: ``fp32_ckpt`` (baseline: fp32 with activation checkpointing), ``trl_cpu_defaults`` (TRL's
own defaults on CPU: bf16 autocast + checkpointing), ``fp32`` (no checkpointing: the memory
allows it at this size), ``fp32_attn_lora`` (LoRA on the attention projections only), ``bf16``.
DPO: ``fp32_ckpt`` (baseline, reference forward on every step), ``fp32`` (no checkpointing),
``fp32_cached`` (no checkpointing + reference log-probs precomputed once through the cache;
the precompute is reported apart), ``bf16_cached``.

TRL 1.16 already computes log-probs only at labelled positions (its fused LM head, on in every
configuration), so "logits only over completion tokens" is part of every row, baseline included.
Per configuration: median seconds per step over the steps after the first, the ratio to the
baseline, and the per-step losses next to the baseline's (quality: fp32 rows must match it).
Ends with one JSON object.

    python benchmarks/bench_train_cpu.py [--steps 3] [--batch 2] [--max-length 3072] [--only sft|dpo] [--configs a,b]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from train_common import build_trainer, losses, oracle_data, step_times, train_config

SFT = {
    "fp32_ckpt": ["sft.activation_checkpointing=true"],
    "trl_cpu_defaults": ["sft.activation_checkpointing=true", "+sft.bf16=true"],
    "fp32": [],
    "fp32_attn_lora": ["model.lora.target_modules=[q_proj,k_proj,v_proj,o_proj]"],
    "bf16": ["+sft.bf16=true"],
}
DPO = {
    "fp32_ckpt": ["dpo.activation_checkpointing=true", "ref_cache.enabled=false"],
    "fp32": ["ref_cache.enabled=false"],
    "fp32_cached": ["ref_cache.enabled=true"],
    "bf16_cached": ["ref_cache.enabled=true", "+dpo.bf16=true"],
}


def measure(algo: str, name: str, extra: list[str], args, data: Path, root: Path) -> dict:
    cfg = train_config(
        f"algo={algo}",
        f"model={args.model}",
        f"data={data}",
        f"trainer.max_steps={args.steps}",
        f"trainer.max_length={args.max_length}",
        f"global_batch_size={args.batch}",
        f"per_device_batch_size={args.batch}",
        f"max_examples={args.steps * args.batch}",
        f"ref_cache.dir={root / 'cache'}",
        *extra,
        run_dir=root / f"{algo}-{name}-{len(list(root.iterdir()))}",
    )
    trainer, build_s = build_trainer(cfg)
    times = step_times(trainer)
    row = {
        "algo": algo,
        "config": name,
        "build_s": round(build_s, 2),
        "step_s": [round(t, 2) for t in times],
        "median_step_s": round(statistics.median(times[1:] or times), 3),
        "losses": losses(trainer),
    }
    print(
        f"{algo} {name:18s} {row['median_step_s']:7.2f} s/step  steps {row['step_s']}  losses {row['losses']}",
        flush=True,
    )
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2_135m")
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=3072)
    ap.add_argument("--only", choices=["sft", "dpo"], default=None)
    ap.add_argument(
        "--configs", default=None, help="comma-separated subset of the configurations (the baseline always runs)"
    )
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench_train_cpu-") as tmp:
        root = Path(tmp)
        data = oracle_data(root / "src", tasks=max(4, args.steps * args.batch + 1))
        for algo, configs in (("sft", SFT), ("dpo", DPO)):
            if args.only and algo != args.only:
                continue
            wanted = set(args.configs.split(",")) if args.configs else set(configs)
            names = [n for n in configs if n in wanted or n == "fp32_ckpt"] + ["fp32_ckpt"]  # baseline again last
            for name in names:
                rows.append(
                    measure(algo, name, configs[name], args, data, root)
                    | {"repeat": name in [r["config"] for r in rows if r["algo"] == algo]}
                )
    summary = {}
    for algo in ("sft", "dpo"):
        mine = [r for r in rows if r["algo"] == algo]
        if not mine:
            continue
        base = statistics.mean(r["median_step_s"] for r in mine if r["config"] == "fp32_ckpt")
        base_losses = next(r["losses"] for r in mine if r["config"] == "fp32_ckpt")
        for r in mine:
            if r["repeat"]:
                continue
            r["speedup_vs_fp32_ckpt"] = round(base / r["median_step_s"], 3)
            r["max_loss_diff_vs_baseline"] = round(max(abs(a - b) for a, b in zip(r["losses"], base_losses)), 5)
            print(
                f"{algo} {r['config']:18s} {r['median_step_s']:7.2f} s/step  {r['speedup_vs_fp32_ckpt']:5.2f}x  "
                f"max |loss - baseline| {r['max_loss_diff_vs_baseline']}"
            )
        summary[algo] = {r["config"]: r["speedup_vs_fp32_ckpt"] for r in mine if not r["repeat"]}
    print(
        json.dumps(
            {"model": args.model, "batch": args.batch, "max_length": args.max_length, "rows": rows, "speedups": summary}
        )
    )


if __name__ == "__main__":
    main()
