import random

from quicksort_lomuto import partition, quicksort, quicksort_inplace


def test_random_lists_match_sorted():
    rng = random.Random(3)
    for _ in range(80):
        items = [rng.randint(-15, 15) for _ in range(rng.randint(0, 30))]
        assert quicksort(items) == sorted(items)


def test_random_partition_invariant():
    rng = random.Random(8)
    for _ in range(50):
        arr = [rng.randint(0, 9) for _ in range(rng.randint(1, 15))]
        before = sorted(arr)
        pivot = arr[-1]
        p = partition(arr, 0, len(arr) - 1)
        assert arr[p] == pivot
        assert all(x <= pivot for x in arr[:p])
        assert all(x > pivot for x in arr[p + 1:])
        assert sorted(arr) == before


def test_large_sorted_input_does_not_overflow_stack():
    arr = list(range(600))
    assert quicksort_inplace(arr[::-1]) == arr
    assert quicksort_inplace(list(arr)) == arr


def test_strings():
    assert quicksort("quicksort") == sorted("quicksort")
