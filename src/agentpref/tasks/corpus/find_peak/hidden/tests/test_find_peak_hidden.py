import random

from find_peak import all_peaks, find_peak, find_peak_2d, is_peak, is_peak_2d


def test_random_lists():
    rng = random.Random(41)
    for _ in range(200):
        nums = [rng.randint(-5, 5) for _ in range(rng.randint(1, 20))]
        assert find_peak(nums) in all_peaks(nums)


def test_random_grids_distinct_values():
    rng = random.Random(43)
    for _ in range(100):
        rows, cols = rng.randint(1, 6), rng.randint(1, 6)
        values = rng.sample(range(-100, 100), rows * cols)
        grid = [values[r * cols:(r + 1) * cols] for r in range(rows)]
        row, col = find_peak_2d(grid)
        assert is_peak_2d(grid, row, col)


def test_plateau_then_rise():
    nums = [1, 1, 1, 1, 2]
    assert is_peak(nums, find_peak(nums))


def test_all_peaks_matches_is_peak():
    nums = [0, 2, 2, 1, 3, 0]
    assert all_peaks(nums) == [1, 2, 4]
