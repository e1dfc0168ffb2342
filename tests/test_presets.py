"""Every preset composes for its entry point, and every ablation row runs for one tiny step:
train presets on the tiny random model, then the evaluation preset on the trained adapters."""

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf

GROUPS = ("experiment", "debug", "hparams_search")


def entry_point(group: str, stem: str) -> str:
    """Presets named eval_* configure evaluate.py, study_* study.py, every other train.py."""
    if group == "experiment" and stem.startswith(("eval_", "study_")):
        return "evaluate" if stem.startswith("eval_") else "study"
    return "train"


def all_presets(repo: Path) -> list[tuple[str, str]]:
    return [(group, p.stem) for group in GROUPS for p in sorted((repo / "conf" / group).glob("*.yaml"))]


@pytest.fixture
def compose_entry(repo, tmp_path):
    """Compose ``train``, ``evaluate`` or ``study`` with overrides and validate it (run_dir as resolved)."""
    from omegaconf import open_dict

    from agentpref.entrypoints import compose, validate

    def make(entry: str, *overrides: str, run_dir: Path | None = None):
        cfg = compose(entry, ["logger=none", *overrides], **({"run_dir": run_dir} if run_dir is not None else {}))
        if entry == "study":  # a study's required paths (params: ???) are the user's runs
            with open_dict(cfg):
                for key in cfg.params:
                    if OmegaConf.is_missing(cfg.params, key):
                        cfg.params[key] = "unused"
        return validate(entry, cfg)

    return make


def test_every_preset_composes(repo, compose_entry):
    presets = all_presets(repo)
    assert ("experiment", "eval_ablation") in presets and ("experiment", "ablation_sft_dpo") in presets
    for group, stem in presets:
        text = (repo / "conf" / group / f"{stem}.yaml").read_text()
        entry = entry_point(group, stem)
        data = ["data=unused"] if entry == "train" and "\ndata:" not in text else []
        cfg = compose_entry(entry, f"{group}={stem}", *data)
        if entry == "train":
            assert cfg.algo.name in {"sft", "dpo"}, stem
        elif entry == "evaluate":
            assert cfg.tasks.split == "heldout" and max(cfg.ks) <= cfg.samples_per_task
        else:  # every stage of a study composes for its own entry point
            from agentpref.entrypoints import compose

            for name, stage in cfg.stages.items():
                assert compose(stage.entry, stage.overrides), (stem, name)
    # The ablation layout: rows land in outputs/ablation/<model>/<row>, evaluations next to them.
    row = compose_entry("train", "experiment=ablation_sft_dpo", "dpo.beta=0.3", "model=qwen7b")
    assert row.run_dir == "outputs/ablation/qwen7b/sft_dpo_beta0.3" and row.init_from == "outputs/ablation/qwen7b/sft"
    ev = compose_entry("evaluate", "experiment=eval_ablation", f"policy_from={row.run_dir}", "model=qwen7b")
    assert ev.run_dir == "outputs/ablation/qwen7b/eval/sft_dpo_beta0.3"
    ev = compose_entry(
        "evaluate", "experiment=eval_ablation", f"policy_from={row.run_dir}", "model=qwen7b", "policy_step=50"
    )  # a checkpoint never resumes into the final adapter's evaluation
    assert ev.run_dir == "outputs/ablation/qwen7b/eval/sft_dpo_beta0.3_step50"
    assert compose_entry("evaluate", "experiment=eval_ablation").run_dir == "outputs/ablation/smollm2_135m/eval/base"


ONE_STEP = ["debug=fast", "trainer.max_steps=1", "global_batch_size=1", "max_examples=2"]
EXPECTED_LABELS = {
    "ablation_sft": "SFT",
    "ablation_dpo": "DPO (β=0.1)",
    "ablation_sft_dpo": "SFT+DPO (β=0.1)",
    "ablation_sft_dpo_trajectory": "SFT+DPO (β=0.1) [trajectory pairs]",
    "ablation_sft_dpo_step": "SFT+DPO (β=0.1) [step pairs]",
    "ablation_sft_dpo_discipline": "SFT+DPO (β=0.1)",
}


@pytest.fixture(scope="module")
def ablation_runs(repo, train_data, tmp_path_factory):
    """Each ablation row's train preset for one optimizer step (rows with init_from continue the
    ablation_sft run); returns {preset: run dir}."""
    from omegaconf import open_dict

    from agentpref.entrypoints import compose, validate
    from agentpref.training.run import train

    root = tmp_path_factory.mktemp("ablation")
    rows = sorted(p.stem for p in (repo / "conf/experiment").glob("ablation_*.yaml"))
    rows.remove("ablation_sft")
    runs = {}
    for stem in ["ablation_sft", *rows]:
        overrides = [f"experiment={stem}", *ONE_STEP, f"data={train_data}", f"ref_cache.dir={root / 'refcache'}"]
        cfg = compose("train", overrides, run_dir=root / stem)
        with open_dict(cfg):
            if cfg.init_from:
                cfg.init_from = runs["ablation_sft"]
        train(validate("train", cfg), {})
        runs[stem] = str(root / stem)
    return runs


@pytest.mark.slow
def test_every_ablation_row_trains_one_step(ablation_runs, compose_entry):
    from agentpref.evaluation.run import method_label, resolve_policy

    assert set(ablation_runs) == set(EXPECTED_LABELS)
    for stem, run_dir in ablation_runs.items():
        summary = json.loads(Path(run_dir, "summary.json").read_text())
        manifest = json.loads(Path(run_dir, "train.json").read_text())
        assert summary["steps"] == 1 and (Path(run_dir) / "adapter" / "adapter_config.json").is_file(), stem
        assert manifest["algo"] == ("sft" if stem == "ablation_sft" else "dpo")
        assert (manifest["init_from"] is not None) == stem.startswith("ablation_sft_dpo")
        cfg = compose_entry("evaluate", "experiment=eval_ablation", "model=tiny_random", f"policy_from={run_dir}")
        model, info = resolve_policy(cfg)
        assert model.adapter == f"{run_dir}/adapter" and method_label(info) == EXPECTED_LABELS[stem]
        assert cfg.run_dir.endswith(f"eval/{Path(run_dir).name}")


@pytest.mark.slow
def test_base_and_sft_dpo_evaluations_make_the_ablation_table(ablation_runs, compose_entry, run_cli, tmp_path):
    """The loop's last two stages on CPU: the eval preset on the base model and on the SFT+DPO
    row (compared with base), then report.py's Markdown + LaTeX tables with CIs and the plots."""
    from agentpref.evaluation.run import run_evaluation

    small = [
        "model=tiny_random",
        "tasks.limit=2",
        "samples_per_task=2",
        "ks=[1,2]",
        "agent.max_steps=2",
        "backend.max_new_tokens=16",
        "progress=false",
    ]
    evals = tmp_path / "eval"
    base = run_evaluation(compose_entry("evaluate", "experiment=eval_ablation", *small, run_dir=evals / "base"))
    base = base.model_dump(mode="json")
    sft_dpo = run_evaluation(
        compose_entry(
            "evaluate",
            "experiment=eval_ablation",
            *small,
            f"policy_from={ablation_runs['ablation_sft_dpo']}",
            f"compare_to={evals / 'base'}",
            run_dir=evals / "sft_dpo",
        )
    ).model_dump(mode="json")
    assert base["method"] == "base" and sft_dpo["method"] == "SFT+DPO (β=0.1)"
    assert sft_dpo["adapter"].endswith("ablation_sft_dpo/adapter") and sft_dpo["comparison"]["tasks"] == 2
    # QuixBugs as the out-of-distribution set: the same rows evaluate there (a look-alike clone here)
    quixbugs = [*small, "tasks=quixbugs", f"tasks.root={Path(__file__).parent / 'fixtures/quixbugs_mini/clone'}"]
    for name, policy in (("base", []), ("sft", [f"policy_from={ablation_runs['ablation_sft']}"])):
        ood = run_evaluation(
            compose_entry("evaluate", "experiment=eval_ablation", *quixbugs, *policy, run_dir=tmp_path / "ood" / name)
        )
        assert ood.task_set.kind == "quixbugs" and ood.episodes == 2 * ood.task_set.tasks > 0, name

    out = tmp_path / "results"
    proc = run_cli("report.py", f"runs=[{evals}/*]", "baseline=base", f"run_dir={out}", "name=table")
    assert proc.returncode == 0, proc.stderr[-3000:]
    md = (out / "table.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| ")][1:]  # after the header
    assert [r.split("|")[1].strip() for r in rows[:2]] == ["base", "SFT+DPO (β=0.1)"]
    m = base["metrics"]["pass@1"]
    assert f"{100 * m['value']:.1f} [{100 * m['ci_low']:.1f}, {100 * m['ci_high']:.1f}]" in rows[0]
    assert "Difference vs base" in md and f"{evals}/sft_dpo" in md and "python report.py" in md
    tex = (out / "table.tex").read_text()
    assert "\\toprule" in tex and "\\bottomrule" in tex and "% Command: python report.py" in tex
    assert (out / "table_bars.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
