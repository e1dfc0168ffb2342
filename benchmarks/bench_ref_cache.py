"""A DPO beta sweep with and without the reference log-prob cache, side by side in one process.

Both modes train the same pairs for one epoch at each beta:

- ``every_step``: ``ref_cache.enabled=false``: TRL runs the reference (adapter disabled) forward
  on every batch of every run;
- ``cached``: ``ref_cache.enabled=true`` with an empty cache dir: the first run precomputes the
  reference log-probs once (keyed by model, data and tokens, not beta), later runs load them.

Reported per run: seconds to build the trainer (reference precompute included), seconds of the
optimizer steps, cache hit; then the sweep totals and their ratio. Ends with one JSON object.

    python benchmarks/bench_ref_cache.py [--model smollm2_135m] [--pairs 2] [--batch 1] \
        [--max-length 2048] [--betas 0.05,0.1,0.3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from train_common import build_trainer, losses, oracle_data, step_times, train_config


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="smollm2_135m")
    ap.add_argument("--pairs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--max-length", type=int, default=2048)
    ap.add_argument("--betas", default="0.05,0.1,0.3")
    args = ap.parse_args()
    betas = [float(b) for b in args.betas.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench_ref_cache-") as tmp:
        root = Path(tmp)
        data = oracle_data(root, tasks=args.pairs)
        runs = []
        for beta in betas:  # modes interleaved per beta: machine load changes hit both alike
            for mode in ("every_step", "cached"):
                cfg = train_config(
                    "algo=dpo",
                    f"model={args.model}",
                    f"data={data}",
                    f"dpo.beta={beta}",
                    "dpo.num_train_epochs=1",
                    f"dpo.max_length={args.max_length}",
                    f"global_batch_size={args.batch}",
                    f"per_device_batch_size={args.batch}",
                    f"ref_cache.enabled={mode == 'cached'}",
                    f"ref_cache.dir={root / 'cache'}",
                    "dpo.logging_steps=1",
                    run_dir=root / f"{mode}-{beta}",
                )
                trainer, build_s = build_trainer(cfg)
                times = step_times(trainer)
                hit = trainer.ref_cache_status.get("train", {}).get("hit")
                runs.append(
                    {
                        "mode": mode,
                        "beta": beta,
                        "build_s": round(build_s, 2),
                        "steps": len(times),
                        "steps_s": round(sum(times), 2),
                        "total_s": round(build_s + sum(times), 2),
                        "cache_hit": hit,
                        "losses": losses(trainer),
                    }
                )
                print(
                    f"{mode:10s} beta={beta:<5} build {build_s:6.1f} s  steps {sum(times):6.1f} s "
                    f"({len(times)})  cache hit={hit}",
                    flush=True,
                )
                del trainer
    total = {m: round(sum(r["total_s"] for r in runs if r["mode"] == m), 2) for m in ("every_step", "cached")}
    result = {
        "model": args.model,
        "pairs": args.pairs,
        "betas": betas,
        "runs": runs,
        "sweep_seconds": total,
        "speedup": round(total["every_step"] / total["cached"], 3),
    }
    print(
        f"sweep of {len(betas)} betas: every_step {total['every_step']} s, cached {total['cached']} s "
        f"-> {result['speedup']}x"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
