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
    from agentpref.sandbox.limits import Limits
    from agentpref.sandbox.runner import TestRunner

    with TestRunner("fork", Limits(per_test_timeout_s=1.0, wall_timeout_s=30)) as runner:
        yield runner


@pytest.fixture(scope="session")
def subprocess_runner():
    from agentpref.sandbox.limits import Limits
    from agentpref.sandbox.runner import TestRunner

    with TestRunner("subprocess", Limits(per_test_timeout_s=1.0, wall_timeout_s=30)) as runner:
        yield runner


@pytest.fixture
def run_cli(repo):
    """Run a repo entry point (e.g. tasks.py) in a subprocess; returns CompletedProcess."""
    import subprocess

    def run(script: str, *args: str, cwd: Path | None = None, timeout: float = 600):
        return subprocess.run(
            [sys.executable, str(repo / script), *args],
            cwd=cwd or repo,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


@pytest.fixture(scope="session")
def agent_config(repo):
    """The default agent config (conf/agent/default.yaml)."""
    from omegaconf import OmegaConf

    from agentpref.agent.config import AgentConfig

    return AgentConfig(**OmegaConf.to_container(OmegaConf.load(repo / "conf/agent/default.yaml")))


@pytest.fixture(scope="session")
def builtin_tasks():
    from agentpref.tasks.config import BuiltinTasks
    from agentpref.tasks.registry import load_task_set

    return {t.id: t for t in load_task_set(BuiltinTasks()).tasks}


@pytest.fixture
def generate_config(repo, tmp_path):
    """Compose conf/generate.yaml with overrides into a validated GenerateConfig (run_dir in tmp)."""
    from agentpref.entrypoints import load

    def make(*overrides: str, run_dir=None):
        return load("generate", ["logger=none", "progress=false", *overrides], run_dir=run_dir or tmp_path / "run")

    return make


@pytest.fixture
def compose_config(repo, tmp_path):
    """Compose a root config (e.g. build_data) with overrides into a validated pydantic model."""
    from agentpref.entrypoints import load

    def make(name: str, model, *overrides: str, **values):
        config = load(name, overrides, **values)
        assert isinstance(config, model)
        return config

    return make


@pytest.fixture(scope="session")
def train_data(repo, tmp_path_factory):
    """A build_data.py output dir for training tests: ``sft.jsonl`` from real oracle episodes on
    four builtin train tasks (through generate + build_data), ``pairs.jsonl`` and
    ``step_pairs.jsonl`` from ``finish_at_once_pairs`` (each demonstration against finishing at once)."""
    import json

    from agentpref.agent.generation import run_generation
    from agentpref.data.build import build_data
    from agentpref.data.pairs import finish_at_once_pairs
    from agentpref.entrypoints import load

    root = tmp_path_factory.mktemp("train_data")
    run_generation(
        load(
            "generate",
            ["logger=none", "progress=false", "backend=oracle", "tasks.split=train", "tasks.limit=4"],
            run_dir=root / "gen",
        )
    )
    build_data(load("build_data", ["logger=none", f"runs=[{root / 'gen'}]"], run_dir=root / "data"))
    out = root / "data"
    sft = [json.loads(line) for line in (out / "sft.jsonl").read_text().splitlines()]
    for name, rows in zip(("pairs.jsonl", "step_pairs.jsonl"), finish_at_once_pairs(sft), strict=True):
        (out / name).write_text("".join(json.dumps(row) + "\n" for row in rows))
    return out
