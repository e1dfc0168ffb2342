import pytest

from merge_sort import merge, merge_sort


@pytest.mark.parametrize(
    "items",
    [
        [],
        [1],
        [2, 1],
        [1, 2],
        [3, 1, 2],
        [5, 4, 3, 2, 1],
        [1, 2, 3, 4, 5, 6],
        [4, 1, 3, 1, 2, 4, 0],
        [-3, 7, -1, 0, -3, 2],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1],
    ],
)
def test_matches_sorted(items):
    assert merge_sort(items) == sorted(items)


def test_does_not_modify_input():
    items = [3, 2, 1, 5, 4]
    merge_sort(items)
    assert items == [3, 2, 1, 5, 4]


def test_returns_new_list_for_single_element():
    items = [1]
    result = merge_sort(items)
    assert result == [1]
    assert result is not items


def test_reverse():
    assert merge_sort([2, 9, 4, 9, 1], reverse=True) == [9, 9, 4, 2, 1]


def test_stable_with_key():
    pairs = [("b", 2), ("a", 1), ("c", 2), ("d", 1), ("e", 0)]
    expected = [("e", 0), ("a", 1), ("d", 1), ("b", 2), ("c", 2)]
    assert merge_sort(pairs, key=lambda p: p[1]) == expected


def test_stable_reverse_with_key():
    pairs = [("b", 2), ("a", 1), ("c", 2), ("d", 1)]
    expected = [("b", 2), ("c", 2), ("a", 1), ("d", 1)]
    assert merge_sort(pairs, key=lambda p: p[1], reverse=True) == expected


def test_merge_keeps_left_first_on_ties():
    left = [(1, "L1"), (2, "L2")]
    right = [(1, "R1"), (3, "R3")]
    result = merge(left, right, key=lambda p: p[0])
    assert result == [(1, "L1"), (1, "R1"), (2, "L2"), (3, "R3")]


def test_merge_with_empty_side():
    assert merge([], [1, 2], key=lambda x: x) == [1, 2]
    assert merge([1, 2], [], key=lambda x: x) == [1, 2]


def test_merge_uneven_lengths():
    assert merge([5], [1, 2, 3, 7], key=lambda x: x) == [1, 2, 3, 5, 7]
