import pytest

from coin_change import coins_used, count_ways, greedy_is_optimal, min_coins


@pytest.mark.parametrize(
    "coins, amount, expected",
    [
        ([1, 2, 5], 11, 3),
        ([2], 3, -1),
        ([1], 0, 0),
        ([], 0, 0),
        ([], 7, -1),
        ([1], 1, 1),
        ([1, 3, 4], 6, 2),
        ([2, 5, 10, 1], 27, 4),
        ([186, 419, 83, 408], 6249, 20),
        ([5, 7], 1, -1),
        ([3, 7], 14, 2),
    ],
)
def test_min_coins(coins, amount, expected):
    assert min_coins(coins, amount) == expected


def test_coins_used_sums_and_is_shortest():
    used = coins_used([1, 3, 4], 6)
    assert used == [3, 3]
    assert coins_used([1, 2, 5], 11) == [5, 5, 1]


def test_coins_used_impossible_and_zero():
    assert coins_used([4, 6], 7) is None
    assert coins_used([4, 6], 0) == []


def test_coins_used_single_coin_equal_to_amount():
    assert coins_used([2, 9], 9) == [9]


def test_duplicate_denominations():
    assert min_coins([2, 2, 3], 7) == 3
    assert count_ways([1, 2, 2], 4) == 3


@pytest.mark.parametrize(
    "coins, amount, expected",
    [
        ([1, 2, 5], 5, 4),
        ([2], 3, 0),
        ([10], 10, 1),
        ([1, 2, 3], 4, 4),
        ([2, 5, 3, 6], 10, 5),
        ([], 0, 1),
        ([3], 0, 1),
        ([1], 6, 1),
    ],
)
def test_count_ways(coins, amount, expected):
    assert count_ways(coins, amount) == expected


def test_invalid_inputs():
    with pytest.raises(ValueError):
        min_coins([1, 2], -1)
    with pytest.raises(ValueError):
        count_ways([0, 1], 3)
    with pytest.raises(ValueError):
        coins_used([-2, 5], 3)


def test_greedy_is_optimal():
    assert greedy_is_optimal([1, 5, 10, 25], 63)
    assert not greedy_is_optimal([1, 3, 4], 6)
    assert not greedy_is_optimal([3, 5], 7)
    assert not greedy_is_optimal([4, 5], 8)
    assert greedy_is_optimal([4, 5], 9)
    assert greedy_is_optimal([2], 0)
