import random

from heap_sort import heap_sort, heapify, is_max_heap


def test_random_lists_match_sorted():
    rng = random.Random(21)
    for _ in range(80):
        items = [rng.randint(-25, 25) for _ in range(rng.randint(0, 30))]
        assert heap_sort(items) == sorted(items)
        assert heap_sort(items, reverse=True) == sorted(items, reverse=True)


def test_random_heapify():
    rng = random.Random(4)
    for _ in range(50):
        arr = [rng.randint(0, 50) for _ in range(rng.randint(0, 40))]
        heapify(arr)
        assert is_max_heap(arr)


def test_accepts_iterables_and_strings():
    assert heap_sort(iter([2, 3, 1])) == [1, 2, 3]
    assert heap_sort("heap") == ["a", "e", "h", "p"]


def test_floats():
    assert heap_sort([2.5, -0.5, 1.25]) == [-0.5, 1.25, 2.5]
