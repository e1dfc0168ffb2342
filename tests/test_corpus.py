import shutil
from collections import Counter

import pytest

from agentpref.tasks.corpus import CATEGORIES, CORPUS_DIR, load_builtin, program_dirs
from agentpref.tasks.validate import Validator


def test_corpus_size_and_tags():
    result = load_builtin()
    assert result.problems == []
    programs = {t.program for t in result.tasks}
    assert len(programs) >= 60
    assert all(t.category in CATEGORIES and t.difficulty in ("easy", "medium", "hard") for t in result.tasks)
    assert len(Counter(t.category for t in result.tasks)) >= 8
    packages = [d for d in program_dirs() if any(p.is_dir() and (p / "__init__.py").exists() for p in d.iterdir())]
    assert len(packages) >= 3
    for task in result.tasks:
        assert task.hidden_tests, f"{task.id} has no hidden tests"
        assert task.reference_fix and set(task.reference_fix) <= set(task.editable)
        assert all(not p.startswith("tests/") for p in task.editable)


def test_split_is_by_program():
    result = load_builtin()
    sides = {}
    for t in result.tasks:
        sides.setdefault(t.program, set()).add(t.split)
    assert all(len(s) == 1 for s in sides.values())
    assert 0.1 < sum("heldout" in s for s in sides.values()) / len(sides) < 0.45


def copy_program(tmp_path, name):
    dest = tmp_path / name
    shutil.copytree(CORPUS_DIR / "insertion_sort", dest)
    return dest


def test_malformed_programs_are_reported_and_the_rest_still_load(tmp_path):
    shutil.copytree(CORPUS_DIR / "insertion_sort", tmp_path / "good")
    (copy_program(tmp_path, "no_yaml") / "task.yaml").unlink()
    bad_key = copy_program(tmp_path, "bad_key")
    (bad_key / "task.yaml").write_text((bad_key / "task.yaml").read_text().replace("difficulty:", "dificulty:"))
    no_find = copy_program(tmp_path, "no_find")
    (no_find / "task.yaml").write_text(
        (no_find / "task.yaml").read_text().replace("while j >= 0 and", "while k >= 0 and")
    )
    missing = copy_program(tmp_path, "missing_test")
    (missing / "tests" / "test_insertion_sort.py").unlink()
    result = load_builtin(tmp_path)
    assert {t.program for t in result.tasks} == {"builtin:good"}
    problems = "\n".join(result.problems)
    assert "builtin/no_yaml: missing task.yaml" in problems
    assert "builtin/bad_key: invalid task.yaml" in problems and "dificulty" in problems
    assert "builtin/no_find/skips_first_slot: bug 'find' text occurs 0 times" in problems
    assert "builtin/missing_test: tests/test_insertion_sort.py is named in task.yaml but does not exist" in problems
    assert len(result.problems) == 4


def test_broken_reference_or_uncaught_bug_is_invalid(tmp_path):
    syntax = copy_program(tmp_path, "syntax")
    (syntax / "insertion_sort.py").write_text((syntax / "insertion_sort.py").read_text() + "\ndef broken(:\n")
    uncaught = copy_program(tmp_path, "uncaught")
    (uncaught / "task.yaml").write_text(
        (uncaught / "task.yaml")
        .read_text()
        .replace('replace: "return k >= current_key"', 'replace: "return (k > current_key)"')
    )
    result = load_builtin(tmp_path)
    with Validator(workers=1) as v:
        reasons = {r.task_id: r for r in v.validate_all(result.tasks)}
    assert not reasons["builtin/syntax/skips_first_slot"].valid
    assert "reference fix does not pass the visible tests" in reasons["builtin/syntax/skips_first_slot"].reason
    assert reasons["builtin/uncaught/skips_first_slot"].valid
    assert reasons["builtin/uncaught/unstable_ties"].reason == "buggy version passes every visible test"


@pytest.mark.slow
def test_every_builtin_task_is_valid():
    tasks = load_builtin().tasks
    with Validator(workers=2) as v:
        bad = [f"{r.task_id}: {r.reason}" for r in v.validate_all(tasks) if not r.valid]
    assert bad == []
