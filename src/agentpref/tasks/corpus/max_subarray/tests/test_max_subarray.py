import pytest

from max_subarray import max_circular_sum, max_subarray, max_subarray_sum, min_subarray_sum


def test_classic_example():
    nums = [-2, 1, -3, 4, -1, 2, 1, -5, 4]
    assert max_subarray(nums) == (6, 3, 7)


def test_single_element():
    assert max_subarray([5]) == (5, 0, 1)
    assert max_subarray([-5]) == (-5, 0, 1)


def test_all_negative_picks_largest():
    assert max_subarray([-3, -1, -2]) == (-1, 1, 2)
    assert max_subarray([-8, -3, -6, -2, -5, -4]) == (-2, 3, 4)


def test_all_positive_takes_everything():
    assert max_subarray([1, 2, 3]) == (6, 0, 3)


def test_best_at_the_end():
    assert max_subarray([-1, -2, 3, 4]) == (7, 2, 4)


def test_best_is_first_element():
    assert max_subarray([9, -10, 1, 2]) == (9, 0, 1)


def test_first_maximum_wins():
    assert max_subarray([3, -5, 3]) == (3, 0, 1)


def test_zero_prefix_kept():
    assert max_subarray([0, 0, 2]) == (2, 0, 3)
    assert max_subarray([1, -1, 2]) == (2, 0, 3)


def test_restart_after_negative_run():
    assert max_subarray([2, -3, 1, 1]) == (2, 0, 1)
    assert max_subarray([2, -3, 2, 1]) == (3, 2, 4)


def test_slice_matches_sum():
    nums = [4, -1, 2, 1, -7, 5, -2, 6]
    best, start, stop = max_subarray(nums)
    assert best == 9
    assert sum(nums[start:stop]) == best
    assert (start, stop) == (5, 8)


def test_empty_raises():
    with pytest.raises(ValueError):
        max_subarray([])


def test_allow_empty():
    assert max_subarray([], allow_empty=True) == (0, 0, 0)
    assert max_subarray([-1, -2], allow_empty=True) == (0, 0, 0)
    assert max_subarray([-1, 2], allow_empty=True) == (2, 1, 2)


def test_floats():
    assert max_subarray([0.5, -0.25, 1.0]) == (1.25, 0, 3)


def test_min_subarray_sum():
    assert min_subarray_sum([3, -4, 2, -3, -1, 7, -5]) == -6
    assert min_subarray_sum([2, 3]) == 2


@pytest.mark.parametrize(
    "nums, expected",
    [
        ([1, -2, 3, -2], 3),
        ([5, -3, 5], 10),
        ([-3, -2, -3], -2),
        ([3, -1, 2, -1], 4),
        ([8, -1, -3, 8], 16),
        ([7], 7),
    ],
)
def test_max_circular_sum(nums, expected):
    assert max_circular_sum(nums) == expected


def test_max_subarray_sum():
    assert max_subarray_sum([-2, 1, -3, 4, -1, 2, 1, -5, 4]) == 6
