import pytest

from quickselect import median, partition3, quickselect

DATA = [7, 2, 9, 4, 4, 1, 8, -3]


@pytest.mark.parametrize("k", range(1, len(DATA) + 1))
def test_every_rank(k):
    assert quickselect(DATA, k) == sorted(DATA)[k - 1]


def test_single_element():
    assert quickselect([42], 1) == 42


def test_all_equal():
    assert quickselect([5, 5, 5, 5], 3) == 5


def test_sorted_and_reversed_inputs():
    assert quickselect(list(range(10)), 1) == 0
    assert quickselect(list(range(10)), 10) == 9
    assert quickselect(list(range(10, 0, -1)), 4) == 4


def test_duplicates_counted_separately():
    assert quickselect([3, 1, 3, 2, 3], 2) == 2
    assert quickselect([3, 1, 3, 2, 3], 3) == 3
    assert quickselect([1, 1, 2], 3) == 2


@pytest.mark.parametrize("k", [0, -1, 9])
def test_k_out_of_range(k):
    with pytest.raises(ValueError):
        quickselect(DATA, k)


def test_empty_raises():
    with pytest.raises(ValueError):
        quickselect([], 1)


def test_does_not_modify_input():
    data = list(DATA)
    quickselect(data, 3)
    assert data == DATA


def test_partition3():
    assert partition3([5, 1, 5, 7, 3, 5], 5) == ([1, 3], [5, 5, 5], [7])
    assert partition3([], 0) == ([], [], [])


def test_median_odd_and_even():
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5
    assert median([10]) == 10
    assert median([-5, -1]) == -3
    assert median([1, 1, 1, 9]) == 1


def test_median_empty_raises():
    with pytest.raises(ValueError):
        median([])
