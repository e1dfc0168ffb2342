"""``train.py``: SFT or DPO with TRL + PEFT on build_data.py output, in one run directory.

The run dir holds ``train.json`` (what was trained from what), ``checkpoints/`` (Trainer
checkpoints; a re-run with the same run_dir resumes from the last one), ``adapter/`` (the final
PEFT adapter + tokenizer; ``model/`` for full fine-tuning), ``merged/`` (with ``merge=true``),
``summary.json`` and the offline W&B run. Under ``accelerate launch``/``torchrun`` every process
computes the same run dir (see ``agentpref.config.launch_time``) and only rank 0 writes files
other than Trainer checkpoints or logs to W&B.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from agentpref.data.build import DATASET_FILES
from agentpref.errors import ConfigError, DataError
from agentpref.jsonl import read_models
from agentpref.run_files import DataStats, PreferencePair, SFTExample, TrainHparams, TrainManifest, TrainSummary
from agentpref.tracking import Tracker, WandbLogger, git_sha, is_main_process
from agentpref.training.artifacts import locate_trained
from agentpref.training.config import (
    TrainConfig,
    check_trainer_keys,
    gradient_accumulation,
    world_size,
)

DATA_FILES = {kind: [name] for kind, name in DATASET_FILES.items()}
KIND_NAMES = {"sft": "SFT examples", "trajectory": "trajectory pairs", "step": "step pairs"}


class NoExamplesError(DataError):
    """The data holds no example to train on. Typed so that study.py can skip the stage and go on;
    ``train.py`` alone still ends with this one line."""

    def __init__(self, algo: str, data: str, files: list[Path], counts: dict[str, int]):
        self.algo, self.data, self.counts = algo, data, counts
        super().__init__(
            f"no {algo} examples in {', '.join(map(str, files))}: build_data.py made none (see its stats.json for why)"
        )

    @property
    def what(self) -> str:
        """e.g. "0 DPO examples (0 trajectory pairs, 0 step pairs)"."""
        parts = ", ".join(f"{n} {KIND_NAMES[kind]}" for kind, n in self.counts.items() if kind in KIND_NAMES)
        return f"0 {self.algo.upper()} examples" + (f" ({parts})" if self.algo != "sft" and parts else "")


# ---- inputs ----------------------------------------------------------------------------------
def data_files(cfg: TrainConfig) -> list[Path]:
    root = Path(cfg.data)
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise ConfigError(f"data={cfg.data} does not exist: point it at a build_data.py output dir")
    kinds = ["sft"] if cfg.algo.name == "sft" else cfg.algo.pairs
    files = [root / name for kind in kinds for name in DATA_FILES[kind] if (root / name).is_file()]
    if not files:
        wanted = ", ".join(n for k in kinds for n in DATA_FILES[k])
        raise ConfigError(f"data={cfg.data} has none of {wanted}: run build_data.py first")
    return files


def check_not_empty(cfg: TrainConfig, files: list[Path]) -> None:
    """Raise :class:`NoExamplesError` when ``files`` hold no example (lines are counted, not
    parsed: cheap, and before the model is loaded)."""
    wanted = [] if Path(cfg.data).is_file() else ["sft"] if cfg.algo.name == "sft" else cfg.algo.pairs
    counts = dict.fromkeys(wanted, 0)
    for f in files:
        kind = next((k for k, names in DATA_FILES.items() if f.name in names), cfg.algo.name)
        counts[kind] = counts.get(kind, 0) + _lines(f)
    if not any(counts.values()):
        raise NoExamplesError(cfg.algo.name, cfg.data, files, counts)


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for line in f if line.strip())


def read_examples(cfg: TrainConfig, files: list[Path]) -> list[SFTExample] | list[PreferencePair]:
    model, what = (SFTExample, "SFT example") if cfg.algo.name == "sft" else (PreferencePair, "preference pair")
    rows = [row for path in files for row in read_models(path, model, what)]
    return rows[: cfg.max_examples] if cfg.max_examples else rows


def tokenize_examples(cfg: TrainConfig, rows: list[Any], tokenizer: Any) -> list[dict[str, Any]]:
    from agentpref.training.tokenize import tokenize_pair, tokenize_sft

    out = []
    for i, row in enumerate(rows):
        try:
            if isinstance(row, SFTExample):
                out.append(tokenize_sft(tokenizer, row.messages, row.tools, row.loss_mask))
            else:
                out.append(
                    tokenize_pair(
                        tokenizer,
                        row.prompt,
                        row.chosen,
                        row.rejected,
                        row.chosen_loss_mask,
                        row.rejected_loss_mask,
                        row.tools,
                    )
                )
        except DataError as exc:
            raise DataError(f"example {i} of {cfg.data}: {exc}") from None
    return out


def resolve_init(cfg: TrainConfig) -> tuple[str | None, str | None]:
    """(adapter dir, full checkpoint dir) to start from; both None = the base model."""
    if cfg.init_from is None:
        return None, None
    run = locate_trained(cfg.init_from, cfg.model.name, "init_from")
    return run.adapter, run.full


def load_model(cfg: TrainConfig) -> tuple[Any, Any, dict[str, Any]]:
    """(model, tokenizer, reference identity). The reference is the model before training: base +
    initial adapter. A new LoRA adapter is added by the TRL trainer (``peft_config``), so the
    reference is the same weights with the adapter switched off: no second copy of the model."""
    from agentpref.models import (
        load_pretrained,
        resolve_checkpoint,
        resolve_device,
        torch_dtype,
        weights_fingerprint,
    )

    adapter, full = resolve_init(cfg)
    path = full or resolve_checkpoint(cfg.model, cfg.cache_dir)
    dtype = torch_dtype(cfg.model, resolve_device(cfg.device))
    model, tokenizer = load_pretrained(cfg.model, path, dtype)
    if adapter:  # continue training it; TRL's DPOTrainer keeps a frozen copy named "ref" as reference
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter, is_trainable=True)
    reference = {
        "base": weights_fingerprint(path) if Path(path).is_dir() else f"{path}@{cfg.model.revision}",
        "init_adapter": weights_fingerprint(adapter),
        "dtype": str(dtype),
    }
    return model, tokenizer, reference


def build_dataset(cfg: TrainConfig, files: list[Path], tokenizer: Any, run_dir: Path) -> Any:
    """Tokenized dataset, saved to the run dir by rank 0 and loaded by all (TRL's reference
    precompute needs an on-disk dataset when several processes run)."""
    from accelerate import PartialState
    from datasets import Dataset, load_from_disk

    from agentpref.models import resolve_device

    path = run_dir / "dataset"
    # cpu=True: on CPU a bare PartialState() is a single-process state and would not make the
    # other ranks wait (TrainingArguments re-creates the state later).
    with PartialState(cpu=resolve_device(cfg.device) == "cpu").main_process_first():
        if is_main_process() and not (path / "dataset_info.json").is_file():
            rows = read_examples(cfg, files)
            if not rows:
                raise DataError(
                    f"no {cfg.algo.name} examples in {', '.join(map(str, files))}: build_data.py made none "
                    "(see its stats.json for why)"
                )
            Dataset.from_list(tokenize_examples(cfg, rows, tokenizer)).save_to_disk(str(path))
        dataset = load_from_disk(str(path))
    return dataset


def trainer_args(cfg: TrainConfig, run_dir: Path, accumulation: int, report: bool) -> Any:
    import torch
    import trl

    from agentpref.models import resolve_device, torch_dtype

    device = resolve_device(cfg.device)
    args: dict[str, Any] = {
        "output_dir": str(run_dir / "checkpoints"),
        "per_device_train_batch_size": cfg.per_device_batch_size,
        "gradient_accumulation_steps": accumulation,
        "seed": cfg.seed,
        "report_to": ["wandb"] if report else "none",
        "run_name": run_dir.name,
        "bf16": torch_dtype(cfg.model, device) == torch.bfloat16,
        "use_cpu": device == "cpu",
        "include_num_input_tokens_seen": "all",
    }
    if cfg.algo.name == "dpo":
        args["precompute_ref_log_probs"] = cfg.ref_cache.enabled
    args.update(cfg.trl_overrides)
    cls = trl.SFTConfig if cfg.algo.name == "sft" else trl.DPOConfig
    try:
        return cls(**args)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{cfg.algo.name}: {str(exc).splitlines()[0]}") from None


# ---- the run ---------------------------------------------------------------------------------
def method_hparams(cfg: TrainConfig, args: Any) -> TrainHparams:
    """What names the method in evaluate.py's labels and report.py's tables (beta, loss, lr, ...)."""
    hparams = TrainHparams(
        learning_rate=args.learning_rate,
        num_train_epochs=args.num_train_epochs,
        max_steps=args.max_steps,
        max_length=args.max_length,
    )
    if cfg.algo.name == "dpo":
        loss = args.loss_type
        hparams.beta = args.beta
        hparams.loss_type = loss if isinstance(loss, str) else "+".join(loss)
        hparams.pairs = cfg.algo.pairs
        hparams.mask_environment = cfg.algo.mask_environment
    return hparams


def data_scorer(files: list[Path]) -> str | None:
    """The scorer build_data.py labelled the data with (its stats.json), if known."""
    for folder in {f.parent for f in files}:
        stats = DataStats.read_if_present(folder, "data")
        if stats is not None:
            return stats.scorer
    return None


def train(cfg: TrainConfig, resolved: dict[str, Any]) -> TrainSummary:
    check_trainer_keys(cfg)
    run_dir = Path(cfg.run_dir)
    done = TrainSummary.read_if_present(run_dir)
    if done is not None:
        print(f"[agentpref] {run_dir} already finished training ({done.steps} steps); use a new run_dir to train again")
        return done
    files = data_files(cfg)  # before the model: a wrong data= path fails in a second
    check_not_empty(cfg, files)  # ... and so does data without examples
    world = world_size()
    accumulation = gradient_accumulation(cfg.global_batch_size, cfg.per_device_batch_size, world)
    run_dir.mkdir(parents=True, exist_ok=True)

    report = isinstance(cfg.logger, WandbLogger) and cfg.logger.mode != "disabled"
    # TrainingArguments before the model: under DeepSpeed ZeRO-3 it is what makes from_pretrained
    # load the weights already sharded (zero.Init) instead of whole on every rank.
    args = trainer_args(cfg, run_dir, accumulation, report)
    model, tokenizer, reference = load_model(cfg)
    dataset = build_dataset(cfg, files, tokenizer, run_dir)
    sha = git_sha()
    manifest = TrainManifest(
        algo=cfg.algo.name,
        model=cfg.model.name,
        init_from=cfg.init_from,
        reference=reference,
        data=[str(f) for f in files],
        examples=len(dataset),
        git_sha=sha,
        world_size=world,
        global_batch_size=cfg.global_batch_size,
        gradient_accumulation_steps=accumulation,
        hparams=method_hparams(cfg, args),
        data_scorer=data_scorer(files),
    )
    if cfg.algo.name == "dpo" and args.truncation_mode == "keep_start":
        from agentpref.training.tokenize import truncation_check

        manifest.truncation = truncation_check(dataset.to_list(), args.max_length, cfg.algo.mask_environment)
        cut = manifest.truncation
        print(
            f"[agentpref] dpo.max_length={args.max_length}: {cut['truncated']} of {cut['pairs']} pairs cut, "
            f"{cut['difference_lost']} left without a trained token on a side (dropped: they compare nothing)",
            file=sys.stderr,
        )
    if is_main_process():
        manifest.write(run_dir)

    logger = (
        cfg.logger.model_copy(update={"tags": [*cfg.logger.tags, cfg.algo.name, cfg.model.name, f"git:{sha}"]})
        if report
        else cfg.logger
    )
    tracker = Tracker(
        logger,
        run_dir,
        resolved | {"manifest": manifest.model_dump()},
        job_type=f"train-{cfg.algo.name}",
        name=f"{cfg.algo.name}-{run_dir.name}",
    )
    tracker.use(*files, cfg.init_from)
    try:
        trainer = make_trainer(cfg, args, model, tokenizer, dataset, reference)
        if len(trainer.train_dataset) == 0:
            why = "cut before their two sides differ" if cfg.algo.name == "dpo" else "their prompts fill"
            raise DataError(
                f"all {len(dataset)} examples were dropped ({why} "
                f"{cfg.algo.name}.max_length={args.max_length}): raise it"
            )
        checkpoints = Path(args.output_dir)
        last = last_complete_checkpoint(checkpoints) if cfg.resume else None
        if last:
            print(f"[agentpref] resuming from {last}")
        start = time.perf_counter()
        result = trainer.train(resume_from_checkpoint=last)
        seconds = time.perf_counter() - start
        out_dir = run_dir / ("adapter" if _is_peft(trainer.model) else "model")
        trainer.save_model(str(out_dir))
        summary = _summary(cfg, trainer, result, seconds, out_dir, last, world, accumulation)
        summary.rank_weight_checksums = rank_checksums(trainer.model)
        if is_main_process():
            shutil.rmtree(out_dir / "ref", ignore_errors=True)  # the frozen reference copy, not the result
            if cfg.merge and out_dir.name == "adapter":
                summary.merged = merge_adapter(out_dir, run_dir / "merged")
            summary_file = summary.write(run_dir)
            numbers = summary.model_dump(exclude={"final"}) | {f"final/{k}": v for k, v in summary.final.items()}
            tracker.summary({k: v for k, v in numbers.items() if isinstance(v, int | float)})
            tracker.log_artifact("model", [out_dir, run_dir / manifest.FILE, summary_file])
        trainer.accelerator.wait_for_everyone()
        return summary
    except BaseException:
        tracker.finish(exit_code=1)
        raise
    finally:
        tracker.finish()


def make_trainer(cfg: TrainConfig, args: Any, model: Any, tokenizer: Any, dataset: Any, reference: dict[str, Any]):
    from agentpref.training.ref_cache import RefLogpCache
    from agentpref.training.trainers import AgentDPOTrainer, AgentSFTTrainer, PolicyMaskCollator

    peft_config = None
    if cfg.model.lora is not None and not _is_peft(model):
        from peft import LoraConfig

        peft_config = LoraConfig(task_type="CAUSAL_LM", **cfg.model.lora)
    if cfg.algo.name == "sft":
        return AgentSFTTrainer(
            model=model, args=args, train_dataset=dataset, processing_class=tokenizer, peft_config=peft_config
        )
    tokenizer.padding_side = "left"
    collator = None
    if cfg.algo.mask_environment:
        collator = PolicyMaskCollator(
            pad_token_id=tokenizer.pad_token_id,
            max_length=args.max_length,
            truncation_mode=args.truncation_mode,
            pad_to_multiple_of=args.pad_to_multiple_of,
        )
    settings = {
        "mask_environment": cfg.algo.mask_environment,
        "max_length": args.max_length,
        "truncation_mode": args.truncation_mode,
        "ld_alpha": args.ld_alpha,
        "autocast": "bf16" if args.bf16 else "fp16" if args.fp16 else None,
    }
    return AgentDPOTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        data_collator=collator,
        peft_config=peft_config,
        ref_cache=RefLogpCache(cfg.ref_cache.dir) if cfg.ref_cache.enabled else None,
        reference=reference,
        ref_settings=settings,
    )


def _is_peft(model: Any) -> bool:
    from peft import PeftModel

    return isinstance(model, PeftModel) or hasattr(model, "peft_config")


def merge_adapter(adapter: Path, out: Path) -> str:
    """Base + adapter folded into one checkpoint (reloaded on CPU, so it works after ZeRO-3)."""
    from peft import AutoPeftModelForCausalLM

    model = AutoPeftModelForCausalLM.from_pretrained(str(adapter)).merge_and_unload()
    model.save_pretrained(str(out))
    from transformers import AutoTokenizer

    AutoTokenizer.from_pretrained(str(adapter)).save_pretrained(str(out))
    return str(out)


def _summary(
    cfg: TrainConfig,
    trainer: Any,
    result: Any,
    seconds: float,
    out_dir: Path,
    resumed: str | None,
    world: int,
    accumulation: int,
) -> TrainSummary:
    logs = [entry for entry in trainer.state.log_history if "loss" in entry]
    last = logs[-1] if logs else {}
    keep = (
        "loss",
        "rewards/chosen",
        "rewards/rejected",
        "rewards/accuracies",
        "rewards/margins",
        "logps/chosen",
        "logps/rejected",
        "mean_token_accuracy",
        "tokens_per_second",
        "learning_rate",
    )
    return TrainSummary(
        algo=cfg.algo.name,
        model=cfg.model.name,
        steps=trainer.state.global_step,
        train_loss=result.training_loss,
        first_loss=logs[0]["loss"] if logs else None,
        seconds=round(seconds, 2),
        seconds_per_step=round(seconds / max(1, trainer.state.global_step - _checkpoint_step(resumed)), 3),
        input_tokens=int(trainer.state.num_input_tokens_seen or 0),
        world_size=world,
        global_batch_size=cfg.global_batch_size,
        gradient_accumulation_steps=accumulation,
        resumed_from=resumed,
        output=str(out_dir),
        final={k: last[k] for k in keep if k in last},
        ref_cache=getattr(trainer, "ref_cache_status", None) or None,
    )


def weight_checksum(model: Any) -> str:
    """sha256 of the trainable parameters (sorted by name, fp32 bytes) as this rank holds them.
    Under ZeRO-3 each parameter is gathered in turn (a collective: every rank must call this)."""
    import contextlib
    import hashlib

    import torch

    digest = hashlib.sha256()
    trainable = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    for name, param in sorted(trainable, key=lambda item: item[0]):
        gathered = contextlib.nullcontext()
        if hasattr(param, "ds_id"):  # a ZeRO-3 shard
            import deepspeed

            gathered = deepspeed.zero.GatheredParameters([param])
        with gathered:
            digest.update(name.encode())
            digest.update(param.detach().to("cpu", torch.float32).contiguous().numpy().tobytes())
    return digest.hexdigest()


def rank_checksums(model: Any) -> list[str]:
    """Every rank's :func:`weight_checksum`, gathered (rank order). Data-parallel replicas must end
    identical; rank 0 warns loudly when they do not (the run's result would depend on the rank)."""
    from accelerate.utils import gather_object

    checksums = list(gather_object([weight_checksum(model)]))
    if len(set(checksums)) > 1 and is_main_process():
        print(
            "!" * 100 + f"\n[agentpref] WARNING: the ranks finished with DIFFERENT weights: {checksums}\n"
            "The data-parallel replicas drifted apart; the saved result is rank 0's.\n" + "!" * 100,
            flush=True,
        )
    return checksums


def last_complete_checkpoint(folder: Path) -> str | None:
    """The newest ``checkpoint-N`` whose ``trainer_state.json`` (the Trainer writes it last) is
    whole. A run killed while saving leaves a newer, partial one: it is skipped, with a line."""
    if not folder.is_dir():
        return None
    found = sorted(
        (int(p.name.split("-")[1]), p)
        for p in folder.glob("checkpoint-*")
        if p.is_dir() and p.name.split("-")[1].isdigit()
    )
    for _, path in reversed(found):
        try:
            json.loads((path / "trainer_state.json").read_text())
            return str(path)
        except (OSError, ValueError):
            print(f"[agentpref] skipping {path}: incomplete (the run was stopped while saving it)", file=sys.stderr)
    return None


def _checkpoint_step(checkpoint: str | None) -> int:
    return int(checkpoint.rsplit("-", 1)[1]) if checkpoint else 0


def print_summary(summary: TrainSummary) -> None:
    extra = ""
    if summary.algo == "dpo":
        extra = (
            f", reward accuracy {summary.final.get('rewards/accuracies', float('nan')):.2f}, "
            f"margin {summary.final.get('rewards/margins', float('nan')):.3f}"
        )
    print(
        f"{summary.algo}: {summary.steps} steps in {summary.seconds} s ({summary.seconds_per_step} s/step), "
        f"train loss {summary.train_loss:.4f}{extra} -> {summary.output}"
    )
