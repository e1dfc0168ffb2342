"""``make gpu-check``: the GPU paths on any CUDA machine (sized for < 8 min; not yet run on one), no internet needed.

    python -m agentpref.gpu_check                  # CUDA when present, the embedded model
    python -m agentpref.gpu_check --device cpu --model tiny_random   # the CPU-possible parts (tests)

Each check runs the project's own commands in a subprocess (a crash or out-of-memory in one
leaves the others running, and frees the GPU): oracle demonstrations -> SFT (bf16 on CUDA) ->
DPO (bf16) -> rollouts with the SFT adapter on the hf backend and on vLLM (when installed) ->
one SFT step under DeepSpeed ZeRO-2 (one process). It prints one JSON line: what ran, what was
skipped and why, what failed with its last error line; ``<out>/gpu_check.json`` keeps it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CHECKS = ("data", "sft", "dpo", "hf_rollouts", "vllm_rollouts", "zero2")


def _cuda() -> tuple[bool, str | None]:
    import torch

    return torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


def _error_line(text: str) -> str:
    """The line that says what failed: our commands' one-line ``error:``, else the last exception
    line (a launcher prints banners after it), else the last line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    ours = [line for line in lines if line.startswith("error:")]
    raised = [line for line in lines if re.match(r"^[\w.]+(Error|Exception)\b.*:", line)]
    return (ours or raised or lines or [""])[-1][-300:]


class Checker:
    def __init__(self, out: Path, timeout: float):
        self.out, self.timeout, self.results = out, timeout, {}

    def run(self, name: str, commands: list[list[str]], *, needs: tuple[str, ...] = (), skip: str | None = None):
        """Run ``commands`` in order as check ``name``, unless ``skip`` says why not or a check it
        ``needs`` did not pass."""
        failed_need = next((n for n in needs if self.results.get(n, {}).get("status") != "ok"), None)
        if skip or failed_need:
            self.results[name] = {"status": "skipped", "why": skip or f"needs {failed_need}, which did not pass"}
            return
        started = time.perf_counter()
        env = os.environ | {"WANDB_MODE": "offline", "HYDRA_FULL_ERROR": "1", "TOKENIZERS_PARALLELISM": "false"}
        log = self.out / f"{name}.log"
        with open(log, "w") as f:
            for command in commands:
                try:
                    proc = subprocess.run(
                        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=self.timeout
                    )
                except subprocess.TimeoutExpired as exc:
                    f.write(f"$ {' '.join(command)}\n{exc.stdout or ''}\n{exc.stderr or ''}\n")
                    self.results[name] = {"status": "failed", "error": f"timed out after {self.timeout:.0f}s"}
                    break
                f.write(f"$ {' '.join(command)}\n{proc.stdout}\n{proc.stderr}\n")
                if proc.returncode != 0:
                    self.results[name] = {"status": "failed", "error": _error_line(proc.stderr + proc.stdout)}
                    break
            else:
                self.results[name] = {"status": "ok"}
        self.results[name] |= {"seconds": round(time.perf_counter() - started, 1), "log": str(log)}


def _summary(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "summary.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _write_pairs(data: Path, pairs: Path) -> None:
    from agentpref.data.pairs import finish_at_once_pairs

    rows = [json.loads(line) for line in (data / "sft.jsonl").read_text().splitlines()]
    pairs.mkdir(parents=True, exist_ok=True)
    for name, made in zip(("pairs.jsonl", "step_pairs.jsonl"), finish_at_once_pairs(rows), strict=True):
        (pairs / name).write_text("".join(json.dumps(r) + "\n" for r in made))


def run_checks(device: str, model: str, out: Path, timeout: float, only: list[str]) -> dict[str, Any]:
    cuda, gpu = _cuda()
    device = ("cuda" if cuda else "cpu") if device == "auto" else device
    out.mkdir(parents=True, exist_ok=True)
    py = [sys.executable]
    common = ["logger=none", f"model={model}", "model.dtype=auto"]  # auto: bf16 on CUDA, fp32 on CPU
    train = [*common, f"device={device}", "global_batch_size=2", "per_device_batch_size=2", "trainer.max_length=1280"]
    train += ["+trainer.save_steps=100"]  # the final save only
    checker = Checker(out, timeout)
    wanted = {name: name in only for name in CHECKS}
    no = "not selected"

    checker.run(
        "data",
        [
            [
                *py,
                "generate.py",
                "logger=none",
                "backend=oracle",
                "tasks.split=train",
                "tasks.limit=4",
                "progress=false",
                f"run_dir={out}/demos",
            ],
            [
                *py,
                "build_data.py",
                "logger=none",
                f"runs=[{out}/demos]",
                "trajectory_pairs.enabled=false",
                f"run_dir={out}/data",
            ],
        ],  # fmt: skip
        skip=None if wanted["data"] else no,
    )
    if checker.results["data"]["status"] == "ok":
        _write_pairs(out / "data", out / "pairs")
    checker.run(
        "sft",
        [[*py, "train.py", "algo=sft", *train, f"data={out}/data", "trainer.max_steps=4", f"run_dir={out}/sft"]],
        needs=("data",),
        skip=None if wanted["sft"] else no,
    )
    checker.run(
        "dpo",
        [
            [
                *py,
                "train.py",
                "algo=dpo",
                *train,
                f"data={out}/pairs",
                f"init_from={out}/sft",
                "trainer.max_steps=2",
                "ref_cache.enabled=false",
                f"run_dir={out}/dpo",
            ]
        ],  # fmt: skip
        needs=("sft",),
        skip=None if wanted["dpo"] else no,
    )
    rollouts = [*common, f"model.adapter={out}/sft/adapter", "tasks.limit=2", "agent.max_steps=2"]
    rollouts += ["backend.max_new_tokens=64", "temperature=1.0", "progress=false"]
    checker.run(
        "hf_rollouts",
        [[*py, "generate.py", *rollouts, "backend=hf", f"backend.device={device}", f"run_dir={out}/hf_rollouts"]],
        needs=("sft",),
        skip=None if wanted["hf_rollouts"] else no,
    )
    vllm = importlib.util.find_spec("vllm") is not None
    why_not = no if not wanted["vllm_rollouts"] else "vLLM is not installed" if not vllm else None
    checker.run(
        "vllm_rollouts",
        [[*py, "generate.py", *rollouts, "backend=vllm", f"run_dir={out}/vllm_rollouts"]],
        needs=("sft",),
        skip=why_not or (None if device == "cuda" else "vLLM needs CUDA"),
    )
    deepspeed = importlib.util.find_spec("deepspeed") is not None
    why_not = (
        no if not wanted["zero2"] else None if deepspeed else "DeepSpeed is not installed (pip install -e '.[dev]')"
    )
    launch = [*py, "-m", "accelerate.commands.launch", "--config_file", "launch/accelerate/zero2.yaml"]
    launch += ["--num_processes", "1", "--main_process_port", "0"]  # (on a machine without CUDA: the CPU)
    checker.run(
        "zero2",
        [[*launch, "train.py", "algo=sft", *train, f"data={out}/data", "trainer.max_steps=1", f"run_dir={out}/zero2"]],
        needs=("data",),
        skip=why_not,
    )
    import torch

    results = checker.results
    for name in ("sft", "dpo", "zero2"):
        if results[name]["status"] == "ok":
            s = _summary(out / name)
            results[name] |= {"steps": s.get("steps"), "world_size": s.get("world_size")}
    for name in ("hf_rollouts", "vllm_rollouts"):
        if results[name]["status"] == "ok":
            s = _summary(out / name)
            results[name] |= {"episodes": s.get("episodes"), "protocol_error_rate": s.get("protocol_error_rate")}
    from agentpref.tracking import git_sha

    return {
        "kind": "gpu_check",
        "ok": all(r["status"] != "failed" for r in results.values())
        and any(r["status"] == "ok" for r in results.values()),
        "device": device,
        "gpu": gpu,
        "dtype": "bfloat16" if device == "cuda" else "float32",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "vllm": importlib.metadata.version("vllm") if vllm else None,
        "model": model,
        "git": git_sha(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "checks": results,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto")
    parser.add_argument("--model", default="smollm2_135m", help="a conf/model/ name (tiny_random: a quick CPU run)")
    parser.add_argument("--out", type=Path, default=None, help="default: outputs/gpu_check/<time>")
    parser.add_argument("--timeout", type=float, default=240, help="seconds per command")
    parser.add_argument("--checks", default=",".join(CHECKS), help=f"a comma-separated subset of {','.join(CHECKS)}")
    args = parser.parse_args(argv)
    only = [c for c in args.checks.split(",") if c]
    unknown = sorted(set(only) - set(CHECKS))
    if unknown:
        parser.error(f"unknown check(s) {', '.join(unknown)}: choose from {', '.join(CHECKS)}")
    out = args.out or REPO / "outputs" / "gpu_check" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    started = time.perf_counter()
    report = run_checks(args.device, args.model, out.resolve(), args.timeout, only)
    report["seconds"] = round(time.perf_counter() - started, 1)
    line = json.dumps(report)
    (out / "gpu_check.json").write_text(line + "\n")
    print(line)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
