"""notebooks/analysis.ipynb: ships without outputs, and runs top to bottom on real evaluate.py runs."""

import html
import json
import os
import shutil
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "analysis.ipynb"
MARKER = "agentpref-side-by-side"  # the class of the notebook's side-by-side trajectory table


def test_committed_notebook_has_no_outputs():
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, "the notebook has no code cells"
    stale = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]
    assert not stale, (
        f"cells {stale} of {NOTEBOOK} hold outputs or execution counts: clear them "
        "before committing (never ship stale results)"
    )
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


# ---- real runs -------------------------------------------------------------------------------
def _evaluate(repo: Path, run_dir: Path, *overrides: str):
    from agentpref.entrypoints import load
    from agentpref.evaluation.run import run_evaluation

    return run_evaluation(
        load(
            "evaluate",
            ["logger=none", "progress=false", "tasks.limit=2", "samples_per_task=1", "ks=[1]", *overrides],
            run_dir=run_dir,
        )
    )


@pytest.fixture(scope="module")
def eval_runs(tmp_path_factory, repo):
    """Two real evaluations on the same 2 heldout tasks (K=1): the oracle and the tiny random
    model ("base"); plus two copies of the tiny run relabelled as DPO at β 0.1 and 0.3 so the
    metric-vs-β plot has something to draw."""
    root = tmp_path_factory.mktemp("nb-runs")
    oracle = _evaluate(repo, root / "oracle", "backend=oracle")
    tiny = _evaluate(repo, root / "tiny", "model=tiny_random", "agent.max_steps=2", "backend.max_new_tokens=16")
    assert oracle.method == "oracle" and tiny.method == "base"
    for beta in (0.1, 0.3):
        copy = root / f"dpo-{beta}"
        shutil.copytree(root / "tiny", copy)
        summary = json.loads((copy / "summary.json").read_text())
        summary["method"] = f"DPO (β={beta})"
        summary["method_info"].update(algo="dpo", beta=beta, loss_type="sigmoid")
        (copy / "summary.json").write_text(json.dumps(summary))
    return root


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """A "python3" kernelspec: the environment's own when it has one, else one installed into a
    temporary prefix found through JUPYTER_PATH."""
    pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    from jupyter_client.kernelspec import find_kernel_specs

    with pytest.MonkeyPatch.context() as mp:
        if "python3" not in find_kernel_specs():
            from ipykernel.kernelspec import install

            prefix = tmp_path_factory.mktemp("kernels")
            install(prefix=str(prefix), kernel_name="python3")
            jupyter_path = [str(prefix / "share" / "jupyter"), os.environ.get("JUPYTER_PATH", "")]
            mp.setenv("JUPYTER_PATH", os.pathsep.join(p for p in jupyter_path if p))
            assert "python3" in find_kernel_specs()
        yield mp


def _execute(cwd: Path):
    import nbclient
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return nb


def _outputs(nb) -> dict[str, str]:
    """Every output's text by MIME type ("stream" for print, "error" for tracebacks)."""
    out: dict[str, list[str]] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                out.setdefault("stream", []).append(o.text)
            elif o.output_type == "error":
                out.setdefault("error", []).append(f"{o.ename}: {o.evalue}")
            else:
                for mime, data in o.get("data", {}).items():
                    out.setdefault(mime, []).append(data if isinstance(data, str) else "")
    return {k: "\n".join(v) for k, v in out.items()}


@pytest.mark.slow
def test_notebook_runs_on_real_evaluations(eval_runs, kernel_env, repo, monkeypatch):
    from agentpref.agent.record import read_rollouts

    runs = ",".join(str(eval_runs / name) for name in ("oracle", "tiny", "dpo-*"))
    monkeypatch.setenv("AGENTPREF_RUNS", runs)  # the kernel inherits the environment
    monkeypatch.setenv("AGENTPREF_BASELINE", "base")
    nb = _execute(repo)

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors
    out = _outputs(nb)
    text = "\n".join(out.values())
    for label in ("oracle", "base", "DPO (β=0.1)", "DPO (β=0.3)"):
        assert label in out["stream"] and html.escape(label) in out["text/html"], label
    assert "pass@1" in out["text/html"]  # the headline table
    assert "100.0 [100.0, 100.0]" in out["text/html"]  # the oracle's pass@1 with its CI
    assert "Difference vs base" in out["text/markdown"]
    images = [o for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 2  # bars, and metric vs β (2 β)

    side = out["text/html"]
    assert MARKER in side
    oracle = read_rollouts(eval_runs / "oracle" / "scored.jsonl")
    first_turns = {html.escape(r.steps[0].raw_text.splitlines()[-1]) for r in oracle if r.sample_index == 0}
    assert "&lt;tool_call&gt;" in side and any(t in side for t in first_turns)  # oracle transcript
    assert "resolved" in side and "failing checks" in side
    assert "Traceback" not in text


@pytest.mark.slow
def test_notebook_resolves_relative_globs_from_notebooks_dir(eval_runs, kernel_env, repo, monkeypatch):
    """Started from notebooks/ (as Jupyter does), a relative glob still means repo-root-relative."""
    relative = os.path.relpath(eval_runs, repo)
    monkeypatch.setenv("AGENTPREF_RUNS", f"{relative}/oracle, {relative}/tiny")
    monkeypatch.delenv("AGENTPREF_BASELINE", raising=False)
    out = _outputs(_execute(repo / "notebooks"))
    assert "error" not in out, out.get("error")
    assert f"repo: {repo}" in out["stream"] and "oracle" in out["stream"] and "base" in out["stream"]
    assert "no baseline" in out["stream"] and MARKER in out["text/html"]
