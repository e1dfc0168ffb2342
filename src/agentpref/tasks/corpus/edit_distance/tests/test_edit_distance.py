import pytest

from edit_distance import apply_operations, distance_table, edit_distance, edit_operations

COSTS = {"keep": 0, "substitute": 1, "insert": 1, "delete": 1}


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("", "", 0),
        ("abc", "", 3),
        ("", "abcd", 4),
        ("same", "same", 0),
        ("a", "b", 1),
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("intention", "execution", 5),
        ("abc", "acb", 2),
        ("aaa", "aaaa", 1),
        ("sunday", "saturday", 3),
    ],
)
def test_distance_and_operations(a, b, expected):
    assert edit_distance(a, b) == expected
    ops = edit_operations(a, b)
    assert apply_operations(a, ops) == b
    assert sum(COSTS[op[0]] for op in ops) == expected


def test_operations_exact_kitten():
    assert edit_operations("kitten", "sitting") == [
        ("substitute", "k", "s"),
        ("keep", "i"),
        ("keep", "t"),
        ("keep", "t"),
        ("substitute", "e", "i"),
        ("keep", "n"),
        ("insert", "g"),
    ]


def test_operations_empty_sides():
    assert edit_operations("", "ab") == [("insert", "a"), ("insert", "b")]
    assert edit_operations("ab", "") == [("delete", "a"), ("delete", "b")]
    assert edit_operations("", "") == []


def test_symmetric_with_unit_costs():
    assert edit_distance("intention", "execution") == edit_distance("execution", "intention")


def test_custom_substitute_cost_prefers_insert_delete():
    assert edit_distance("a", "b", substitute_cost=5) == 2
    ops = edit_operations("a", "b", substitute_cost=5)
    assert sorted(ops) == [("delete", "a"), ("insert", "b")]


def test_custom_insert_and_delete_costs():
    assert edit_distance("", "abc", insert_cost=2) == 6
    assert edit_distance("abc", "", delete_cost=3) == 9
    assert edit_distance("ab", "b", delete_cost=4) == 4
    assert edit_distance("abc", "abd", substitute_cost=3) == 2
    assert edit_distance("xab", "ab", delete_cost=2, insert_cost=5) == 2


def test_distance_table_borders():
    table = distance_table("ab", "xyz")
    assert table[0] == [0, 1, 2, 3]
    assert [row[0] for row in table] == [0, 1, 2]
    assert table[2][3] == 3


def test_apply_operations_rejects_mismatch():
    with pytest.raises(ValueError):
        apply_operations("abc", [("keep", "x")])
    with pytest.raises(ValueError):
        apply_operations("ab", [("keep", "a")])
    with pytest.raises(ValueError):
        apply_operations("a", [("swap", "a")])
