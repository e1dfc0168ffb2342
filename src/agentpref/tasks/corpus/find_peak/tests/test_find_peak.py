import pytest

from find_peak import all_peaks, find_peak, find_peak_2d, is_peak, is_peak_2d


@pytest.mark.parametrize(
    ("nums", "expected"),
    [
        ([5], 0),
        ([1, 2], 1),
        ([2, 1], 0),
        ([1, 3, 2], 1),
        ([1, 2, 3, 4, 5], 4),
        ([5, 4, 3, 2, 1], 0),
        ([1, 2, 3, 4, 5, 6, 7, 3], 6),
        ([-10, -5, -1, -7], 2),
        ([0, 1, 2, 9, 3, 2, 1, 0, -1], 3),
    ],
)
def test_unique_peak(nums, expected):
    assert find_peak(nums) == expected


@pytest.mark.parametrize(
    "nums",
    [[1, 3, 1, 3, 1], [2, 2, 2], [1, 5, 5, 1], [4, 1, 4], [1, 2, 1, 3, 5, 6, 4], [3, 3, 1, 1, 2]],
)
def test_result_is_a_peak(nums):
    assert is_peak(nums, find_peak(nums))


def test_empty_raises():
    with pytest.raises(ValueError):
        find_peak([])


def test_is_peak():
    nums = [1, 3, 2, 2, 4]
    assert [is_peak(nums, i) for i in range(len(nums))] == [False, True, False, False, True]
    assert is_peak([7], 0)
    assert is_peak([2, 2], 0)


def test_all_peaks():
    assert all_peaks([1, 3, 2, 2, 4]) == [1, 4]
    assert all_peaks([5, 1, 5]) == [0, 2]
    assert all_peaks([]) == []
    assert all_peaks([3, 3]) == [0, 1]


def test_peak_2d_unique():
    grid = [
        [1, 2, 3],
        [4, 9, 5],
        [6, 7, 8],
    ]
    assert find_peak_2d(grid) == (1, 1)


def test_peak_2d_corner_and_edge():
    assert find_peak_2d([[1, 2], [3, 4]]) == (1, 1)
    assert find_peak_2d([[10, 2, 1]]) == (0, 0)
    assert find_peak_2d([[1], [5], [3]]) == (1, 0)
    assert find_peak_2d([[1, 2, 3, 20]]) == (0, 3)


def test_peak_2d_result_is_peak():
    grid = [
        [10, 8, 10, 10],
        [14, 13, 12, 11],
        [15, 9, 11, 21],
        [16, 17, 19, 20],
    ]
    row, col = find_peak_2d(grid)
    assert is_peak_2d(grid, row, col)


def test_peak_2d_empty_raises():
    with pytest.raises(ValueError):
        find_peak_2d([])
    with pytest.raises(ValueError):
        find_peak_2d([[]])


def test_is_peak_2d():
    grid = [[1, 4], [3, 2]]
    assert is_peak_2d(grid, 0, 1)
    assert is_peak_2d(grid, 1, 0)
    assert not is_peak_2d(grid, 0, 0)
    assert not is_peak_2d(grid, 1, 1)
