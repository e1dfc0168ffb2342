"""Config mistakes on every entry point (docs/reliability.md): an unknown key, a value of the
wrong type, a required path left out or pointing nowhere. Each is one ConfigError line that names
the key and says what to do; nothing runs."""

import pytest

from agentpref.errors import ConfigError

pytestmark = pytest.mark.reliability


CASES = [
    # unknown keys (added with +, so Hydra lets them through to our validation)
    ("generate", ["+rollouts_per_taks=2"], "unknown config key 'rollouts_per_taks'"),
    (
        "build_data",
        ["runs=[x]", "+trajectory_pairs.min_marginn=0.1"],
        "unknown config key 'trajectory_pairs.min_marginn'",
    ),
    ("train", ["data=x", "+dpo.betta=0.1"], "unknown config key 'dpo.betta'"),
    ("evaluate", ["+samples=3"], "unknown config key 'samples'"),
    ("study", ["+stagess={}"], "unknown config key 'stagess'"),
    ("report", ["runs=[x]", "+baseline_method=base"], "unknown config key 'baseline_method'"),
    # wrong types
    ("generate", ["rollouts_per_task=many"], "rollouts_per_task"),
    ("build_data", ["runs=[x]", "trajectory_pairs.min_margin=high"], "trajectory_pairs.min_margin"),
    ("train", ["data=x", "global_batch_size=big"], "global_batch_size"),
    ("evaluate", ["samples_per_task=lots"], "samples_per_task"),
    ("study", ["stage_loggers=sometimes"], "stage_loggers"),
    ("report", ["runs=[x]", "allow_mixed_tasks=perhaps"], "allow_mixed_tasks"),
    # required paths
    ("generate", ["tasks=quixbugs"], "missing config value 'tasks.root'"),
    ("evaluate", ["tasks=quixbugs"], "missing config value 'tasks.root'"),
    ("build_data", [], "missing config value 'runs'"),
    ("train", [], "missing config value 'data'"),
    ("report", [], "missing config value 'runs'"),
    # checks across keys: the message, not the whole config
    ("evaluate", ["ks=[1,10]"], "ks=[1, 10] has k > samples_per_task=5: raise samples_per_task to 10"),
    ("generate", ["top_k=-1"], "bad config value 'top_k'"),
    # greedy decoding makes K samples identical: pass@k over them would mislead
    ("evaluate", ["decoding=greedy"], "greedy decoding (temperature=0) makes the samples_per_task=5 samples"),
    (
        "evaluate",
        ["temperature=0", "samples_per_task=3", "ks=[1]"],
        "set samples_per_task=1 'ks=[1]', or sample with a temperature > 0",
    ),
    ("evaluate", ["decoding=greedy", "samples_per_task=1"], "with greedy decoding use 'ks=[1]'"),
]


@pytest.mark.parametrize(
    ("entry", "overrides", "says"), CASES, ids=[f"{c[0]}:{c[1][-1] if c[1] else 'missing'}" for c in CASES]
)
def test_config_mistakes_are_one_line_naming_the_key(repo, entry, overrides, says):
    from agentpref.entrypoints import compose, validate

    cfg = compose(entry, overrides)
    with pytest.raises(ConfigError) as info:
        validate(entry, cfg)  # train: sft:/dpo:/trainer: keys are checked against TRL's own dataclasses
    message = str(info.value)
    assert says in message and "\n" not in message, message
    assert len(message) < 400


@pytest.mark.parametrize(
    ("script", "args", "says"),
    [
        ("generate.py", ["tasks=quixbugs", "tasks.root=/nonexistent"], "tasks.root=/nonexistent is not a directory"),
        ("train.py", ["data=/nonexistent/data"], "/nonexistent/data"),
    ],
)
def test_paths_that_point_nowhere_end_the_command_with_one_line(run_cli, tmp_path, script, args, says):
    proc = run_cli(script, *args, "logger=none", f"run_dir={tmp_path / 'run'}")
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and says in last, proc.stderr[-2000:]
