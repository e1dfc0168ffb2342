"""train.py under several processes on CPU (gloo): plain data parallelism through
launch/accelerate/cpu_ddp.yaml, torchrun, and DeepSpeed ZeRO-2/3 through launch/accelerate/zero*.yaml.

Every run trains the tiny random model with 2 processes x 1 example = global batch 2 (no
accumulation) in fp32, so all of them must log the same per-step losses and end with the same
weights on every rank (summary.json's ``rank_weight_checksums``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
LAUNCH = REPO / "launch" / "accelerate"
STEPS = 3
# debug=fast with 3 steps, one checkpoint (at the end, for trainer_state.json's per-step losses) and
# a shorter context (prompts are ~1.1k tokens) to keep each launch well under 90 s on 2 cores.
TRAIN_ARGS = [
    "algo=sft",
    "debug=fast",
    "global_batch_size=2",
    "per_device_batch_size=1",
    f"trainer.max_steps={STEPS}",
    f"trainer.save_steps={STEPS}",
    "trainer.max_length=1280",
]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "AGENTPREF_LAUNCH_TIME"}
    return env | {
        "OMP_NUM_THREADS": "1",
        "WANDB_MODE": "offline",
        "HYDRA_FULL_ERROR": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }


def _run(cmd: list[str], timeout: float = 420) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed:\n{(proc.stdout + proc.stderr)[-6000:]}"
    return proc


def accelerate_launch(config: str, *args: str, num_processes: int | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(LAUNCH / config)]
    if num_processes is not None:  # the GPU configs default to 8 processes
        cmd += ["--num_processes", str(num_processes), "--main_process_port", "0"]
    return _run([*cmd, str(REPO / "train.py"), *args])


def finished_run(root: Path) -> tuple[dict, list[float]]:
    """(summary, per-step losses) of the ONE train.py run dir under ``root``."""
    summaries = list(root.rglob("summary.json"))
    assert len(summaries) == 1, f"expected one run dir under {root}, found {summaries}"
    run_dir = summaries[0].parent
    assert len(list(root.rglob(".hydra"))) == 1, "each rank made its own Hydra run dir"
    summary = json.loads(summaries[0].read_text())
    state = json.loads((run_dir / "checkpoints" / f"checkpoint-{summary['steps']}" / "trainer_state.json").read_text())
    losses = [entry["loss"] for entry in state["log_history"] if "loss" in entry]
    return summary, losses


def check_two_ranks(summary: dict, steps: int = STEPS) -> None:
    assert summary["world_size"] == 2
    assert summary["steps"] == steps
    assert summary["global_batch_size"] == 2 and summary["gradient_accumulation_steps"] == 1
    checksums = summary["rank_weight_checksums"]
    assert len(checksums) == 2, checksums
    assert checksums[0] == checksums[1], f"the ranks ended with different weights: {checksums}"


# ---- the launch configs (fast) -----------------------------------------------------------------
@pytest.mark.parametrize("name", ["cpu_ddp", "ddp", "zero2", "zero3"])
def test_accelerate_config_leaves_training_settings_to_train_py(name):
    """Batch sizes, accumulation, clipping and precision come from train.py alone: an accelerate
    file that sets them would override (or conflict with) the values train.py derives."""
    from accelerate.commands.config.config_args import load_config_from_file

    raw = yaml.safe_load((LAUNCH / f"{name}.yaml").read_text())
    forbidden = {
        "mixed_precision",
        "gradient_accumulation_steps",
        "gradient_clipping",
        "deepspeed_config_file",
        "downcast_bf16",
    }
    assert not forbidden & (set(raw) | set(raw.get("deepspeed_config", {}))), name
    config = load_config_from_file(str(LAUNCH / f"{name}.yaml"))
    if name.startswith("zero"):
        assert config.distributed_type == "DEEPSPEED"
        assert config.deepspeed_config["zero_stage"] == int(name[-1])
    else:
        # accelerate starts a MULTI_CPU config as ONE process; MULTI_GPU + use_cpu starts them all
        assert config.distributed_type == "MULTI_GPU"
        assert config.use_cpu == (name == "cpu_ddp")


# ---- real 2-process runs on CPU (slow) -------------------------------------------------------------
@pytest.fixture(scope="module")
def ddp_run(train_data, tmp_path_factory):
    """The reference: plain data parallelism, 2 processes, explicit run_dir."""
    root = tmp_path_factory.mktemp("ddp")
    accelerate_launch("cpu_ddp.yaml", *TRAIN_ARGS, f"data={train_data}", f"run_dir={root / 'run'}")
    return finished_run(root)


@pytest.mark.slow
def test_cpu_ddp_runs_two_ranks_into_one_run_dir_with_equal_weights(ddp_run):
    summary, losses = ddp_run
    check_two_ranks(summary)
    assert len(losses) == STEPS and all(loss > 0 for loss in losses)


@pytest.mark.slow
def test_torchrun_ranks_agree_on_the_launch_time_run_dir(train_data, tmp_path):
    """Without an explicit run dir every rank resolves ${launch_time:} (the launcher's start time)
    to the same directory: one run dir, one summary.json."""
    _run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node",
            "2",
            str(REPO / "train.py"),
            *TRAIN_ARGS,
            "trainer.max_steps=2",
            "trainer.save_steps=2",
            f"data={train_data}",
            f"run_dir={tmp_path}/${{launch_time:}}",
        ]
    )
    summary, losses = finished_run(tmp_path)
    check_two_ranks(summary, steps=2)
    assert len(list(tmp_path.glob("*/*"))) == 1  # launch_time is <date>/<time>


@pytest.mark.slow
@pytest.mark.parametrize("stage", [2, 3])
def test_deepspeed_zero_matches_plain_data_parallelism(stage, ddp_run, train_data, tmp_path):
    """ZeRO-2/3 (launch/accelerate/zero{2,3}.yaml, 2 processes on CPU) log the same losses as the
    plain 2-process run: sharding changes memory, not the maths. The first DeepSpeed launch on a
    machine JIT-builds DeepSpeed's shm comm op (~1.5 min, cached in ~/.cache/torch_extensions)."""
    try:
        import deepspeed  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"deepspeed is not importable ({exc}); pip install -e '.[dev]' installs it")
    accelerate_launch(
        f"zero{stage}.yaml", *TRAIN_ARGS, f"data={train_data}", f"run_dir={tmp_path / 'run'}", num_processes=2
    )
    summary, losses = finished_run(tmp_path)
    check_two_ranks(summary)
    _, reference = ddp_run
    assert losses == pytest.approx(reference, rel=1e-4), (losses, reference)
    # the saved adapter (gathered from the shards under ZeRO-3) is the plain run's, up to rounding
    from safetensors.torch import load_file

    ours = load_file(Path(summary["output"]) / "adapter_model.safetensors")
    plain = load_file(Path(ddp_run[0]["output"]) / "adapter_model.safetensors")
    assert ours.keys() == plain.keys()
    for name, tensor in plain.items():
        assert ours[name].shape == tensor.shape and (ours[name] - tensor).abs().max() <= 1e-6, name
