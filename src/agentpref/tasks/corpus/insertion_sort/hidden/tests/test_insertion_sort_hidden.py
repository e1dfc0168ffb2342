import random

from insertion_sort import insertion_sort


def test_random_lists_match_sorted():
    rng = random.Random(7)
    for _ in range(50):
        items = [rng.randint(-20, 20) for _ in range(rng.randint(0, 15))]
        assert insertion_sort(items) == sorted(items)
        assert insertion_sort(items, reverse=True) == sorted(items, reverse=True)


def test_stable_reverse_with_key():
    words = ["bb", "a", "cc", "d", "eee"]
    assert insertion_sort(words, key=len, reverse=True) == sorted(words, key=len, reverse=True)


def test_accepts_any_iterable():
    assert insertion_sort(x for x in (3, 1, 2)) == [1, 2, 3]
    assert insertion_sort("cab") == ["a", "b", "c"]
