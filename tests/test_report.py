"""report.py: ablation tables and plots over evaluate.py run dirs (fake summaries, no model)."""

import json
import re

import numpy as np
import pytest

from agentpref.errors import ConfigError
from agentpref.evaluation.metrics import catalogue, format_value
from agentpref.evaluation.stats import bootstrap_ci, describe
from agentpref.reporting.run import ReportConfig, make_report

KS = [1, 5]
TASKS = [f"task_{i:02d}" for i in range(12)]
RESAMPLES = 200
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
METHOD_INFO = {
    "algo": None,
    "beta": None,
    "loss_type": None,
    "init_algo": None,
    "data_scorer": None,
    "policy_from": None,
}
# (dir name, label, method_info, quality): dir names sort differently from the expected order.
METHODS = [
    ("e_base", "base", {}, 0.1),
    ("a_sft", "SFT", {"algo": "sft"}, 0.3),
    ("d_dpo", "DPO (β=0.1)", {"algo": "dpo", "beta": 0.1, "loss_type": "sigmoid"}, 0.2),
    ("c_sftdpo01", "SFT+DPO (β=0.1)", {"algo": "dpo", "beta": 0.1, "init_algo": "sft"}, 0.5),
    ("b_sftdpo03", "SFT+DPO (β=0.3)", {"algo": "dpo", "beta": 0.3, "init_algo": "sft"}, 0.7),
]
DPO_INFO = {"algo": "dpo", "beta": 0.1, "init_algo": "sft"}
LOOPS = catalogue(KS)["loop_rate"].label  # labels come from the catalogue (its wording may change)
ORDER = ["base", "SFT", "DPO (β=0.1)", "SFT+DPO (β=0.1)", "SFT+DPO (β=0.3)"]


def components(quality: float, tasks: list[str], seed: int) -> dict[str, dict[str, list[float]]]:
    """Per-task (num, den) for every catalogue metric; pass@k grows with ``quality``, loops
    shrink with it except that SFT (quality 0.3) is made the loop-free one."""
    rng = np.random.default_rng(seed)
    n = len(tasks)
    comps = {}
    for name, metric in catalogue(KS).items():
        den = np.ones(n)
        if name.startswith("pass@"):
            num = np.clip(quality + rng.uniform(-0.1, 0.1, n), 0, 1)
        elif name == "loop_rate":
            num = np.clip(0.5 - quality / 2 + rng.uniform(0, 0.2, n), 0, 1)
            num = np.zeros(n) if quality == 0.3 else num
        elif name == "protocol_error_rate":
            den = rng.integers(5, 15, n).astype(float)
            num = np.floor(den * rng.uniform(0, 1 - quality, n))
        elif name in ("tokens_per_solved", "usd_per_solved"):
            den = rng.integers(0, 5, n).astype(float)
            num = rng.uniform(5_000, 40_000, n) * (1e-6 if metric.fmt == "usd" else 1)
        elif name == "mean_steps":
            num = rng.uniform(3, 20, n)
        else:
            num = rng.uniform(0, 1, n)
        comps[name] = {"num": num.tolist(), "den": den.tolist()}
    return comps


def write_run(root, dirname, method, info, quality, *, tasks=TASKS, samples=5, seed=0, kind="evaluate", eval_seed=0):
    """An evaluate.py run dir: summary.json per the contract, metrics from per-task components."""
    comps = components(quality, tasks, seed)
    cat = catalogue(KS)
    metrics = {
        name: describe(c["num"], c["den"], confidence=0.95, resamples=RESAMPLES, seed=0)
        | {"label": cat[name].label, "higher_is_better": cat[name].higher_is_better, "fmt": cat[name].fmt}
        for name, c in comps.items()
    }
    summary = {
        "kind": kind,
        "version": 1,
        "method": method,
        "method_info": METHOD_INFO | info,
        "model": "smollm2_135m",
        "adapter": None if info.get("algo") is None else f"/ckpt/{dirname}/adapter",
        "task_set": {"kind": "builtin", "split": "heldout", "tasks": len(tasks), "task_ids": list(tasks)},
        "samples_per_task": samples,
        "ks": KS,
        "temperature": 0.7,
        "greedy": False,
        "scorer": "default",
        "confidence": 0.95,
        "bootstrap_resamples": RESAMPLES,
        "seed": eval_seed,
        "metrics": metrics,
        "per_task": {"task_ids": list(tasks), "components": comps},
        "comparison": None,
        "complete": True,
        "episodes": len(tasks) * samples,
        "generation": {},
        "git_sha": f"sha{seed:05d}",
        "run_dir": str(root / dirname),
        "seconds": 1.0,
    }
    path = root / dirname
    path.mkdir(parents=True)
    (path / "summary.json").write_text(json.dumps(summary))
    return summary


@pytest.fixture
def eval_runs(tmp_path):
    """Five eval run dirs under tmp_path/eval; returns (root, {method: summary})."""
    root = tmp_path / "eval"
    summaries = {label: write_run(root, d, label, info, q, seed=i) for i, (d, label, info, q) in enumerate(METHODS)}
    return root, summaries


def report(tmp_path, runs, **kw):
    cfg = ReportConfig(runs=runs, run_dir=str(tmp_path / "out"), **kw)
    return make_report(cfg, "python report.py 'runs=[x]'")


def md_table(text: str, which: int = 0) -> tuple[list[str], list[list[str]]]:
    """(header cells, data rows' cells) of the ``which``-th pipe table in a Markdown text."""
    tables, current = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            current.append([c.strip() for c in line.strip("|").split("|")])
        elif current:
            tables.append(current)
            current = []
    head, _, *rows = tables[which]
    return head, rows


def test_markdown_rows_order_bold_and_cis(tmp_path, eval_runs, compose_config):
    root, summaries = eval_runs
    cfg = compose_config("report", ReportConfig, f"runs=[{root}/*]", f"run_dir={tmp_path / 'out'}")
    assert cfg.metrics[0] == "pass@1" and cfg.name == "ablation" and cfg.baseline is None
    result = make_report(cfg, "python report.py 'runs=[x]'")
    assert result["rows"] == 5 and result["methods"] == ORDER
    md = (tmp_path / "out" / "ablation.md").read_text()
    head, rows = md_table(md)
    assert [r[0] for r in rows] == ORDER
    assert head[:3] == ["method", "pass@1 (%) ↑", "pass@1 (visible) (%) ↑"]
    assert f"{LOOPS} (%) ↓" in head and f"{catalogue(KS)['tokens_per_solved'].label} ↓" in head

    col = head.index("pass@1 (%) ↑")
    bold = [r[col].startswith("**") for r in rows]
    assert bold == [m == "SFT+DPO (β=0.3)" for m in ORDER]  # highest quality only
    loops = head.index(f"{LOOPS} (%) ↓")
    values = [summaries[m]["metrics"]["loop_rate"]["value"] for m in ORDER]
    assert [r[loops].startswith("**") for r in rows] == [v == min(values) for v in values]
    assert rows[ORDER.index("SFT")][loops].startswith("**0.0 [0.0, 0.0]**")  # lower is better
    for row, method in zip(rows, ORDER):  # CI text = the summary's values, formatted
        m = summaries[method]["metrics"]["pass@1"]
        text = (
            f"{format_value(m['value'], 'pct')} [{format_value(m['ci_low'], 'pct')}, "
            f"{format_value(m['ci_high'], 'pct')}]"
        )
        assert row[col].strip("*") == text
    assert "95% CI" in md and f"{RESAMPLES} resamples" in md
    assert "CIs over 12 tasks, 5 samples per task" in md
    assert "Command: `python report.py 'runs=[x]'`" in md
    assert f"`{root / 'b_sftdpo03'}`: SFT+DPO (β=0.3), model smollm2_135m" in md
    assert "Difference vs" not in md

    data = json.loads((tmp_path / "out" / "ablation.json").read_text())
    assert [r["method"] for r in data["rows"]] == ORDER
    assert data["rows"][4]["metrics"]["pass@1"]["best"] is True
    top = data["rows"][4]["metrics"]["pass@1"]
    assert top["value"] == summaries[ORDER[4]]["metrics"]["pass@1"]["value"]


def test_latex_booktabs_command_and_bold(tmp_path, eval_runs):
    root, _ = eval_runs
    result = report(tmp_path, [str(root / "*")], metrics=["pass@1", "loop_rate"], name="t")
    tex = open(result["files"]["latex"]).read()
    for rule in (r"\toprule", r"\midrule", r"\bottomrule", r"\begin{tabular}{lcc}"):
        assert tex.count(rule) == 1
    assert "% Command: python report.py 'runs=[x]'" in tex.splitlines()
    assert tex.count(r"\textbf{") == 2  # one best per column
    assert r"pass@1 (\%) $\uparrow$" in tex and rf"{LOOPS} (\%) $\downarrow$" in tex
    assert r"SFT+DPO ($\beta$=0.3) & \textbf{" in tex
    assert "β" not in tex.split(r"\begin{table}")[1]  # escaped in the table


def test_order_and_ties(tmp_path):
    root = tmp_path / "eval"
    write_run(root, "x", "base", {}, 0.3, seed=1)
    write_run(root, "y", "mine", {"algo": "sft"}, 0.3, seed=1)  # identical numbers: a tie
    result = report(tmp_path, [str(root / "*")], metrics=["pass@1"], order=["mine"])
    assert result["methods"] == ["mine", "base"]
    _, rows = md_table(open(result["files"]["markdown"]).read())
    assert all(r[1].startswith("**") for r in rows)


def test_baseline_paired_difference(tmp_path, eval_runs):
    root, summaries = eval_runs
    result = report(tmp_path, [str(root / "*")], baseline="base", metrics=["pass@1", "loop_rate"])
    data = json.loads(open(result["files"]["json"]).read())
    assert set(data["comparisons"]) == set(ORDER[1:])
    for method in ORDER[1:]:
        for metric in ("pass@1", "loop_rate"):
            a = summaries[method]["per_task"]["components"][metric]
            b = summaries["base"]["per_task"]["components"][metric]
            by_hand = sum(a["num"]) / sum(a["den"]) - sum(b["num"]) / sum(b["den"])
            comp = data["comparisons"][method][metric]
            assert comp["difference"] == pytest.approx(by_hand)
            assert 0 <= comp["p_value"] <= 1 and comp["tasks"] == 12
            assert comp["ci_low"] <= comp["difference"] <= comp["ci_high"]
    md = open(result["files"]["markdown"]).read()
    assert "## Difference vs base" in md
    head, rows = md_table(md, which=1)
    assert [r[0] for r in rows] == ORDER[1:]
    diff = data["comparisons"]["SFT+DPO (β=0.3)"]["pass@1"]["difference"]
    assert rows[-1][1].strip("*").startswith(f"+{100 * diff:.1f} [")
    tex = open(result["files"]["latex"]).read()
    assert tex.count(r"\toprule") == 2


def test_mixed_tasks_error_and_common_task_difference(tmp_path):
    root = tmp_path / "eval"
    base = write_run(root, "base", "base", {}, 0.2, seed=1)
    sub = list(reversed(TASKS[2:]))  # a subset, other order
    sft = write_run(root, "sft", "SFT", {"algo": "sft"}, 0.6, tasks=sub, samples=3, seed=2)
    with pytest.raises(ConfigError, match="allow_mixed_tasks"):
        report(tmp_path, [str(root / "*")])
    result = report(tmp_path, [str(root / "*")], allow_mixed_tasks=True, baseline="base", metrics=["pass@1"])
    comp = json.loads(open(result["files"]["json"]).read())["comparisons"]["SFT"]["pass@1"]
    a = sft["per_task"]["components"]["pass@1"]["num"]
    b = dict(zip(TASKS, base["per_task"]["components"]["pass@1"]["num"]))
    assert comp["tasks"] == 10
    assert comp["difference"] == pytest.approx(np.mean(a) - np.mean([b[t] for t in sub]))
    md = open(result["files"]["markdown"]).read()
    assert "different task sets" in md and "samples per task differ" in md
    assert "CIs over 10–12 tasks, 3–5 samples per task" in md


def test_plots_are_pngs_and_beta_plot_needs_two_betas(tmp_path, eval_runs):
    root, _ = eval_runs
    result = report(tmp_path, [str(root / "*")])
    for key in ("bars", "beta"):
        data = open(result["files"][key], "rb").read()
        assert data.startswith(PNG_MAGIC) and len(data) > 1024
    one_beta = [str(root / d) for d, *_ in METHODS if d != "b_sftdpo03"]
    result = report(tmp_path, one_beta, name="one")
    assert "beta" not in result["files"] and "bars" in result["files"]
    assert not (tmp_path / "out" / "one_beta.png").exists()
    assert (tmp_path / "out" / "one_bars.png").read_bytes().startswith(PNG_MAGIC)


def test_curve_plot_needs_two_steps_of_one_run(tmp_path):
    root = tmp_path / "eval"
    write_run(root, "base", "base", {}, 0.1)
    sft = {"algo": "sft", "policy_from": "/runs/sft"}
    write_run(root, "sft_50", "SFT (step 50)", sft | {"policy_step": 50, "train_step": 50, "train_tokens": 12_000}, 0.2)
    result = report(tmp_path, [str(root / "*")], name="one")
    assert "curve" not in result["files"] and not (tmp_path / "out" / "one_curve.png").exists()
    write_run(root, "sft", "SFT", sft | {"train_step": 100, "train_tokens": 24_000}, 0.3, seed=1)
    result = report(tmp_path, [str(root / "*")], name="two")
    assert result["files"]["curve"].endswith("two_curve.png")
    data = open(result["files"]["curve"], "rb").read()
    assert data.startswith(PNG_MAGIC) and len(data) > 1024
    assert result["methods"] == ["base", "SFT (step 50)", "SFT"]  # checkpoints by step, then the final


def test_seeds_are_rows_and_a_pooled_row_with_holm_adjusted_differences(tmp_path):
    root = tmp_path / "eval"
    write_run(root, "base", "base", {}, 0.1, seed=9)
    runs = {}
    for s in range(3):
        runs["SFT", s] = write_run(root, f"sft{s}", "SFT", {"algo": "sft"}, 0.3, seed=10 + s, eval_seed=s)
        runs["DPO", s] = write_run(root, f"dpo{s}", "SFT+DPO", DPO_INFO, 0.6, seed=20 + s, eval_seed=s)
    result = report(tmp_path, [str(root / "*")], baseline="SFT", metrics=["pass@1", "loop_rate", "protocol_error_rate"])
    data = json.loads(open(result["files"]["json"]).read())
    methods = [r["method"] for r in data["rows"]]
    assert methods == ["base", *(f"SFT (seed {s})" for s in range(3)), "SFT"] + [
        *(f"SFT+DPO (seed {s})" for s in range(3)),
        "SFT+DPO",
    ]

    def pooled(method, metric):
        num = sum(np.asarray(runs[method, s]["per_task"]["components"][metric]["num"]) for s in range(3))
        den = sum(np.asarray(runs[method, s]["per_task"]["components"][metric]["den"]) for s in range(3))
        return num, den

    row = next(r for r in data["rows"] if r["method"] == "SFT+DPO")
    num, den = pooled("DPO", "protocol_error_rate")
    assert row["seeds"] == [0, 1, 2] and row["tasks"] == len(TASKS)
    cell = row["metrics"]["protocol_error_rate"]
    assert cell["value"] == pytest.approx(num.sum() / den.sum())
    assert (cell["ci_low"], cell["ci_high"]) == pytest.approx(bootstrap_ci(num, den, resamples=RESAMPLES))
    comps = data["comparisons"]
    assert set(comps) == {"base", "SFT+DPO", *(f"SFT+DPO (seed {s})" for s in range(3))}
    a, b = pooled("DPO", "pass@1"), pooled("SFT", "pass@1")
    assert comps["SFT+DPO"]["pass@1"]["difference"] == pytest.approx(a[0].sum() / a[1].sum() - b[0].sum() / b[1].sum())
    one = (
        runs["DPO", 1]["per_task"]["components"]["pass@1"]["num"],
        runs["SFT", 1]["per_task"]["components"]["pass@1"]["num"],
    )
    assert comps["SFT+DPO (seed 1)"]["pass@1"]["difference"] == pytest.approx(np.mean(one[0]) - np.mean(one[1]))
    for comp in comps.values():
        ps = sorted((c["p_value"], c["p_holm"]) for c in comp.values())
        assert all(h >= p for p, h in ps) and ps[0][1] == pytest.approx(min(1, 3 * ps[0][0]))
    md = open(result["files"]["markdown"]).read()
    assert "Pooled rows (SFT: seeds 0, 1, 2, SFT+DPO: seeds 0, 1, 2)" in md and "Holm" in md
    write_run(tmp_path / "more", "sft3", "SFT", {"algo": "sft"}, 0.3, tasks=TASKS[:6], eval_seed=3)
    with pytest.raises(ConfigError, match="seeds of 'SFT' evaluated different tasks"):
        report(tmp_path, [str(root / "*"), str(tmp_path / "more" / "*")])


def test_errors_name_the_key(tmp_path, eval_runs):
    root, _ = eval_runs
    with pytest.raises(ConfigError, match=r"runs: '.*nothing\*' matches no directory"):
        report(tmp_path, [str(root / "*"), str(tmp_path / "nothing*")])
    with pytest.raises(ConfigError, match=r"metrics: 'pass@7' is not in .*available: pass@1, "):
        report(tmp_path, [str(root / "*")], metrics=["pass@1", "pass@7"])
    with pytest.raises(ConfigError, match=r"baseline: 'nope' is not a method"):
        report(tmp_path, [str(root / "*")], baseline="nope")
    with pytest.raises(ConfigError, match=r"order: 'nope' is not a method"):
        report(tmp_path, [str(root / "*")], order=["nope"])
    write_run(tmp_path / "dup", "x", "SFT", {"algo": "sft"}, 0.4)
    with pytest.raises(ConfigError, match=r"same method 'SFT'.*method=\.\.\. at evaluate\.py time"):
        report(tmp_path, [str(root / "*"), str(tmp_path / "dup" / "x")])
    write_run(tmp_path / "gen", "g", "base", {}, 0.4, kind="generate")
    with pytest.raises(ConfigError, match=r"not an evaluate.py summary \(kind='generate'\)"):
        report(tmp_path, [str(tmp_path / "gen" / "*")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"empty has no summary.json"):
        report(tmp_path, [str(tmp_path / "empty")])


def test_cli(run_cli, tmp_path, eval_runs):
    root, _ = eval_runs
    out = tmp_path / "cli"
    proc = run_cli("report.py", f"runs=[{root}/*]", f"run_dir={out}", "name=abl", "baseline=base")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["rows"] == 5 and proc.stderr.startswith("report of 5 methods x 7 metrics")
    for name in ("abl.md", "abl.tex", "abl.json", "abl_bars.png", "abl_beta.png"):
        assert (out / name).stat().st_size > 0
    md = (out / "abl.md").read_text()
    command = f"python report.py 'runs=[{root}/*]' run_dir={out} name=abl baseline=base"
    assert f"Command: `{command}`" in md
    assert not re.search(r"\.hydra|\.log$", "\n".join(p.name for p in out.iterdir()))
    proc = run_cli("report.py", f"runs=[{tmp_path}/none*]", f"run_dir={out}")
    assert proc.returncode == 2 and proc.stderr.strip().count("\n") == 0
    assert proc.stderr.startswith("error: runs: ")


def test_agent_metrics_and_diagnostics_tables(tmp_path):
    """The agent metrics are columns like any other; each run's diagnostics block becomes a row
    of two compact tables, and a run without the block (an older summary) is only named."""
    root = tmp_path / "eval"
    write_run(root, "base", "base", {}, 0.2, seed=1)
    write_run(root, "sft", "SFT", {"algo": "sft"}, 0.5, seed=2)
    write_run(root, "old", "old", {"algo": "sft", "beta": None}, 0.4, seed=3)
    blocks = {
        "base": {
            "episodes": 2,
            "turns": 20,
            "protocol_errors_by_turn": {
                "0": {"turns": 2, "protocol_errors": 2, "no_tool_call": 2},
                **{str(i): {"turns": 2, "protocol_errors": 1, "invalid_json": 1} for i in range(1, 10)},
            },
            "protocol_error_kinds": {"invalid_json": 9, "no_tool_call": 2},
            "tool_errors": {},
            "edit_calls": 0,
            "edits_applied": 0,
            "end_reasons": {"max_steps": 2},
        },
        "sft": {
            "episodes": 2,
            "turns": 10,
            "protocol_errors_by_turn": {
                "0": {"turns": 2, "protocol_errors": 1, "no_tool_call": 1},
                "1": {"turns": 2, "protocol_errors": 0},
                "2": {"turns": 2, "protocol_errors": 0},
            },
            "protocol_error_kinds": {"no_tool_call": 1},
            "tool_errors": {
                "no_match": 3,
                "not_found": 2,
                "ambiguous": 1,
                "read_only": 1,
                "no_change": 1,
                "bad_target": 1,
            },
            "edit_calls": 5,
            "edits_applied": 2,
            "end_reasons": {"finished": 1, "max_steps": 1},
        },
    }
    for name, block in blocks.items():
        path = root / name / "summary.json"
        path.write_text(json.dumps(json.loads(path.read_text()) | {"diagnostics": block}))
    names = ["edit_apply_rate", "localization", "recovery_rate", "clean_stop_rate", "end/max_steps"]
    result = report(tmp_path, [str(root / "*")], metrics=names, baseline="base")
    md = open(result["files"]["markdown"]).read()
    head, _ = md_table(md)
    cat = catalogue(KS)
    assert head[1:] == [f"{cat[n].label} (%) {'↑' if cat[n].higher_is_better else '↓'}" for n in names]
    assert head[-1] == "end: max steps (%) ↓"
    assert set(json.loads(open(result["files"]["json"]).read())["comparisons"]["SFT"]) == set(names)

    assert "## Agent diagnostics" in md and "No diagnostics in: old" in md
    head, rows = md_table(md, which=2)  # after the results and the difference table
    assert head == [
        "method",
        "turns",
        "invalid_json",
        "no_tool_call",
        "tool: no_match",
        "tool: not_found",
        "tool: ambiguous",
        "tool: bad_target",
        "tool: no_change",
        "tool: other",
        "edits (applied/calls)",
    ]
    assert rows == [
        ["base", "20", "45.0", "10.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0/0"],
        ["SFT", "10", "0.0", "10.0", "30.0", "20.0", "10.0", "10.0", "10.0", "10.0", "2/5"],
    ]
    head, rows = md_table(md, which=3)
    assert head == ["method", "0", "1", "2", "3", "4", "5", "6", "7+"]
    assert rows == [["base", "100.0", *["50.0"] * 7], ["SFT", "50.0", "0.0", "0.0", *["–"] * 5]]
    assert json.loads(open(result["files"]["json"]).read())["diagnostics"]["SFT"]["edit_calls"] == 5

    # Only older summaries (or a malformed block): no diagnostics section, no crash.
    for name in ("base", "sft"):
        path = root / name / "summary.json"
        summary = json.loads(path.read_text())
        summary.pop("diagnostics")
        path.write_text(json.dumps(summary))
    md = open(report(tmp_path, [str(root / "*")], name="old")["files"]["markdown"]).read()
    assert "Agent diagnostics" not in md
    path = root / "base" / "summary.json"
    path.write_text(
        json.dumps(
            json.loads(path.read_text())
            | {
                "diagnostics": {
                    "turns": "x",
                    "protocol_errors_by_turn": {"0": {"turns": None}, "a": 1},
                    "tool_errors": [1],
                }
            }
        )
    )
    md = open(report(tmp_path, [str(root / "*")], name="bad")["files"]["markdown"]).read()
    assert "## Agent diagnostics" in md


def test_paths_of_other_checkouts_are_written_from_outputs_on(tmp_path, monkeypatch):
    from agentpref.reporting.run import _relative

    monkeypatch.chdir(tmp_path)
    assert _relative(str(tmp_path / "outputs" / "a" / "summary.json")) == "outputs/a/summary.json"
    assert _relative("/elsewhere/worktree/outputs/study/sft/adapter") == "outputs/study/sft/adapter"
    assert _relative("/ckpt/adapter") == "/ckpt/adapter" and _relative(None) is None
