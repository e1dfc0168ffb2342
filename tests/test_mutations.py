import ast
import textwrap

import pytest

from agentpref.tasks.mutations import OPERATOR_CLASSES, apply_mutations, find_mutations

SOURCE = textwrap.dedent('''\
    """Module docstring with 1 number."""


    def window_sum(values: list[int], size: int = 2) -> int:
        """Docstring 3."""
        total = 0
        best = None
        for i in range(len(values) - size + 1):
            if not values or size <= 0:
                return 0
            total = sum(values[i:i + size])
            if best is None or total > best:
                best = total
            total *= 2
        return max(best, 0) if best is not None else True
''')


def mutants(op):
    return [(m, m.apply(SOURCE)) for m in find_mutations("w.py", SOURCE, (op,))]


def changed_lines(a: str, b: str) -> list[int]:
    return [i for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines()), 1) if x != y]


@pytest.mark.parametrize("op", OPERATOR_CLASSES)
def test_every_operator_class_finds_sites_and_yields_valid_python(op):
    found = mutants(op)
    assert found, f"no {op} mutation found"
    for m, text in found:
        ast.parse(text)
        assert text != SOURCE
        assert m.operator == op


def test_expected_edits_are_present():
    edits = {(m.operator, text.splitlines()[m.line - 1].strip()) for op in OPERATOR_CLASSES for m, text in mutants(op)}
    assert ("compare", "if not values or size < 0:") in edits
    assert ("boolean", "if not values and size <= 0:") in edits
    assert ("boolean", "if values or size <= 0:") in edits
    assert ("off_by_one", "for i in range(len(values) - size + 1 + 1):") in edits
    assert ("off_by_one", "total = sum(values[i:i + size - 1])") in edits
    assert ("arithmetic", "total /= 2") in edits
    assert ("changed_constant", "total = 1") in edits
    assert ("wrong_variable", "if best is None or size > best:") in edits
    assert ("swapped_arguments", "return max(0, best) if best is not None else True") in edits
    assert ("wrong_return", "return None") in edits
    assert ("dropped_condition", "if best is None:") in edits
    guard_removed = [t for m, t in mutants("dropped_condition") if "return 0" not in t]
    assert len(guard_removed) == 1 and "if not values or size <= 0" not in guard_removed[0]


def test_docstrings_annotations_and_defaults_types_are_not_mutated():
    for op in OPERATOR_CLASSES:
        for _, text in mutants(op):
            assert '"""Module docstring with 1 number."""' in text
            assert '"""Docstring 3."""' in text
            assert "values: list[int]" in text


def test_single_mutations_change_one_line_and_keep_comments():
    src = "def f(a, b):\n    # keep me\n    return a < b  # and me\n"
    for m in find_mutations("f.py", src):
        out = m.apply(src)
        assert "# keep me" in out and "# and me" in out
        if m.operator != "dropped_statement":
            assert len(changed_lines(src, out)) == 1


def test_order_is_deterministic_and_operators_validated():
    assert find_mutations("w.py", SOURCE) == find_mutations("w.py", SOURCE)
    with pytest.raises(ValueError, match="unknown mutation operators"):
        find_mutations("w.py", SOURCE, ("flip_everything",))


def test_apply_mutations_rejects_overlaps_and_combines_others():
    ms = find_mutations("w.py", SOURCE, ("compare",))
    a = ms[0]
    b = next(m for m in ms if m.line != a.line)
    files = apply_mutations({"w.py": SOURCE}, [a, b])
    assert files is not None and len(changed_lines(SOURCE, files["w.py"])) == 2
    same_span = next(m for m in ms if m.start == a.start and m is not a)
    assert apply_mutations({"w.py": SOURCE}, [a, same_span]) is None


def test_non_ascii_source_positions():
    src = 'def f(s):\n    return "é" + s if len(s) < 3 else s\n'
    for m in find_mutations("u.py", src):
        ast.parse(m.apply(src))
