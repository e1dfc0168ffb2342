import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("WANDB_MODE", "offline")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def fork_runner():
    from agentpref.tasks.runner import TestRunner
    from agentpref.tasks.sandbox import Limits

    with TestRunner("fork", Limits(per_test_timeout_s=1.0, wall_timeout_s=30)) as runner:
        yield runner


@pytest.fixture(scope="session")
def subprocess_runner():
    from agentpref.tasks.runner import TestRunner
    from agentpref.tasks.sandbox import Limits

    with TestRunner("subprocess", Limits(per_test_timeout_s=1.0, wall_timeout_s=30)) as runner:
        yield runner


@pytest.fixture
def run_cli(repo):
    """Run a repo entry point (e.g. tasks.py) in a subprocess; returns CompletedProcess."""
    import subprocess

    def run(script: str, *args: str, cwd: Path | None = None, timeout: float = 600):
        return subprocess.run(
            [sys.executable, str(repo / script), *args], cwd=cwd or repo, capture_output=True,
            text=True, timeout=timeout,
        )

    return run
