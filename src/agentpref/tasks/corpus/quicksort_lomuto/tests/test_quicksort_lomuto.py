import pytest

from quicksort_lomuto import partition, quicksort, quicksort_inplace


@pytest.mark.parametrize(
    "items",
    [
        [],
        [1],
        [2, 1],
        [1, 2],
        [3, 1, 2],
        [5, 4, 3, 2, 1],
        [1, 2, 3, 4, 5],
        [4, 1, 3, 1, 2, 4, 0],
        [7, 7, 7, 7],
        [-3, 7, -1, 0, -3, 2],
        [10, -10, 5, -5, 0, 3, -3, 8, -8],
    ],
)
def test_matches_sorted(items):
    assert quicksort(items) == sorted(items)


def test_quicksort_does_not_modify_input():
    items = [3, 2, 1]
    assert quicksort(items) == [1, 2, 3]
    assert items == [3, 2, 1]


def test_inplace_sorts_and_returns_same_list():
    arr = [5, 3, 8, 1, 9, 2]
    result = quicksort_inplace(arr)
    assert result is arr
    assert arr == [1, 2, 3, 5, 8, 9]


def test_inplace_subrange_only():
    arr = [9, 5, 4, 3, 2, 0]
    quicksort_inplace(arr, 1, 4)
    assert arr == [9, 2, 3, 4, 5, 0]


def test_partition_places_pivot():
    arr = [3, 8, 1, 9, 2, 5]
    p = partition(arr, 0, 5)
    assert arr[p] == 5
    assert p == 3
    assert all(x <= 5 for x in arr[:p])
    assert all(x > 5 for x in arr[p + 1:])
    assert sorted(arr) == [1, 2, 3, 5, 8, 9]


def test_partition_with_duplicates_of_pivot():
    arr = [2, 4, 2, 1, 2]
    p = partition(arr, 0, 4)
    assert p == 3
    assert arr[p] == 2
    assert sorted(arr[:p]) == [1, 2, 2]
    assert arr[p + 1:] == [4]


def test_partition_subrange_leaves_rest_alone():
    arr = [100, 4, 1, 3, -100]
    p = partition(arr, 1, 3)
    assert p == 2
    assert arr[0] == 100 and arr[4] == -100
    assert arr[1:4] == [1, 3, 4]


def test_partition_pivot_is_smallest():
    arr = [5, 6, 7, 1]
    assert partition(arr, 0, 3) == 0
    assert arr[0] == 1
