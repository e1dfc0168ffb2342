import pytest

from insertion_sort import insertion_sort


@pytest.mark.parametrize(
    "items",
    [[], [1], [2, 1], [3, 1, 2], [5, 4, 3, 2, 1], [1, 2, 3], [4, 1, 3, 1, 2]],
)
def test_matches_sorted(items):
    assert insertion_sort(items) == sorted(items)


def test_does_not_modify_input():
    items = [3, 2, 1]
    insertion_sort(items)
    assert items == [3, 2, 1]


def test_reverse():
    assert insertion_sort([2, 9, 4], reverse=True) == [9, 4, 2]


def test_stable_with_key():
    pairs = [("b", 2), ("a", 1), ("c", 2), ("d", 1)]
    assert insertion_sort(pairs, key=lambda p: p[1]) == [("a", 1), ("d", 1), ("b", 2), ("c", 2)]
