import pytest

from knapsack_01 import fits, knapsack, max_value


def check(weights, values, capacity, expected):
    best, chosen = knapsack(weights, values, capacity)
    assert best == expected
    assert fits(weights, chosen, capacity)
    assert sum(values[i] for i in chosen) == expected
    assert chosen == sorted(chosen)
    assert max_value(weights, values, capacity) == expected


def test_no_items():
    assert knapsack([], [], 10) == (0, [])
    assert max_value([], [], 10) == 0


def test_zero_capacity():
    assert knapsack([1, 2], [5, 6], 0) == (0, [])


def test_classic_example():
    check([1, 3, 4, 5], [1, 4, 5, 7], 7, 9)
    assert knapsack([1, 3, 4, 5], [1, 4, 5, 7], 7)[1] == [1, 2]


def test_textbook_example():
    assert knapsack([10, 20, 30], [60, 100, 120], 50) == (220, [1, 2])


def test_item_exactly_fills_capacity():
    assert knapsack([5], [10], 5) == (10, [0])
    assert max_value([5], [10], 5) == 10


def test_item_too_heavy():
    assert knapsack([6], [10], 5) == (0, [])


def test_each_item_used_once():
    assert max_value([2], [3], 10) == 3
    assert knapsack([2], [3], 10) == (3, [0])


def test_first_item_chosen():
    assert knapsack([3, 4], [10, 1], 5) == (10, [0])


def test_many_small_beat_one_large():
    check([5, 2, 2, 2], [10, 4, 4, 4], 6, 12)
    assert knapsack([5, 2, 2, 2], [10, 4, 4, 4], 6)[1] == [1, 2, 3]


def test_zero_weight_items_always_taken():
    assert knapsack([0, 3, 0], [2, 5, 1], 2) == (3, [0, 2])


def test_float_values():
    check([1, 2, 3], [0.5, 1.25, 1.5], 3, 1.75)


def test_mismatched_lengths():
    with pytest.raises(ValueError):
        knapsack([1, 2], [1], 5)


def test_negative_capacity():
    with pytest.raises(ValueError):
        max_value([1], [1], -1)


def test_negative_weight():
    with pytest.raises(ValueError):
        knapsack([-1], [1], 5)


def test_fits():
    assert fits([2, 3, 4], [0, 1], 5)
    assert not fits([2, 3, 4], [1, 2], 5)
    assert not fits([2, 3, 4], [0, 0], 5)
