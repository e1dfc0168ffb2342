import random

import pytest

from counting_sort import counting_sort


def test_random_lists_match_sorted():
    rng = random.Random(13)
    for _ in range(80):
        items = [rng.randint(-20, 20) for _ in range(rng.randint(0, 30))]
        assert counting_sort(items) == sorted(items)


def test_random_stability_with_key():
    rng = random.Random(17)
    for _ in range(40):
        items = [(rng.randint(-3, 3), i) for i in range(rng.randint(0, 25))]
        key = lambda p: p[0]  # noqa: E731
        assert counting_sort(items, key=key) == sorted(items, key=key)


def test_accepts_generator():
    assert counting_sort(x % 3 for x in range(6)) == [0, 0, 1, 1, 2, 2]


def test_string_keys_raise():
    with pytest.raises(TypeError):
        counting_sort(["b", "a"])


def test_all_negative_single_value():
    assert counting_sort([-4, -4]) == [-4, -4]
