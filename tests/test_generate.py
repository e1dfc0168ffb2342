"""generate.py as a run: resume without loss or duplicates (also after kill -9 of a real
process), sharding with no overlap, one-line config errors, and the offline W&B run."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentpref.agent.generation import Shard, run_generation, shard_tasks
from agentpref.agent.record import read_rollouts, repair_tail
from agentpref.errors import ConfigError, DataError, StorageError

TWO_PROGRAMS = "tasks.programs=[anagram_groups,bank_account]"  # 4 tasks


def keys(path: Path) -> list[tuple[str, int]]:
    return [r.key for r in read_rollouts(path)]


@pytest.mark.reliability
def test_resume_skips_finished_pairs(generate_config, tmp_path):
    run = tmp_path / "run"
    first = run_generation(
        generate_config("backend=oracle", TWO_PROGRAMS, "rollouts_per_task=2", "max_episodes=3", run_dir=run)
    )
    assert first.new_episodes == 3 and first.pending_left == 0
    head = (run / "rollouts.jsonl").read_text()
    second = run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "rollouts_per_task=2", run_dir=run))
    assert second.resumed_episodes == 3 and second.new_episodes == 5 and second.episodes == 8
    assert (run / "rollouts.jsonl").read_text().startswith(head)
    got = keys(run / "rollouts.jsonl")
    assert len(got) == len(set(got)) == 8 and {k for _, k in got} == {0, 1}
    third = run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "rollouts_per_task=2", run_dir=run))
    assert third.new_episodes == 0 and len(keys(run / "rollouts.jsonl")) == 8
    records = read_rollouts(run / "rollouts.jsonl")
    assert len({r.seed for r in records}) == 8 and len({r.run_id for r in records}) == 1


def test_resume_refuses_a_different_policy(generate_config, tmp_path):
    run = tmp_path / "run"
    run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "max_episodes=1", run_dir=run))
    with pytest.raises(ConfigError, match="different limits.*use a new run_dir"):
        run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "agent.max_steps=3", run_dir=run))


@pytest.mark.reliability
def test_a_corrupt_record_is_one_clear_error(generate_config, tmp_path):
    run = tmp_path / "run"
    run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "max_episodes=2", run_dir=run))
    lines = (run / "rollouts.jsonl").read_text().splitlines(keepends=True)
    (run / "rollouts.jsonl").write_text(lines[0] + '{"task_id": "x"}\n' + lines[1])
    with pytest.raises(DataError, match=r"rollouts.jsonl:2: not a valid rollout record .*fix or remove that line"):
        run_generation(generate_config("backend=oracle", TWO_PROGRAMS, run_dir=run))


@pytest.mark.reliability
def test_disk_full_while_appending_keeps_whole_records_and_resumes(generate_config, tmp_path, monkeypatch):
    """The third append runs out of space half-way: the run stops with one StorageError that
    says what was saved, no half line is left, and a re-run adds exactly the missing episodes."""
    import errno

    from agentpref.agent import record as record_module

    real = record_module._write_all
    calls = {"n": 0}

    def disk_fills_up(fd, data):
        calls["n"] += 1
        if calls["n"] == 3:
            os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd, data)

    run = tmp_path / "run"
    monkeypatch.setattr(record_module, "_write_all", disk_fills_up)
    with pytest.raises(
        StorageError,
        match=r"No space left on device.*the 2 episodes finished before it "
        r"in this run are saved.*re-run the same command to resume",
    ):
        run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "backend.batch_size=1", run_dir=run))
    text = (run / "rollouts.jsonl").read_text()
    assert text.endswith("\n") and len(keys(run / "rollouts.jsonl")) == 2
    monkeypatch.setattr(record_module, "_write_all", real)
    summary = run_generation(generate_config("backend=oracle", TWO_PROGRAMS, run_dir=run))
    assert summary.resumed_episodes == 2 and summary.new_episodes == 2
    assert (run / "rollouts.jsonl").read_text().startswith(text)
    got = keys(run / "rollouts.jsonl")
    assert len(got) == len(set(got)) == 4


@pytest.mark.reliability
def test_repair_tail_cuts_a_half_written_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"a": 1}\n{"b": 2}\n{"c": ')
    assert repair_tail(path) == len('{"c": ')
    assert path.read_text() == '{"a": 1}\n{"b": 2}\n' and repair_tail(path) == 0


@pytest.mark.reliability
def test_kill_9_mid_run_loses_nothing_and_duplicates_nothing(repo, tmp_path):
    run = tmp_path / "run"
    cmd = [
        sys.executable,
        str(repo / "generate.py"),
        "backend=oracle",
        "tasks=builtin",
        "tasks.limit=16",
        "backend.batch_size=2",
        "workers=1",
        "logger=none",
        "progress=false",
        f"run_dir={run}",
    ]
    from run_checks import kill_mid_run_then_resume

    kill_mid_run_then_resume(cmd, repo, run, total=16, killed_after=4)


def test_shards_partition_the_tasks(builtin_tasks):
    tasks = list(builtin_tasks.values())
    shards = [shard_tasks(tasks, Shard(index=i, count=3)) for i in range(3)]
    ids = [t.id for s in shards for t in s]
    assert len(ids) == len(set(ids)) == len(tasks)
    with pytest.raises(ValueError, match="shard.index=3 must be < shard.count=3"):
        Shard(index=3, count=3)


def test_multirun_shards_write_disjoint_runs(run_cli, tmp_path):
    r = run_cli(
        "generate.py",
        "-m",
        "backend=oracle",
        TWO_PROGRAMS,
        "logger=none",
        "shard.count=2",
        "shard.index=0,1",
        f"hydra.sweep.dir={tmp_path}/sweep",
    )
    assert r.returncode == 0, r.stderr[-2000:]
    runs = [keys(tmp_path / "sweep" / str(i) / "rollouts.jsonl") for i in range(2)]
    assert len(runs[0]) == len(runs[1]) == 2 and not set(runs[0]) & set(runs[1])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["+backend.batchsize=2"], "unknown config key 'backend.batchsize'"),
        (["temperature=hot"], "bad config value 'temperature'"),
        (["shard.index=2", "shard.count=2"], "shard.index=2 must be < shard.count=2"),
        (["budget.usd=-1"], "bad config value 'budget.usd'"),
        (["backend=openai", "backend.api_key_env=AGENTPREF_NO_SUCH_KEY", "tasks.limit=1"], "AGENTPREF_NO_SUCH_KEY"),
    ],
)
@pytest.mark.reliability
def test_config_errors_are_one_clear_line(run_cli, tmp_path, args, message):
    r = run_cli("generate.py", *args, "logger=none", f"run_dir={tmp_path}/run")
    assert r.returncode == 2, r.stderr[-2000:]
    lines = [line for line in r.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], r.stderr


def test_offline_wandb_run_has_config_summary_and_trajectories(generate_config, tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    run = tmp_path / "run"
    cfg = generate_config("backend=oracle", TWO_PROGRAMS, "logger=wandb", "logger.table_rows=2", run_dir=run)
    summary = run_generation(cfg, {"note": "from the test"})
    # wandb-core buffers the transaction log and may close it just after finish() returns (seen
    # once in CI under load: a 7-byte file); teardown waits for the service, as process exit does.
    import wandb

    wandb.teardown()
    offline = list((run / "wandb").glob("offline-run-*"))
    assert len(offline) == 1
    # Offline runs keep config and summary in the run's protobuf log (.wandb); the table is a file.
    log = next(offline[0].glob("*.wandb")).read_bytes()
    for needle in (
        b"from the test",
        b"system_prompt",
        b"<tool_call>",
        b"pass_rate",
        b"protocol_error_rate",
        b"mean_steps",
        b"spent_tokens",
        b"trajectories",
        b"profile/rounds",
        b"profile/round_s/p90",
    ):
        assert needle in log, needle
    table = json.loads(next((offline[0] / "files/media/table").glob("trajectories_*.table.json")).read_text())
    assert table["columns"] == ["task", "sample", "resolved", "end_reason", "steps", "transcript", "diff", "outcome"]
    assert len(table["data"]) == 2 and all(row[2] is True and "<tool_call>" in row[5] for row in table["data"])
    assert summary.pass_rate == 1.0


def test_profile_of_a_policy_without_counters_is_the_scheduler_timings(generate_config, tmp_path):
    """The oracle has no generation counters (Policy.profile() is empty): the profile holds the
    rounds and where their wall time went, in the returned summary and in summary.json."""
    run = tmp_path / "run"
    summary = run_generation(generate_config("backend=oracle", TWO_PROGRAMS, "max_episodes=2", run_dir=run))
    profile = summary.profile
    assert json.loads((run / "summary.json").read_text())["profile"] == profile
    assert set(profile) == {"rounds", "round_s", "policy_s", "tool_s", "grade_s"}
    assert profile["rounds"] >= summary.mean_steps  # lock-step: one round per step of the longest
    rs = profile["round_s"]
    assert 0 <= rs["p50"] <= rs["p90"] <= rs["max"] and rs["mean"] <= rs["max"]
    assert profile["tool_s"] > 0 and profile["grade_s"] > 0 and profile["policy_s"] >= 0


@pytest.fixture
def openai_run(generate_config, monkeypatch):
    """generate.py's run on the openai backend against a real loopback server."""
    from fake_openai_server import FakeOpenAIServer

    monkeypatch.setenv("OPENAI_API_KEY", "EMPTY")
    with FakeOpenAIServer() as srv:

        def make(*overrides, run_dir):
            return generate_config(
                "backend=openai",
                "model=qwen7b",
                f"backend.base_url={srv.url}",
                "backend.backoff_s=0.01",
                "backend.batch_size=2",
                "tasks.limit=6",
                *overrides,
                run_dir=run_dir,
            )

        yield srv, make


def test_openai_run_end_to_end_with_cost(openai_run, tmp_path):
    srv, make = openai_run
    summary = run_generation(make(run_dir=tmp_path / "run"))
    records = read_rollouts(tmp_path / "run" / "rollouts.jsonl")
    assert summary.episodes == 6 and summary.stop_reason == "completed"
    assert all(r.policy.protocol == "native" and r.end_reason == "finished" for r in records)
    assert [s.action.name for s in records[0].steps] == ["read_file", "run_tests", "finish"]
    tokens = sum(r.cost.tokens for r in records)
    assert tokens == summary.spent_tokens > 0 and len(srv.requests) == 18
    assert summary.spent_usd == pytest.approx(tokens * 0.30 / 1e6)  # qwen7b's price


def test_text_protocol_run_with_greedy_decoding_top_k_and_stop(openai_run, tmp_path):
    """decoding=greedy and top_k reach the requests and the records; the text protocol stops at
    </tool_call> (the fake server cuts it off like an API) and every turn still parses."""
    srv, make = openai_run
    cfg = make("backend.native_tools=false", "decoding=greedy", "top_k=5", "tasks.limit=2", run_dir=tmp_path / "run")
    assert (cfg.temperature, cfg.top_p, cfg.top_k) == (0.0, 1.0, 5) and cfg.sampling.greedy
    summary = run_generation(cfg)
    assert summary.stop_reason == "completed" and summary.protocol_error_rate == 0.0
    records = read_rollouts(tmp_path / "run" / "rollouts.jsonl")
    assert all(r.end_reason == "finished" for r in records)
    assert records[0].policy.sampling == {
        "temperature": 0.0,
        "top_p": 1.0,
        "top_k": 5,
        "greedy": True,
        "max_new_tokens": 512,
        "stop_at_tool_call": True,
    }
    assert all(s.raw_text.endswith("</tool_call>") for r in records for s in r.steps)
    assert all(q["stop"] == ["</tool_call>"] and q["top_k"] == 5 and q["temperature"] == 0.0 for q in srv.requests)


def test_greedy_decoding_wins_over_presets_also_in_study_stages():
    """decoding=greedy is listed after the presets: it sets temperature=0 top_p=1 top_k=0 over an
    experiment's temperature, on the command line and in a study stage's overrides alike."""
    from agentpref.entrypoints import compose, load

    def evaluate(*overrides):
        return load("evaluate", [*overrides, "run_dir=x"])

    preset = evaluate("experiment=eval_ablation", "temperature=0.9")
    assert (preset.temperature, preset.samples_per_task) == (0.9, 5)
    greedy = evaluate("experiment=eval_qwen7b", "decoding=greedy", "samples_per_task=1", "ks=[1]")
    assert (greedy.temperature, greedy.top_p, greedy.top_k) == (0.0, 1.0, 0)
    sample = evaluate("experiment=eval_qwen7b", "decoding=sample", "top_k=20")  # sample: the keys decide
    assert (sample.temperature, sample.top_k) == (0.8, 20)
    with pytest.raises(ConfigError, match="samples_per_task=1"):
        evaluate("experiment=eval_qwen7b", "decoding=greedy")
    gen = compose("generate", ["decoding=greedy", "run_dir=x"])
    assert (gen.temperature, gen.top_p, gen.top_k) == (0.0, 1.0, 0)


@pytest.mark.parametrize("key", ["tokens", "usd"])
def test_budget_stops_new_episodes_before_the_cap(openai_run, tmp_path, key):
    srv, make = openai_run
    probe = run_generation(make("tasks.limit=1", run_dir=tmp_path / "probe"))
    per_episode = probe.spent_tokens  # one scripted episode's tokens
    cap_tokens = int(per_episode * 3.5)
    cap = cap_tokens if key == "tokens" else cap_tokens * 0.30 / 1e6
    summary = run_generation(make(f"budget.{key}={cap}", run_dir=tmp_path / "run"))
    assert summary.stop_reason == f"budget.{key}"
    spent = summary.spent_tokens if key == "tokens" else summary.spent_usd
    assert spent <= cap  # never passed
    assert 1 <= summary.new_episodes < 6 and summary.pending_left > 0
    records = read_rollouts(tmp_path / "run" / "rollouts.jsonl")
    assert len(records) == summary.new_episodes
    # raising the budget resumes where the capped run stopped
    more = run_generation(make(run_dir=tmp_path / "run"))
    assert more.episodes == 6 and more.resumed_episodes == len(records)


@pytest.mark.reliability
def test_a_failing_backend_stops_the_run_and_keeps_pairs_for_resume(openai_run, tmp_path):
    from fake_openai_server import http_error

    srv, make = openai_run
    srv.script(*[http_error(500)] * 12)  # 3 steps x 2 episodes x (1 try + 1 retry)
    summary = run_generation(make("backend.max_retries=1", run_dir=tmp_path / "run"))
    assert summary.stop_reason == "policy_error" and summary.new_episodes == 0
    assert summary.failed_episodes == 6 and "500" in summary.failures[0] and srv.pending == 0
    again = run_generation(make(run_dir=tmp_path / "run"))  # server healthy again
    assert again.new_episodes == 6 and again.stop_reason == "completed"


def test_hf_backend_end_to_end_with_a_tiny_model(run_cli, tmp_path):
    """generate.py with a real (tiny, random) transformers model: real model output becomes
    parsed actions or recorded protocol errors, and the run logs to offline W&B."""
    r = run_cli(
        "generate.py",
        "model=tiny_random",
        "tasks.limit=3",
        "agent.max_steps=2",
        "backend.max_new_tokens=24",
        "backend.batch_size=2",
        "logger=wandb",
        f"run_dir={tmp_path}/run",
    )
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    records = read_rollouts(tmp_path / "run" / "rollouts.jsonl")
    assert summary["episodes"] == len(records) == 3 and summary["stop_reason"] == "completed"
    for rec in records:
        assert rec.policy.backend == "hf" and not rec.policy.privileged and len(rec.steps) == 2
        for step in rec.steps:
            assert (step.action is None) != (step.protocol_error is None)
            assert step.prompt_tokens > 500 and 0 < step.completion_tokens <= 24
    profile = json.loads((tmp_path / "run" / "summary.json").read_text())["profile"]
    assert profile == summary["profile"] and profile["rounds"] == profile["steps"] == 4  # 2 episodes, then 1
    assert profile["decode_steps"] > 0 and profile["policy_s"] > 0 and profile["generate_s"] > 0
    assert 0 <= profile["finished_row_share"] <= 1 and profile["prefill_tokens"] == profile["computed_tokens"]
    assert profile["completion_tokens"] == summary["completion_tokens"]
    assert profile["row_steps"] >= profile["completion_tokens"]
    assert profile["finished_row_steps"] == profile["row_steps"] - profile["completion_tokens"]
    manifest = json.loads((tmp_path / "run" / "agent.json").read_text())
    assert manifest["chat_template"] and "<|im_start|>" in manifest["chat_template"]
    assert manifest["prompt_hash"] == records[0].prompt_hash
    assert list((tmp_path / "run" / "wandb").glob("offline-run-*"))


def test_slurm_array_script_runs_its_shard(repo, tmp_path):
    env = os.environ | {
        "SLURM_ARRAY_TASK_ID": "1",
        "SLURM_ARRAY_TASK_COUNT": "2",
        "RUN_ROOT": str(tmp_path),
        "PYTHON": sys.executable,
    }
    r = subprocess.run(
        ["bash", "launch/slurm/generate.sbatch", "backend=oracle", TWO_PROGRAMS, "logger=none", "progress=false"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["shard"] == {"index": 1, "count": 2} and summary["episodes"] == 2
    assert (tmp_path / "shard-1" / "rollouts.jsonl").exists()
