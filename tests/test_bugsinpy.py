"""BugsInPy loader on prepared bugs of a toy project (tests/fixtures/bugsinpy_mini): fields of the
tasks, both folder layouts, run_test.sh and patch parsing, "not prepared" reports, wrong roots,
no network, and real sandboxed runs in both modes."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from agentpref.errors import ConfigError
from agentpref.sandbox.limits import Limits
from agentpref.sandbox.runner import TestRunner
from agentpref.tasks import bugsinpy
from agentpref.tasks.bugsinpy import load_bugsinpy, parse_run_test, split_patch
from agentpref.tasks.splits import assign_split

FIXTURE = Path(__file__).parent / "fixtures" / "bugsinpy_mini"
LIMITS = Limits(per_test_timeout_s=1, wall_timeout_s=20)


@pytest.fixture(scope="module")
def loaded():
    return load_bugsinpy(FIXTURE)


@pytest.fixture
def bugs_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "bugs"
    shutil.copytree(FIXTURE, dest, ignore=shutil.ignore_patterns("conftest.py", "README.md"))
    return dest


def test_loads_prepared_bugs(loaded):
    assert loaded.problems == []
    t1, t2 = loaded.tasks
    assert [t1.id, t2.id] == ["bugsinpy/tinyutils-1", "bugsinpy/tinyutils-2"]
    for task in loaded.tasks:
        assert task.source == "bugsinpy"
        assert task.program == "bugsinpy:tinyutils"  # one project: one side of the split
        assert task.split == assign_split("bugsinpy:tinyutils", 0.25, "agentpref")
        assert task.base_dir == str((FIXTURE / task.id.split("/")[1] / "checkout").resolve())
        assert task.hidden_tests == {}
        assert set(task.reference_fix) == set(task.editable)
        for rel in task.editable:  # buggy content inlined, the fix differs from it
            assert task.files[rel] == (Path(task.base_dir) / rel).read_text()
            assert task.reference_fix[rel] != task.files[rel]
        assert task.metadata["bug_info"]["buggy_commit_id"]
    # pytest node id kept as is
    assert t1.editable == ["tinyutils/text.py"]
    assert t1.visible_tests == ["tests/test_text.py::test_slugify_collapses_separators"]
    assert 'r"[^a-z0-9]+"' in t1.reference_fix["tinyutils/text.py"]
    assert "tests/test_text.py" in t1.files
    # unittest dotted name converted to a pytest node id; a two-file patch
    assert t2.editable == ["tinyutils/__init__.py", "tinyutils/mathx.py"]
    assert t2.visible_tests == ["tests/test_mathx.py::TestClamp::test_below_range"]
    assert "return lo" in t2.reference_fix["tinyutils/mathx.py"]
    assert '"0.1.2"' in t2.reference_fix["tinyutils/__init__.py"]


def test_bugsinpy_repository_layout(tmp_path: Path):
    for bug_id in ("1", "2"):
        shutil.copytree(FIXTURE / f"tinyutils-{bug_id}", tmp_path / "projects" / "tinyutils" / "bugs" / bug_id)
    for root in (tmp_path, tmp_path / "projects"):
        result = load_bugsinpy(root)
        assert result.problems == []
        assert [t.id for t in result.tasks] == ["bugsinpy/tinyutils-1", "bugsinpy/tinyutils-2"]


def test_programs_filter():
    assert [t.id for t in load_bugsinpy(FIXTURE, programs=["tinyutils-2"]).tasks] == ["bugsinpy/tinyutils-2"]
    assert len(load_bugsinpy(FIXTURE, programs=["tinyutils"]).tasks) == 2
    result = load_bugsinpy(FIXTURE, programs=["other-7"])
    assert result.tasks == [] and result.problems[0].startswith("bugsinpy/other-7: no such bug")


@pytest.mark.parametrize("kind", ["missing", "empty"])
def test_wrong_root_is_one_clear_config_error(tmp_path: Path, kind: str):
    root = tmp_path / "nothing-here"
    if kind == "empty":
        root.mkdir()
        (root / "notes").mkdir()
    with pytest.raises(ConfigError) as err:
        load_bugsinpy(root)
    msg = str(err.value)
    assert str(root) in msg and "\n" not in msg
    assert "point tasks.root at a folder of prepared BugsInPy bugs" in msg


def test_unprepared_bugs_report_exactly_what_is_missing(bugs_copy: Path):
    # 3: no checkout and no run_test.sh
    shutil.copytree(bugs_copy / "tinyutils-1", bugs_copy / "tinyutils-3")
    shutil.rmtree(bugs_copy / "tinyutils-3" / "checkout")
    (bugs_copy / "tinyutils-3" / "run_test.sh").unlink()
    # 4: requirements that this environment does not satisfy
    shutil.copytree(bugs_copy / "tinyutils-2", bugs_copy / "tinyutils-4")
    req4 = bugs_copy / "tinyutils-4" / "requirements.txt"
    req4.write_text("packaging<1\nagentpref-no-such-package==1.0\npytest>=7\n")
    # 5: a patch that no longer applies to the checkout
    shutil.copytree(bugs_copy / "tinyutils-1", bugs_copy / "tinyutils-5")
    text_py = bugs_copy / "tinyutils-5" / "checkout" / "tinyutils" / "text.py"
    text_py.write_text(text_py.read_text().replace('"-"', '"_"'))
    # 6: run_test.sh names a unittest target that is not in the checkout
    shutil.copytree(bugs_copy / "tinyutils-2", bugs_copy / "tinyutils-6")
    (bugs_copy / "tinyutils-6" / "run_test.sh").write_text("python -m unittest tests.test_nope.T.test_x\n")
    # 7: an empty folder named like a bug
    (bugs_copy / "tinyutils-7").mkdir()

    result = load_bugsinpy(bugs_copy)
    assert [t.id for t in result.tasks] == ["bugsinpy/tinyutils-1", "bugsinpy/tinyutils-2"]
    problems = {p.split(":", 1)[0]: p for p in result.problems}
    assert sorted(problems) == [f"bugsinpy/tinyutils-{i}" for i in range(3, 8)]
    assert all(": not prepared: " in p and "\n" not in p for p in result.problems)
    p3 = problems["bugsinpy/tinyutils-3"]
    assert "missing run_test.sh, checkout/" in p3 and "bug.info" not in p3
    p4 = problems["bugsinpy/tinyutils-4"]
    assert "agentpref-no-such-package==1.0 (not installed)" in p4
    assert "packaging<1 (installed " in p4 and "pytest>=7" not in p4
    assert f"pip install -r {req4.resolve()}" in p4
    assert "bug_patch.txt does not apply to checkout/" in problems["bugsinpy/tinyutils-5"]
    assert "unittest target tests.test_nope.T.test_x matches no test file" in problems["bugsinpy/tinyutils-6"]
    assert (
        "missing bug.info, run_test.sh, requirements.txt, bug_patch.txt, checkout/" in problems["bugsinpy/tinyutils-7"]
    )


def test_run_test_sh_commands_become_pytest_targets():
    checkout = FIXTURE / "tinyutils-2" / "checkout"
    script = """#!/bin/bash
set -e
# the failing tests
cd . && pytest -q -k "slug and not shout" tests/test_text.py::test_slugify_simple
python3 -m pytest --tb=short tests/test_text.py::test_shout -x
python -m unittest -v tests.test_mathx.TestClamp tests.test_mathx.TestMean.test_mean
py.test tests/test_text.py::test_shout
python -m pip --version
"""
    targets, problems = parse_run_test(script, checkout)
    assert problems == []
    assert targets == [
        "tests/test_text.py::test_slugify_simple",
        "tests/test_text.py::test_shout",
        "tests/test_mathx.py::TestClamp",
        "tests/test_mathx.py::TestMean::test_mean",
    ]


def test_split_patch_keeps_hunk_bodies_and_separates_test_files():
    patch = (
        "diff --git a/pkg/core.py b/pkg/core.py\n"
        "index 1..2 100644\n"
        "--- a/pkg/core.py\n"
        "+++ b/pkg/core.py\n"
        "@@ -1,2 +1,2 @@\n"
        "--- a heading that is code, not a header\n"
        "+++ its replacement\n"
        " keep\n"
        "diff --git a/tests/test_core.py b/tests/test_core.py\n"
        "--- a/tests/test_core.py\n"
        "+++ b/tests/test_core.py\n"
        "@@ -1 +1,2 @@\n"
        " x\n"
        "+y\n"
        "--- /dev/null\n"
        "+++ b/pkg/new.py\n"
        "@@ -0,0 +1 @@\n"
        "+NEW = 1\n"
    )
    sections = split_patch(patch)
    assert [(s.old, s.new) for s in sections] == [
        ("pkg/core.py", "pkg/core.py"),
        ("tests/test_core.py", "tests/test_core.py"),
        (None, "pkg/new.py"),
    ]
    assert len(sections[0].lines) == 8 and sections[0].lines[0].startswith("diff --git")
    assert [bugsinpy.is_test_path(s.path, set()) for s in sections] == [False, True, False]
    fixed = bugsinpy.apply_patch(
        "".join(sections[0].lines + sections[2].lines),
        {"pkg/core.py": "-- a heading that is code, not a header\nkeep\n", "pkg/new.py": None},
        strip=1,
    )
    assert fixed == {"pkg/core.py": "++ its replacement\nkeep\n", "pkg/new.py": "NEW = 1\n"}


def test_no_network_and_only_local_tools(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the BugsInPy loader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    commands = []
    real_run = subprocess.run

    def spy(cmd, *args, **kwargs):
        commands.append(cmd[:2])
        return real_run(cmd, *args, **kwargs)

    monkeypatch.setattr(bugsinpy.subprocess, "run", spy)
    result = load_bugsinpy(FIXTURE)
    assert len(result.tasks) == 2 and result.problems == []
    assert commands and all(c in (["git", "apply"], ["patch", "-p1"]) for c in commands)


@pytest.fixture(scope="module", params=["fork", "subprocess"])
def runner(request):
    with TestRunner(request.param, LIMITS) as r:
        yield r


def test_buggy_fails_and_reference_passes_in_the_sandbox(runner: TestRunner, loaded):
    for task in loaded.tasks:
        buggy = runner.run_task(task)
        assert buggy.any_failed and not buggy.collection_errors, (task.id, buggy.output)
        assert [o.nodeid for o in buggy.outcomes] == task.visible_tests
        fixed = runner.run_task(task, fixed=True)
        assert fixed.all_passed, (task.id, fixed.summary(), fixed.output)
