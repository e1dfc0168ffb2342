"""Find peaks (elements not smaller than their neighbours) in lists and grids by binary search."""


def is_peak(nums, i):
    """Return True if ``nums[i]`` is ``>=`` each of its existing neighbours."""
    if i > 0 and nums[i - 1] > nums[i]:
        return False
    if i < len(nums) - 1 and nums[i + 1] > nums[i]:
        return False
    return True


def find_peak(nums):
    """Return the index of some peak of ``nums`` in O(log n); ``ValueError`` if empty.

    When the values climb towards the right the search moves right, so it always
    ends on a peak.
    """
    if not nums:
        raise ValueError("empty sequence has no peak")
    lo, hi = 0, len(nums) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if nums[mid] < nums[mid + 1]:
            lo = mid + 1
        else:
            hi = mid
    return lo


def all_peaks(nums):
    """Return the indices of every peak of ``nums`` in increasing order."""
    return [i for i in range(len(nums)) if is_peak(nums, i)]


def _column_max_row(grid, col):
    best = 0
    for row in range(1, len(grid)):
        if grid[row][col] > grid[best][col]:
            best = row
    return best


def is_peak_2d(grid, row, col):
    """Return True if ``grid[row][col]`` is ``>=`` its up to four orthogonal neighbours."""
    value = grid[row][col]
    for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        r, c = row + dr, col + dc
        if 0 <= r < len(grid) and 0 <= c < len(grid[0]) and grid[r][c] > value:
            return False
    return True


def find_peak_2d(grid):
    """Return ``(row, col)`` of a peak in a non-empty rectangular grid of distinct values.

    Binary search over columns, using each probed column's maximum. ``ValueError`` if empty.
    """
    if not grid or not grid[0]:
        raise ValueError("empty grid has no peak")
    lo, hi = 0, len(grid[0]) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        row = _column_max_row(grid, mid)
        if grid[row][mid] < grid[row][mid + 1]:
            lo = mid + 1
        else:
            hi = mid
    return _column_max_row(grid, lo), lo
