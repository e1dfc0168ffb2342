"""The same seed on the same machine gives the same rollouts (docs/generation.md#determinism)."""

import pytest
from run_checks import records


def _twice(generate_config, tmp_path, *overrides: str) -> tuple[list[dict], list[dict]]:
    from agentpref.agent.generation import run_generation

    runs = []
    for name in ("a", "b"):
        run_generation(generate_config(*overrides, run_dir=tmp_path / name))
        runs.append(records(tmp_path / name))
    return runs[0], runs[1]


def test_oracle_runs_give_identical_transcripts(generate_config, tmp_path):
    """Failing-test observations hold object reprs (``<BSTMap object at 0x7f..>``) and, on
    collection errors, the scratch dir's path; both are normalised, so transcripts (SFT tokens)
    do not change between runs."""
    a, b = _twice(generate_config, tmp_path, "backend=oracle", "tasks.programs=[bst_map,min_stack]")
    assert len(a) == len(b) >= 4
    assert a == b
    observations = [m["content"] for r in a for m in r["messages"] if m["role"] == "tool"]
    assert any(" object at 0x...>" in text for text in observations)
    assert not any("agentpref-runs-" in text for text in observations)


@pytest.mark.slow
def test_hf_sampling_runs_with_one_seed_are_identical(generate_config, tmp_path):
    """Sampling at temperature 1 with batches whose composition changes (5 episodes, 3 in flight):
    texts, actions, tokens and scores-to-be are the same in two runs of one seed."""
    a, b = _twice(
        generate_config,
        tmp_path,
        "model=tiny_random",
        "backend=hf",
        "temperature=1.0",
        "tasks.split=train",
        "tasks.limit=5",
        "agent.max_steps=2",
        "backend.max_new_tokens=16",
        "backend.batch_size=3",
        "seed=3",
    )
    assert len(a) == len(b) == 5
    assert a == b
    assert len({s["raw_text"] for r in a for s in r["steps"]}) > 1  # sampled, not one fixed reply


def test_test_output_is_normalised(fork_runner, tmp_path):
    """Absolute scratch paths, object addresses and pytest's session time are replaced."""
    from agentpref.sandbox.runner import normalize_output

    ws = tmp_path / "ws"
    (ws / "tests").mkdir(parents=True)
    (ws / "mod.py").write_text("class A:\n    pass\n\ndef f():\n    raise ValueError(repr(A()))\n")
    (ws / "tests" / "test_mod.py").write_text("from mod import f\n\ndef test_f():\n    f()\n")
    (ws / "broken.py").write_text("def g(:\n    pass\n")
    (ws / "tests" / "test_broken.py").write_text("from broken import g\n")
    first, second = (fork_runner.run_dir(ws, ["tests/test_mod.py"]) for _ in range(2))
    assert first.outcomes[0].message == second.outcomes[0].message
    assert "<mod.A object at 0x...>" in first.outcomes[0].message
    broken = fork_runner.run_dir(ws, ["tests/test_broken.py"])
    text = broken.collection_errors[0].message
    assert 'File "broken.py", line 1' in text and "agentpref-runs-" not in text
    assert normalize_output("1 failed in 0.12s", None) == "1 failed in ?s"
    assert normalize_output("12 passed in 61.20s (0:01:01)", None) == "12 passed in ?s"
    assert normalize_output("==== 1 failed, 2 passed in 0.12s ====") == "==== 1 failed, 2 passed in ?s ===="
    for kept in ("x = 0xdeadbeef", "assert 'retry in 5s' == x"):  # not an address, not pytest's time
        assert normalize_output(kept) == kept


def test_tracebacks_keep_only_the_workspace_frames():
    """A collection error's pytest and importlib frames name this machine's paths: dropped, with the
    workspace frame and the error kept."""
    from agentpref.sandbox.runner import drop_outside_frames

    text = (
        "/opt/venv/lib/python3.11/site-packages/_pytest/python.py:528: in importtestmodule\n"
        "    mod = import_path(\n"
        "<frozen importlib._bootstrap>:1204: in _gcd_import\n"
        "    ???\n"
        "tests/test_m.py:3: in <module>\n"
        "    from m import f\n"
        'E     File "m.py", line 2\n'
        "E   IndentationError: unexpected indent"
    )
    assert drop_outside_frames(text) == "\n".join(text.split("\n")[4:])
    assert drop_outside_frames("x = '/tmp/a.py:3: in f'\n    y") == "x = '/tmp/a.py:3: in f'\n    y"


def test_a_pytest_internal_error_keeps_its_error_line_not_its_frames():
    """pytest's INTERNALERROR traceback names this machine's paths: a crashed test's message keeps
    the error line and what follows, not the frames."""
    from agentpref.sandbox.runner import TestOutcome, mark_crash

    output = "\n".join(
        [
            "INTERNALERROR> Traceback (most recent call last):",
            'INTERNALERROR>   File "/opt/venv/lib/python3.11/site-packages/_pytest/_code/code.py", line 216, in lineno',
            "INTERNALERROR>     return self._rawentry.tb_lineno - 1",
            "INTERNALERROR> TypeError: unsupported operand type(s) for -: 'NoneType' and 'int'",
            "",
            "1 failed, 2 passed in ?s",
        ]
    )
    outcomes = [TestOutcome(nodeid="t::a", outcome="passed"), TestOutcome(nodeid="t::b", outcome="not_run")]
    mark_crash(outcomes, 3, output, 2000)
    message = outcomes[1].message
    assert outcomes[1].outcome == "error" and "(exit code 3)" in message
    assert "INTERNALERROR> TypeError: unsupported operand" in message and "1 failed, 2 passed" in message
    assert "/opt/venv" not in message and "Traceback" not in message
