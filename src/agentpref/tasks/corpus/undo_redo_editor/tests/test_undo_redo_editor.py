import pytest

from undo_redo_editor import Editor


def test_initial_state():
    ed = Editor("abc")
    assert ed.text == "abc"
    assert not ed.can_undo()
    assert not ed.can_redo()
    assert ed.undo() is False
    assert ed.redo() is False


@pytest.mark.parametrize(
    "pos, expected", [(0, "XYhello"), (2, "heXYllo"), (5, "helloXY")]
)
def test_insert_positions(pos, expected):
    ed = Editor("hello")
    ed.insert(pos, "XY")
    assert ed.text == expected


@pytest.mark.parametrize("pos", [-1, 6])
def test_insert_out_of_range(pos):
    ed = Editor("hello")
    with pytest.raises(IndexError):
        ed.insert(pos, "x")
    assert not ed.can_undo()


def test_delete_returns_removed_text():
    ed = Editor("hello world")
    assert ed.delete(5, 6) == " world"
    assert ed.text == "hello"
    assert ed.delete(0, 1) == "h"
    assert ed.text == "ello"


def test_delete_whole_text():
    ed = Editor("abc")
    assert ed.delete(0, 3) == "abc"
    assert ed.text == ""


@pytest.mark.parametrize("pos, length", [(-1, 1), (2, 2), (0, 4), (1, -1)])
def test_delete_out_of_range(pos, length):
    ed = Editor("abc")
    with pytest.raises(IndexError):
        ed.delete(pos, length)
    assert ed.text == "abc"


def test_empty_edits_are_not_recorded():
    ed = Editor("abc")
    ed.insert(1, "")
    assert ed.delete(1, 0) == ""
    assert not ed.can_undo()


def test_undo_and_redo_sequence():
    ed = Editor()
    ed.insert(0, "hello")
    ed.insert(5, " world")
    ed.delete(0, 1)
    assert ed.text == "ello world"
    assert ed.undo()
    assert ed.text == "hello world"
    assert ed.undo()
    assert ed.text == "hello"
    assert ed.redo()
    assert ed.text == "hello world"
    assert ed.redo()
    assert ed.text == "ello world"
    assert not ed.can_redo()


def test_undo_everything_then_redo_everything():
    ed = Editor("x")
    ed.insert(1, "y")
    ed.insert(0, "w")
    ed.delete(1, 1)
    assert ed.text == "wy"
    while ed.undo():
        pass
    assert ed.text == "x"
    while ed.redo():
        pass
    assert ed.text == "wy"


def test_new_edit_clears_redo():
    ed = Editor("abc")
    ed.insert(3, "d")
    ed.undo()
    assert ed.can_redo()
    ed.insert(0, "z")
    assert not ed.can_redo()
    assert ed.redo() is False
    assert ed.text == "zabc"


def test_delete_clears_redo():
    ed = Editor("abc")
    ed.insert(3, "d")
    ed.undo()
    ed.delete(0, 1)
    assert not ed.can_redo()
    assert ed.text == "bc"


def test_max_history():
    ed = Editor(max_history=2)
    ed.insert(0, "a")
    ed.insert(1, "b")
    ed.insert(2, "c")
    assert ed.undo() and ed.undo()
    assert ed.undo() is False
    assert ed.text == "a"


def test_negative_max_history():
    with pytest.raises(ValueError):
        Editor(max_history=-1)


def test_max_history_zero_keeps_no_undo():
    ed = Editor(max_history=0)
    ed.insert(0, "a")
    assert ed.text == "a"
    assert ed.can_undo() is False


def test_redone_edit_can_be_undone_again():
    ed = Editor("ab")
    ed.delete(0, 1)
    assert ed.can_undo() is True
    assert ed.undo()
    assert ed.can_redo() is True
    assert ed.redo()
    assert ed.text == "b"
    assert ed.can_undo() is True
    assert ed.undo()
    assert ed.text == "ab"
