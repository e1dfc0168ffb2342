import pytest

from heap_sort import heap_sort, heapify, is_max_heap, sift_down


@pytest.mark.parametrize(
    "items",
    [
        [],
        [1],
        [2, 1],
        [1, 2],
        [3, 1, 2],
        [1, 3, 2],
        [5, 4, 3, 2, 1],
        [1, 2, 3, 4, 5, 6, 7],
        [4, 1, 3, 1, 2, 4, 0],
        [6, 6, 6],
        [-3, 7, -1, 0, -3, 2, 11, -20],
    ],
)
def test_matches_sorted(items):
    assert heap_sort(items) == sorted(items)


def test_reverse():
    assert heap_sort([3, -1, 4, 1, 5, 9, 2], reverse=True) == [9, 5, 4, 3, 2, 1, -1]


def test_does_not_modify_input():
    items = [3, 1, 2]
    heap_sort(items)
    assert items == [3, 1, 2]


@pytest.mark.parametrize(
    "items",
    [[], [1], [1, 2], [1, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8], [2, 9, 4, 7, 1, 8, 3], [5, 5, 1, 5]],
)
def test_heapify_builds_max_heap(items):
    arr = list(items)
    heapify(arr)
    assert is_max_heap(arr)
    assert sorted(arr) == sorted(items)


def test_sift_down_picks_larger_child():
    heap = [1, 5, 9, 4, 3, 8, 7]
    sift_down(heap, 0, len(heap))
    assert heap == [9, 5, 8, 4, 3, 1, 7]


def test_sift_down_respects_end():
    heap = [1, 2, 9]
    sift_down(heap, 0, 2)
    assert heap == [2, 1, 9]


def test_sift_down_stops_when_parent_equal():
    heap = [5, 5, 3]
    sift_down(heap, 0, 3)
    assert heap == [5, 5, 3]


def test_is_max_heap():
    assert is_max_heap([])
    assert is_max_heap([9, 7, 8, 1, 2])
    assert not is_max_heap([9, 7, 8, 1, 10])
    assert not is_max_heap([1, 2])
