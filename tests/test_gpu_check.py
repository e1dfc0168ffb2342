"""The GPU check script's CPU-possible parts: the same commands on the tiny random model, one JSON
line with every check's status; what needs CUDA or vLLM is skipped with the reason."""

import json
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_gpu_check_runs_its_cpu_parts_and_reports_one_json_line(repo, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "agentpref.gpu_check", "--device", "cpu", "--model", "tiny_random"]
        + ["--out", str(tmp_path), "--timeout", "600"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    report = json.loads(lines[0])
    assert report == json.loads((tmp_path / "gpu_check.json").read_text())
    checks = report["checks"]
    assert list(checks) == ["data", "sft", "dpo", "hf_rollouts", "vllm_rollouts", "zero2"]
    for name in ("data", "sft", "dpo", "hf_rollouts"):
        assert checks[name]["status"] == "ok", (name, checks[name])
    assert checks["sft"]["steps"] == 4 and checks["dpo"]["steps"] == 2 and checks["hf_rollouts"]["episodes"] == 2
    vllm = checks["vllm_rollouts"]
    assert vllm["status"] == "skipped" and vllm["why"] in ("vLLM is not installed", "vLLM needs CUDA")
    try:
        import deepspeed  # noqa: F401

        assert checks["zero2"]["status"] == "ok" and checks["zero2"]["steps"] == 1, checks["zero2"]
    except ImportError:
        assert checks["zero2"]["status"] == "skipped"
    assert report["ok"] and proc.returncode == 0 and report["device"] == "cpu" and report["dtype"] == "float32"


def test_a_failed_check_names_its_error_and_skips_what_needs_it(tmp_path):
    from agentpref.gpu_check import Checker, _error_line

    checker = Checker(tmp_path, timeout=60)
    checker.run("first", [[sys.executable, "-c", "import sys; sys.exit('error: data=x does not exist: fix it')"]])
    checker.run("second", [[sys.executable, "-c", "pass"]], needs=("first",))
    assert checker.results["first"]["status"] == "failed"
    assert checker.results["first"]["error"] == "error: data=x does not exist: fix it"
    assert checker.results["second"] == {"status": "skipped", "why": "needs first, which did not pass"}
    banner = "Traceback (most recent call last):\n  ...\nValueError: bad rank\n=====\nlauncher banner\n"
    assert _error_line(banner) == "ValueError: bad rank"
