"""train.py: config mapping onto TRL, the reference cache, SFT -> DPO runs, resume and merge."""

import json
import os
from pathlib import Path

import pytest
import torch

from agentpref.errors import ConfigError


@pytest.fixture
def train_config(repo, tmp_path):
    from agentpref.entrypoints import load
    from agentpref.training.config import TrainConfig

    def make(*overrides: str) -> TrainConfig:
        return load("train", ["data=unused", "logger=none", *overrides], run_dir=tmp_path / "run")

    return make


def test_dpo_keys_map_onto_trl_dpoconfig(train_config, tmp_path):
    from trl import DPOConfig

    from agentpref.training.run import trainer_args

    cfg = train_config(
        "algo=dpo", "dpo.beta=0.25", "dpo.loss_type=[ipo]", "global_batch_size=8", "per_device_batch_size=2"
    )
    args = trainer_args(cfg, tmp_path, accumulation=4, report=False)
    assert isinstance(args, DPOConfig)
    assert (args.beta, args.loss_type, args.gradient_accumulation_steps) == (0.25, ["ipo"], 4)
    assert args.max_length == 4096 and args.bf16 is False and args.precompute_ref_log_probs is True


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["algo=dpo", "+dpo.betta=0.1"], "unknown config key 'dpo.betta': not a field of trl.DPOConfig"),
        (["algo=dpo", "dpo.loss_type=[sigmod]"], "TRL offers sigmoid, hinge, ipo"),
        (["algo=dpo", "dpo.loss_type=[exo_pair]"], "label_smoothing"),
        (["algo=sft", "+sft.output_dir=x"], "'sft.output_dir' is set by train.py: set run_dir"),
        (["algo=sft", "+sft.gradient_accumulation_steps=4"], "accumulation is derived"),
        (["algo=sft", "+trainer.max_stepz=2"], "unknown config key 'trainer.max_stepz'"),
        (["algo=sft", "+model.lora.rank=8"], "not a field of peft.LoraConfig"),
        # TRL options that would silently not take effect (or fail after the model loaded)
        (["algo=dpo", "+dpo.padding_free=true"], "'dpo.padding_free=True' would not take effect: TRL's DPOTrainer"),
        (["algo=dpo", "+dpo.sync_ref_model=true"], "not support it with a PEFT adapter"),
        (["algo=sft", "model.attn_implementation=flash_attn"], "model.attn_implementation"),
    ],
)
@pytest.mark.reliability
def test_config_mistakes_fail_with_one_line(train_config, overrides, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        train_config(*overrides)


def test_dpo_key_with_sft_algo_is_rejected_by_hydra(train_config):
    from hydra.errors import ConfigCompositionException

    with pytest.raises(ConfigCompositionException, match="dpo"):
        train_config("algo=sft", "dpo.beta=0.1")


def test_global_batch_stays_fixed_across_world_sizes():
    from agentpref.training.config import gradient_accumulation

    assert [gradient_accumulation(32, 4, w) * 4 * w for w in (1, 2, 4, 8)] == [32] * 4
    with pytest.raises(ConfigError, match="not a multiple"):
        gradient_accumulation(8, 3, 2)


# ---- the reference cache ---------------------------------------------------------------------
def test_reference_cache_is_reused_across_betas(repo, tmp_path):
    """Two DPO trainers with different beta share the cached reference log-probs, which equal the
    adapter-disabled model's masked log-probs; other tokens mean another key."""
    from datasets import Dataset
    from omegaconf import OmegaConf
    from peft import LoraConfig
    from test_train_masks import CONVERSATION, sequence_logps
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOConfig

    from agentpref.models import ModelConfig, resolve_checkpoint
    from agentpref.training.ref_cache import RefLogpCache
    from agentpref.training.tokenize import tokenize_pair
    from agentpref.training.trainers import AgentDPOTrainer, PolicyMaskCollator

    model_cfg = ModelConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/model/tiny_random.yaml")))
    path = resolve_checkpoint(model_cfg, repo / "data/cache/models")
    tok = AutoTokenizer.from_pretrained(path)
    pairs = [
        tokenize_pair(tok, CONVERSATION[:2], CONVERSATION[2:5], [{"role": "assistant", "content": f"NO {i}"}])
        for i in range(3)
    ]
    cache = RefLogpCache(tmp_path / "cache")

    def trainer(beta: float, rows):
        args = DPOConfig(
            output_dir=str(tmp_path / f"out{beta}"),
            report_to="none",
            use_cpu=True,
            bf16=False,
            beta=beta,
            activation_checkpointing=False,
            max_length=4096,
            precompute_ref_log_probs=True,
            per_device_train_batch_size=2,
        )
        collator = PolicyMaskCollator(pad_token_id=tok.pad_token_id, max_length=4096)
        dataset = Dataset.from_list(rows)
        dataset.save_to_disk(str(tmp_path / f"ds{beta}{len(rows)}"))
        from datasets import load_from_disk

        return AgentDPOTrainer(
            model=AutoModelForCausalLM.from_pretrained(path),
            args=args,
            processing_class=tok,
            train_dataset=load_from_disk(str(tmp_path / f"ds{beta}{len(rows)}")),
            data_collator=collator,
            peft_config=LoraConfig(r=4, target_modules="all-linear"),
            ref_cache=cache,
            reference={"base": "tiny"},
            ref_settings={"mask": True},
        )

    first, second = trainer(0.1, pairs), trainer(0.5, pairs)
    assert first.ref_cache_status["train"]["hit"] is False
    assert second.ref_cache_status["train"]["hit"] is True
    assert first.ref_cache_status["train"]["key"] == second.ref_cache_status["train"]["key"]
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1
    cached = second.train_dataset["ref_chosen_logps"]
    assert cached == pytest.approx(first.train_dataset["ref_chosen_logps"])
    base = AutoModelForCausalLM.from_pretrained(path)
    row = pairs[0]
    by_hand = sequence_logps(
        base, row["prompt_ids"] + row["chosen_ids"], [0] * len(row["prompt_ids"]) + row["chosen_mask"]
    )
    assert cached[0] == pytest.approx(by_hand, rel=1e-4)
    third = trainer(0.1, pairs[:2])
    assert third.ref_cache_status["train"]["hit"] is False
    assert third.ref_cache_status["train"]["key"] != first.ref_cache_status["train"]["key"]


# ---- end to end through train.py -------------------------------------------------------------
def _summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


@pytest.fixture
def train_run(train_config, tmp_path):
    """Compose conf/train.yaml with overrides and train in this process (no 10 s import per run)."""
    from agentpref.training.run import train

    def run(*overrides: str, run_dir: Path) -> dict:
        cfg = train_config(*overrides).model_copy(update={"run_dir": str(run_dir)})
        return train(cfg, {}).model_dump(mode="json")

    return run


@pytest.mark.slow
def test_sft_then_dpo_from_the_sft_adapter(run_cli, train_run, train_data, tmp_path):
    sft_dir, dpo_dir = tmp_path / "sft", tmp_path / "dpo"
    proc = run_cli("train.py", "algo=sft", "debug=fast", f"data={train_data}", f"run_dir={sft_dir}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "sft: 2 steps" in proc.stdout
    sft = _summary(sft_dir)
    assert sft["steps"] == 2 and sft["input_tokens"] > 0
    assert (sft_dir / "adapter" / "adapter_model.safetensors").is_file()
    assert json.loads((sft_dir / "train.json").read_text())["examples"] == 4

    dpo = train_run(
        "algo=dpo",
        "debug=fast",
        "dpo.beta=0.1",
        f"data={train_data}",
        f"init_from={sft_dir}",
        f"ref_cache.dir={tmp_path / 'refcache'}",
        run_dir=dpo_dir,
    )
    assert dpo == _summary(dpo_dir)
    assert dpo["steps"] == 2 and "rewards/margins" in dpo["final"]
    assert dpo["ref_cache"]["train"]["hit"] is False
    manifest = json.loads((dpo_dir / "train.json").read_text())
    assert manifest["init_from"] == str(sft_dir) and manifest["reference"]["init_adapter"]
    assert not (dpo_dir / "adapter" / "ref").exists()  # the frozen reference copy is not the result
    from safetensors.torch import load_file

    before = load_file(sft_dir / "adapter" / "adapter_model.safetensors")
    after = load_file(dpo_dir / "adapter" / "adapter_model.safetensors")
    assert before.keys() == after.keys()  # DPO continued the SFT adapter ...
    assert any(not torch.equal(before[k], after[k]) for k in before)  # ... and moved it

    # A finished run dir is not trained again; a typo fails with one line before any work.
    assert train_run("algo=dpo", "debug=fast", f"data={train_data}", run_dir=dpo_dir) == dpo
    proc = run_cli("train.py", "algo=dpo", "debug=fast", f"data={train_data}", "+dpo.betta=1")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("error: unknown config key 'dpo.betta'")


@pytest.mark.slow
@pytest.mark.reliability
def test_resume_from_last_checkpoint_and_merge(train_run, train_data, tmp_path):
    run_dir = tmp_path / "run"
    common = ["algo=sft", "debug=fast", f"data={train_data}"]
    train_run(*common, run_dir=run_dir)
    # Simulate a crash after checkpoint-2: the outputs of the end of the run are missing.
    (run_dir / "summary.json").unlink()
    summary = train_run(*common, "trainer.max_steps=3", "merge=true", run_dir=run_dir)
    assert summary["resumed_from"].endswith("checkpoint-2") and summary["steps"] == 3
    from peft import AutoPeftModelForCausalLM
    from transformers import AutoModelForCausalLM

    merged = AutoModelForCausalLM.from_pretrained(run_dir / "merged")
    peft_model = AutoPeftModelForCausalLM.from_pretrained(run_dir / "adapter")
    ids = torch.tensor([[1, 2, 3, 4, 5]])
    with torch.no_grad():
        assert torch.allclose(merged(ids).logits, peft_model(ids).logits, atol=1e-5)


@pytest.mark.slow
@pytest.mark.reliability
def test_kill_9_mid_training_resumes_from_the_last_whole_checkpoint(repo, train_data, tmp_path):
    """A real train.py killed with SIGKILL at a random moment after its second checkpoint, plus a
    partial newer checkpoint as a kill during a save leaves it: the re-run skips the partial one,
    resumes from the last whole one and finishes the planned steps."""
    import random
    import shutil
    import signal
    import subprocess
    import sys
    import time

    from agentpref.training.run import last_complete_checkpoint

    run_dir = tmp_path / "run"
    cmd = [
        sys.executable,
        str(repo / "train.py"),
        "algo=sft",
        "debug=fast",
        f"data={train_data}",
        "trainer.max_steps=6",
        f"run_dir={run_dir}",
    ]
    proc = subprocess.Popen(cmd, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    checkpoints = run_dir / "checkpoints"
    deadline = time.time() + 300
    while time.time() < deadline and not (checkpoints / "checkpoint-2" / "trainer_state.json").exists():
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
        time.sleep(0.05)
    time.sleep(random.Random(os.getpid()).uniform(0, 1.0))
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    assert not (run_dir / "summary.json").exists(), "the run must be killed before it ends"
    whole = last_complete_checkpoint(checkpoints)
    step = int(whole.rsplit("-", 1)[1])
    assert step >= 2
    partial = checkpoints / f"checkpoint-{step + 1}"
    if not partial.exists():  # what a kill during the next save leaves behind
        shutil.copytree(whole, partial)
    (partial / "trainer_state.json").write_text('{"global_step": ')
    done = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"skipping {partial}: incomplete" in done.stderr
    summary = _summary(run_dir)
    assert summary["resumed_from"] == whole and summary["steps"] == 6
    assert (run_dir / "adapter" / "adapter_model.safetensors").is_file()
