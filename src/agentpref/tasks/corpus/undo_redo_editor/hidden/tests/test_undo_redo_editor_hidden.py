import random

from undo_redo_editor import Editor


def test_random_edits_against_snapshots():
    rng = random.Random(43)
    for _ in range(30):
        ed = Editor("start")
        past = []  # snapshots before each undoable edit
        future = []
        for _ in range(40):
            op = rng.random()
            if op < 0.35:
                pos = rng.randint(0, len(ed.text))
                s = rng.choice(["a", "bc", "XYZ"])
                past.append(ed.text)
                ed.insert(pos, s)
                future.clear()
            elif op < 0.55 and ed.text:
                pos = rng.randint(0, len(ed.text) - 1)
                length = rng.randint(1, len(ed.text) - pos)
                past.append(ed.text)
                ed.delete(pos, length)
                future.clear()
            elif op < 0.8:
                if past:
                    future.append(ed.text)
                    assert ed.undo()
                    assert ed.text == past.pop()
                else:
                    assert not ed.undo()
            else:
                if future:
                    past.append(ed.text)
                    assert ed.redo()
                    assert ed.text == future.pop()
                else:
                    assert not ed.redo()


def test_max_history_zero_disables_undo():
    ed = Editor(max_history=0)
    ed.insert(0, "a")
    assert not ed.can_undo()
    assert ed.text == "a"


def test_redo_respects_max_history():
    ed = Editor(max_history=1)
    ed.insert(0, "a")
    ed.insert(1, "b")
    ed.undo()
    ed.redo()
    assert ed.undo()
    assert not ed.undo()
    assert ed.text == "a"


def test_undo_delete_in_middle_restores_position():
    ed = Editor("abcdef")
    assert ed.delete(2, 2) == "cd"
    ed.insert(0, ">")
    ed.undo()
    ed.undo()
    assert ed.text == "abcdef"
    ed.redo()
    assert ed.text == "abef"
