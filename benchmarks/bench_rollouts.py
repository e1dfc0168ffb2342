"""Agent rollouts per hour with the hf backend: today's settings vs the faster ones, side by side.

Each mode is a full ``generate`` run (real episodes: workspaces, tools, grading) of one SFT
adapter on the same heldout tasks, greedy, in one process, one mode after the other:

- ``old``: every row's new prompt tokens go through one batched generate (padded to the
  longest), LoRA applied unmerged (``backend.solo_prefill_over=null backend.merge_adapter=false``);
- ``solo``: rows with more than 32 new prompt tokens are encoded one at a time first;
- ``solo_merged``: the same with the adapter folded into the base weights;
- ``continuous_padded``: the adapter merged and continuous batching (``backend.scheduler=continuous``):
  a finished turn leaves the batch, another episode's next turn joins at the next decode step (every
  joining turn's new prompt tokens are encoded on its own, so ``solo_prefill_over`` plays no part);
  each decode step's attention is one call over every slot, padded to the longest row
  (``backend.row_attention=false``);
- ``continuous``: the same with each row attending over its own keys (the CPU default);
- ``llamacpp``: llama.cpp's ``llama-server`` (``backend=llamacpp``, continuous, one slot per
  episode in flight) on the adapter merged and converted to a GGUF of ``--outtype``, prompted with
  the same token ids (``make llama-server`` builds both where ``--llama-server`` and
  ``--convert-script`` look by default). Its numerics differ (GGUF
  kernels, f16 KV cache), so its transcripts are compared, not expected identical.

Prints one JSON line per mode (wall time, episodes/hour, generated tokens/s, the generation
profile) and a last line with ``speedup`` (episodes/hour of each mode over ``old``), how many
transcripts are identical to ``old``'s (greedy: on the hf path they should all be, up to fp32
rounding) and ``turn_agreement``: the share of ``old``'s turns that a mode wrote identically, in
episodes identical up to that turn.

    python benchmarks/bench_rollouts.py --adapter outputs/sft_recipe/lines_v5/sft/adapter
    python benchmarks/bench_rollouts.py --adapter <dir> --tasks 24 --modes old,solo_merged,continuous_padded,continuous
    python benchmarks/bench_rollouts.py --adapter <dir> --modes old,continuous,llamacpp   # after make llama-server
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from agentpref.agent.generation import GenerateConfig, run_generation
from agentpref.agent.record import read_rollouts
from agentpref.entrypoints import load

REPO = Path(__file__).resolve().parents[1]
MODES = {
    "old": ["backend.solo_prefill_over=null", "backend.merge_adapter=false"],
    "solo": ["backend.solo_prefill_over=32", "backend.merge_adapter=false"],
    "solo_merged": ["backend.solo_prefill_over=32", "backend.merge_adapter=true"],
    "continuous_padded": ["backend.merge_adapter=true", "backend.scheduler=continuous", "backend.row_attention=false"],
    "continuous": ["backend.merge_adapter=true", "backend.scheduler=continuous", "backend.row_attention=true"],
    "llamacpp": ["backend=llamacpp"],
}


def engine_overrides(args: argparse.Namespace, mode: str) -> list[str]:
    if mode != "llamacpp":
        return []
    return [
        f"backend.server={Path(args.llama_server).resolve()}",
        f"backend.convert_script={Path(args.convert_script).resolve()}",
        f"backend.outtype={args.outtype}",
    ]


def turn_agreement(old: dict[str, list[str]], new: dict[str, list[str]]) -> float:
    """Share of ``old``'s turns written identically, counting each episode up to its first
    differing turn (after it the two transcripts see different observations)."""
    same = total = 0
    for task, turns in old.items():
        total += len(turns)
        for a, b in zip(turns, new.get(task, [])):
            if a != b:
                break
            same += 1
    return round(same / total, 4) if total else 0.0


def config(args: argparse.Namespace, mode: str, run_dir: Path) -> GenerateConfig:
    adapter = [f"model.adapter={Path(args.adapter).resolve()}"] if args.adapter else []
    overrides = [
        "logger=none",
        "progress=false",
        f"model={args.model}",
        *adapter,
        f"agent={args.agent}",
        f"agent.edit_format={args.edit_format}",
        f"agent.max_steps={args.max_steps}",
        "tasks.split=heldout",
        f"tasks.per_program={args.per_program}",
        f"tasks.limit={args.tasks}",
        "decoding=greedy",
        f"backend.max_new_tokens={args.max_new_tokens}",
        f"backend.batch_size={args.batch_size}",
        *MODES[mode],
        *engine_overrides(args, mode),
    ]
    return load("generate", overrides, run_dir=run_dir)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--adapter", help="an SFT run's adapter/ dir (none: the base model)")
    ap.add_argument("--model", default="smollm2_135m")
    ap.add_argument("--agent", default="compact")
    ap.add_argument("--edit-format", default="lines")
    ap.add_argument("--tasks", type=int, default=24)
    ap.add_argument("--per-program", type=int, default=2, help="heldout tasks per program (15 programs)")
    ap.add_argument("--max-steps", type=int, default=10)
    ap.add_argument("--max-new-tokens", type=int, default=256)
    ap.add_argument("--batch-size", type=int, default=15)
    ap.add_argument("--modes", default="old,continuous_padded,continuous")
    ap.add_argument(
        "--llama-server",
        default=str(REPO / "data/cache/llama.cpp/build/bin/llama-server"),
        help="llamacpp mode: a built llama-server binary (default: where `make llama-server` puts it)",
    )
    ap.add_argument(
        "--convert-script",
        default=str(REPO / "data/cache/llama.cpp/convert_hf_to_gguf.py"),
        help="llamacpp mode: llama.cpp's convert_hf_to_gguf.py",
    )
    ap.add_argument("--outtype", default="f32", help="llamacpp mode: the GGUF's weight type (f32, f16, q8_0)")
    args = ap.parse_args()
    modes = args.modes.split(",")
    if modes[0] != "old" or any(m not in MODES for m in modes):
        ap.error(f"--modes: 'old' first, then any of {sorted(MODES)}")
    if "llamacpp" in modes and not (Path(args.llama_server).is_file() and Path(args.convert_script).is_file()):
        ap.error(
            "--modes ...,llamacpp needs a built llama-server and convert_hf_to_gguf.py: run `make llama-server`, "
            "or give --llama-server and --convert-script"
        )

    rows, texts = {}, {}
    with tempfile.TemporaryDirectory(prefix="bench-rollouts-") as tmp:
        for mode in modes:
            run_dir = Path(tmp) / mode
            t0 = time.perf_counter()
            summary = run_generation(config(args, mode, run_dir))
            wall = time.perf_counter() - t0
            records = sorted(read_rollouts(run_dir / "rollouts.jsonl"), key=lambda r: r.task_id)
            texts[mode] = {r.task_id: [s.raw_text for s in r.steps] for r in records}
            rows[mode] = {
                "mode": mode,
                "episodes": summary.episodes,
                "wall_s": round(wall, 1),
                "episodes_per_hour": round(3600 * summary.episodes / wall, 1),
                "generated_tokens_per_s": round(summary.completion_tokens / wall, 2),
                "completion_tokens": summary.completion_tokens,
                "profile": summary.profile,
            }
            print(json.dumps(rows[mode]), flush=True)
    base = rows["old"]
    result = {
        "benchmark": "rollouts",
        "tasks": args.tasks,
        "batch_size": args.batch_size,
        "adapter": args.adapter,
        "episodes_per_hour": {m: r["episodes_per_hour"] for m, r in rows.items()},
        "speedup": {m: round(r["episodes_per_hour"] / base["episodes_per_hour"], 3) for m, r in rows.items()},
        "identical_transcripts": {
            m: f"{sum(texts[m].get(t) == v for t, v in texts['old'].items())}/{len(texts['old'])}" for m in modes[1:]
        },
        "turn_agreement": {m: turn_agreement(texts["old"], texts[m]) for m in modes[1:]},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
