import textwrap

import pytest

from agentpref.sandbox.limits import Limits
from agentpref.tasks.corpus import load_builtin
from agentpref.tasks.model import Task
from agentpref.tasks.synthesis import synthesize
from agentpref.tasks.validate import Validator


@pytest.fixture(scope="module")
def validator():
    with Validator("fork", Limits(per_test_timeout_s=0.5, wall_timeout_s=20), workers=2) as v:
        yield v


def tiny_task() -> Task:
    """A program with an equivalent mutation site and a mutation that hangs."""
    prog = textwrap.dedent("""\
        def count_up(n):
            i = 0
            while i < n:
                i += 1
            return i


        def double(x):
            return x * 2
    """)
    tests = textwrap.dedent("""\
        from counter import count_up, double

        def test_count():
            assert count_up(3) == 3
            assert count_up(0) == 0

        def test_double():
            assert double(2) == 4
    """)
    return Task(
        id="builtin/counter/none",
        source="builtin",
        program="builtin:counter",
        files={"counter.py": prog, "tests/test_counter.py": tests},
        editable=["counter.py"],
        visible_tests=["tests/test_counter.py"],
        reference_fix={},
        split="heldout",
    )


def test_synthesis_rules_on_a_tiny_program(validator):
    tasks, stats = synthesize([tiny_task()], validator, seed=0, mutants_per_program=100, max_attempts_per_program=1000)
    assert stats.kept == len(tasks) > 5
    # `x * 2` -> `x + 2` is equivalent on the test input double(2): it must have been dropped.
    assert all("return x + 2" not in t.files["counter.py"] for t in tasks)
    assert stats.dropped["survived_visible_tests"] >= 1
    # `i += 1` -> `i -= 1` loops forever: kept, and recorded as a hang.
    hang = [t for t in tasks if "i -= 1" in t.files["counter.py"]]
    assert hang and hang[0].metadata["hangs"] is True
    assert len({t.id for t in tasks}) == len(tasks)  # no duplicates
    for t in tasks:
        assert t.split == "heldout" and t.program == "builtin:counter" and t.source == "synthetic"
        assert t.reference_fix == {"counter.py": tiny_task().files["counter.py"]}


def test_deterministic_for_a_seed_and_different_across_seeds(validator):
    base = load_builtin(programs=["insertion_sort"]).tasks
    a, _ = synthesize(base, validator, seed=3, mutants_per_program=6)
    b, _ = synthesize(base, validator, seed=3, mutants_per_program=6)
    c, _ = synthesize(base, validator, seed=4, mutants_per_program=6)
    assert [t.id for t in a] == [t.id for t in b]
    assert [t.id for t in a] != [t.id for t in c]


def test_kept_mutants_and_counts_do_not_depend_on_the_number_of_workers(validator):
    """Runs go ahead on the pool, but results are read in candidate order: one worker and two
    keep the same mutants and count the same tries, a hanging mutant included."""
    base = [tiny_task(), *load_builtin(programs=["insertion_sort"]).tasks]
    runs = []
    for validate_with in (validator, Validator("fork", Limits(per_test_timeout_s=0.5, wall_timeout_s=20), workers=1)):
        tasks, stats = synthesize(base, validate_with, seed=0, mutants_per_program=3)
        assert any(t.metadata["hangs"] for t in tasks)
        runs.append(([t.id for t in tasks], stats.tried, stats.dropped["survived_visible_tests"]))
        if validate_with is not validator:
            validate_with.close()
    assert runs[0] == runs[1]
    assert len(runs[0][0]) == 6


def test_every_kept_mutant_is_a_valid_task(validator):
    base = load_builtin(programs=["insertion_sort"]).tasks
    tasks, _ = synthesize(
        base, validator, seed=1, mutants_per_program=5, n_mutations=2, operators=["compare", "off_by_one", "arithmetic"]
    )
    assert len(tasks) == 5
    for task in tasks:
        assert task.metadata["n_mutations"] == 2
        assert set(task.metadata["operators"]) <= {"compare", "off_by_one", "arithmetic"}
        result = validator.validate(task)
        assert result.valid, result.reason


@pytest.mark.slow
def test_default_synthetic_set_has_over_1000_valid_tasks(tmp_path):
    """The default `tasks=synthetic` config yields >= 1,000 tasks; a seeded sample re-validates."""
    import random

    from agentpref.tasks.config import SyntheticTasks
    from agentpref.tasks.registry import build_synthetic

    cfg = SyntheticTasks(cache_dir=str(tmp_path))
    result, stats, path = build_synthetic(cfg, Limits(), progress=False)
    assert len(result.tasks) >= 1000 and result.problems == []
    assert path.exists() and stats["kept"] == len(result.tasks)
    sides = {}
    for t in result.tasks:
        sides.setdefault(t.program, set()).add(t.split)
    assert all(len(s) == 1 for s in sides.values())
    sample = random.Random(0).sample(result.tasks, 150)
    with Validator("fork", Limits(per_test_timeout_s=1.0), workers=2) as v:
        bad = [f"{r.task_id}: {r.reason}" for r in v.validate_all(sample) if not r.valid]
    assert bad == []
