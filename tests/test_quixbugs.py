"""QuixBugs loader on a small look-alike clone (tests/fixtures/quixbugs_mini/clone, no QuixBugs
code): fields of the tasks, problem lines, wrong roots, and real sandboxed runs in both modes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agentpref.errors import ConfigError
from agentpref.sandbox.limits import Limits
from agentpref.sandbox.runner import TestRunner
from agentpref.tasks.quixbugs import count_fix_lines, load_quixbugs
from agentpref.tasks.splits import assign_split

CLONE = Path(__file__).parent / "fixtures" / "quixbugs_mini" / "clone"
PROGRAMS = ["digit_sum", "floor_log2", "reachable", "reverse_list"]
LIMITS = Limits(per_test_timeout_s=1, wall_timeout_s=20)


@pytest.fixture(scope="module")
def loaded():
    return load_quixbugs(CLONE)


@pytest.fixture
def clone_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "QuixBugs"
    shutil.copytree(CLONE, dest)
    return dest


def test_loads_one_task_per_program_with_a_test_file(loaded):
    assert loaded.problems == []
    assert [t.id for t in loaded.tasks] == [f"quixbugs/{p}" for p in PROGRAMS]
    for task in loaded.tasks:
        name = task.id.split("/", 1)[1]
        prog, test = f"python_programs/{name}.py", f"python_testcases/test_{name}.py"
        assert task.source == "quixbugs"
        assert task.program == f"quixbugs:{name}"
        assert task.split == assign_split(task.program, 0.25, "agentpref")
        assert task.editable == [prog]
        assert task.visible_tests == [test]
        assert task.hidden_tests == {} and task.hidden_test_targets == []
        assert task.base_dir is None
        assert task.reference_fix == {prog: (CLONE / "correct_python_programs" / f"{name}.py").read_text()}
        assert task.files[prog] == (CLONE / prog).read_text()
        # Only what the test needs: no correct programs, no drivers, no other programs.
        assert {
            "conftest.py",
            "python_programs/node.py",
            "python_testcases/node.py",
            "python_testcases/load_testdata.py",
            prog,
            test,
        } <= set(task.files)
        assert not any(p.startswith("correct_python_programs/") or p.endswith("_test.py") for p in task.files)
        others = [p for p in PROGRAMS if p != name]
        assert not any(o in path for o in others for path in task.files)
        assert ("--runslow" not in task.test_command) and ("--correct" not in task.test_command)
        assert task.metadata["correct_drops_docstrings"] is True
        assert task.metadata["fix_lines"] == 1
        assert task.metadata["raw_diff_lines"] > 1  # the docstring is gone from the correct file


def test_json_testcases_only_where_present(loaded):
    by_id = {t.id: t for t in loaded.tasks}
    assert "json_testcases/digit_sum.json" in by_id["quixbugs/digit_sum"].files
    assert by_id["quixbugs/digit_sum"].metadata["json_testcases"] is True
    reach = by_id["quixbugs/reachable"]
    assert reach.metadata["json_testcases"] is False
    assert not any(p.startswith("json_testcases/") for p in reach.files)


def test_programs_filter_and_unknown_program():
    result = load_quixbugs(CLONE, programs=["reachable", "no_such"])
    assert [t.id for t in result.tasks] == ["quixbugs/reachable"]
    assert len(result.problems) == 1
    assert result.problems[0].startswith("quixbugs/no_such: no such program")


def test_heldout_fraction_and_salt_drive_the_split():
    assert {t.split for t in load_quixbugs(CLONE, heldout_fraction=1.0).tasks} == {"heldout"}
    assert {t.split for t in load_quixbugs(CLONE, heldout_fraction=0.0).tasks} == {"train"}


@pytest.mark.parametrize("make_root", ["empty", "missing", "partial"])
def test_wrong_root_is_one_clear_config_error(tmp_path: Path, make_root: str):
    root = tmp_path / "not-quixbugs"
    if make_root != "missing":
        root.mkdir()
    if make_root == "partial":
        (root / "python_programs").mkdir()
    with pytest.raises(ConfigError) as err:
        load_quixbugs(root)
    msg = str(err.value)
    assert "\n" not in msg
    assert str(root) in msg
    assert "point tasks.root at a clone of QuixBugs" in msg
    if make_root != "missing":
        missing = "python_programs/, correct_python_programs/" if make_root == "empty" else "correct_python_programs/"
        assert f"missing {missing}, python_testcases/;" in msg


def test_broken_programs_become_problem_lines(clone_copy: Path):
    (clone_copy / "correct_python_programs" / "reverse_list.py").unlink()
    (clone_copy / "correct_python_programs" / "reachable.py").write_text("def reachable(:\n")
    (clone_copy / "json_testcases" / "floor_log2.json").unlink()
    (clone_copy / "python_testcases" / "test_bad_bytes.py").write_text("def test_x():\n    pass\n")
    (clone_copy / "python_programs" / "bad_bytes.py").write_bytes(b"x = '\xff\xfe'\n")
    (clone_copy / "correct_python_programs" / "bad_bytes.py").write_text("x = ''\n")
    result = load_quixbugs(clone_copy)
    assert [t.id for t in result.tasks] == ["quixbugs/digit_sum"]
    problems = {p.split(":", 1)[0]: p for p in result.problems}
    assert set(problems) == {"quixbugs/bad_bytes", "quixbugs/floor_log2", "quixbugs/reachable", "quixbugs/reverse_list"}
    assert "not UTF-8" in problems["quixbugs/bad_bytes"]
    assert "json_testcases/floor_log2.json is missing" in problems["quixbugs/floor_log2"]
    assert "correct_python_programs/reachable.py has a syntax error" in problems["quixbugs/reachable"]
    assert "correct_python_programs/reverse_list.py is missing" in problems["quixbugs/reverse_list"]
    assert all("\n" not in p for p in result.problems)


def test_broken_test_file_is_a_problem_but_a_broken_buggy_program_is_a_task(clone_copy: Path):
    (clone_copy / "python_testcases" / "test_digit_sum.py").write_text("import pytest\nif True\n")
    (clone_copy / "python_programs" / "reverse_list.py").write_text("def reverse_list(items)\n")
    result = load_quixbugs(clone_copy, programs=["digit_sum", "reverse_list"])
    assert [t.id for t in result.tasks] == ["quixbugs/reverse_list"]  # a syntax bug is a bug
    assert result.tasks[0].metadata["buggy_parses"] is False
    assert result.tasks[0].metadata["fix_lines"] is None
    assert result.problems == [
        "quixbugs/digit_sum: python_testcases/test_digit_sum.py has a syntax error (line 2: expected ':')"
    ]


def test_fix_lines_ignores_docstrings_comments_and_blank_lines():
    buggy = 'def f(x):\n    """Doc\n    string."""\n    # note\n    return x + 1  # inc\n'
    assert count_fix_lines(buggy, "def f(x):\n\n    return x+1\n") == 0
    assert count_fix_lines(buggy, "def f(x):\n    return x - 1\n") == 1
    assert count_fix_lines(buggy, "def f(x:\n") is None


@pytest.fixture(scope="module", params=["fork", "subprocess"])
def runner(request):
    with TestRunner(request.param, LIMITS) as r:
        yield r


def test_buggy_fails_and_reference_passes_in_the_sandbox(runner: TestRunner, loaded):
    for task in loaded.tasks:
        buggy = runner.run_task(task)
        assert buggy.any_failed, (task.id, buggy.summary(), buggy.output)
        assert not buggy.collection_errors, buggy.output
        assert not buggy.timed_out  # hangs are caught per test, well inside the wall limit
        fixed = runner.run_task(task, fixed=True)
        assert fixed.all_passed, (task.id, fixed.summary(), fixed.output)
        if task.id == "quixbugs/floor_log2":
            hung = {o.nodeid: o.outcome for o in buggy.outcomes}
            assert buggy.hung
            assert hung == {
                "python_testcases/test_floor_log2.py::test_floor_log2[input_data0-0]": "passed",
                "python_testcases/test_floor_log2.py::test_floor_log2[input_data1-0]": "passed",
                "python_testcases/test_floor_log2.py::test_floor_log2[input_data2-4]": "timeout",
            }
        if task.id == "quixbugs/digit_sum":  # --runslow is never passed: the slow case is skipped
            slow = [o for o in fixed.outcomes if o.nodeid.endswith("test_digit_sum_huge")]
            assert [o.outcome for o in slow] == ["skipped"]


def test_fixture_mimics_quixbugs_mechanics(clone_copy: Path):
    """A bare pytest at the root chokes on the driver files; --correct switches to the fixed
    programs (the behaviour of the real clone the loader is written for)."""
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    bare = subprocess.run([*base, "--co"], cwd=clone_copy, capture_output=True, text=True, timeout=60, env=env)
    assert bare.returncode != 0
    assert "driver_test.py" in bare.stdout and "reachable_test.py" in bare.stdout
    tests = [f"python_testcases/test_{p}.py" for p in PROGRAMS]
    correct = subprocess.run(
        [*base, "--correct", *tests], cwd=clone_copy, capture_output=True, text=True, timeout=60, env=env
    )
    assert correct.returncode == 0, correct.stdout
