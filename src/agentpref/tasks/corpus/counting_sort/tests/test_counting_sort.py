import pytest

from counting_sort import counting_sort, key_range


@pytest.mark.parametrize(
    "items",
    [
        [],
        [0],
        [2, 1],
        [3, 1, 2],
        [5, 4, 3, 2, 1],
        [1, 2, 3, 4],
        [4, 1, 3, 1, 2, 4, 0],
        [-1, -3, -2],
        [-5, 3, 0, -5, 2, -1, 3],
        [7, 7, 7],
        [100, -100, 0],
    ],
)
def test_matches_sorted(items):
    assert counting_sort(items) == sorted(items)


def test_does_not_modify_input():
    items = [3, -1, 2]
    counting_sort(items)
    assert items == [3, -1, 2]


def test_stable_with_key():
    records = [("amy", 3), ("bob", 1), ("cat", 3), ("dan", 2), ("eve", 1)]
    result = counting_sort(records, key=lambda r: r[1])
    assert result == [("bob", 1), ("eve", 1), ("dan", 2), ("amy", 3), ("cat", 3)]


def test_stable_with_negative_key():
    words = ["aa", "b", "ccc", "dd", "e"]
    assert counting_sort(words, key=lambda w: -len(w)) == ["ccc", "aa", "dd", "b", "e"]


def test_non_integer_key_raises():
    with pytest.raises(TypeError):
        counting_sort([1.5, 2.0])


def test_bool_key_raises():
    with pytest.raises(TypeError):
        counting_sort([True, False])


def test_key_range():
    assert key_range([4]) == (4, 4)
    assert key_range([3, -2, 8, 0]) == (-2, 8)
    assert key_range([5, 4, 3, 2, 1]) == (1, 5)
    assert key_range([1, 2, 3]) == (1, 3)
