import random

from merge_sort import merge_sort


def test_random_lists_match_sorted():
    rng = random.Random(11)
    for _ in range(60):
        items = [rng.randint(-30, 30) for _ in range(rng.randint(0, 25))]
        assert merge_sort(items) == sorted(items)
        assert merge_sort(items, reverse=True) == sorted(items, reverse=True)


def test_random_stability_with_key():
    rng = random.Random(5)
    for _ in range(30):
        items = [(rng.randint(0, 4), i) for i in range(rng.randint(0, 20))]
        key = lambda p: p[0]  # noqa: E731
        assert merge_sort(items, key=key) == sorted(items, key=key)
        assert merge_sort(items, key=key, reverse=True) == sorted(items, key=key, reverse=True)


def test_accepts_any_iterable():
    assert merge_sort(x for x in (3, 1, 2)) == [1, 2, 3]
    assert merge_sort("cab") == ["a", "b", "c"]


def test_strings_by_length():
    words = ["ccc", "a", "bb", "dd", "e"]
    assert merge_sort(words, key=len) == ["a", "e", "bb", "dd", "ccc"]
