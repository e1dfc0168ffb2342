import pytest
from pydantic import ValidationError

from agentpref.errors import DataError
from agentpref.tasks.model import Task, load_tasks, save_tasks


def make_task(**overrides) -> Task:
    fields = dict(
        id="t/1",
        source="builtin",
        program="builtin:p",
        files={
            "p.py": "def f():\n    return 1\n",
            "tests/test_p.py": "from p import f\n\ndef test_f():\n    assert f() == 2\n",
        },
        editable=["p.py"],
        visible_tests=["tests/test_p.py"],
        hidden_tests={"tests/test_p_hidden.py": "from p import f\n\ndef test_h():\n    assert f() > 1\n"},
        hidden_test_targets=["tests/test_p_hidden.py"],
        reference_fix={"p.py": "def f():\n    return 2\n"},
    )
    fields.update(overrides)
    return Task(**fields)


@pytest.mark.parametrize("bad", ["../x.py", "/etc/passwd", "a/../../b.py"])
def test_paths_must_stay_inside_the_workspace(bad):
    with pytest.raises(ValidationError, match="relative to the workspace"):
        make_task(files={bad: "x"})


def test_reference_fix_may_only_touch_editable_files():
    with pytest.raises(ValidationError, match="non-editable"):
        make_task(reference_fix={"tests/test_p.py": "x"})


def test_editable_files_must_exist():
    with pytest.raises(ValidationError, match="not in the workspace"):
        make_task(editable=["missing.py"], reference_fix={})


def test_unknown_fields_are_rejected():
    with pytest.raises(ValidationError, match="extra"):
        make_task(colour="red")


def test_materialize_buggy_fixed_and_hidden(tmp_path):
    task = make_task()
    buggy = task.materialize(tmp_path / "b")
    assert (buggy / "p.py").read_text().endswith("return 1\n")
    assert not (buggy / "tests/test_p_hidden.py").exists()
    fixed = task.materialize(tmp_path / "f", fixed=True, with_hidden=True)
    assert (fixed / "p.py").read_text().endswith("return 2\n")
    assert (fixed / "tests/test_p_hidden.py").exists()


def test_public_view_hides_privileged_fields():
    view = make_task().public_view()
    assert "reference_fix" not in view and "hidden_tests" not in view
    assert view["test_command"] == "python -m pytest -q tests/test_p.py"


def test_jsonl_roundtrip_and_bad_line(tmp_path):
    tasks = [make_task(), make_task(id="t/2")]
    path = tmp_path / "tasks.jsonl"
    save_tasks(tasks, path)
    assert load_tasks(path) == tasks
    path.write_text(path.read_text() + '{"id": "broken"}\n')
    with pytest.raises(DataError, match=r"tasks.jsonl:3: not a valid task"):
        load_tasks(path)
