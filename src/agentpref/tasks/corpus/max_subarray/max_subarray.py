"""Maximum-sum contiguous subarray (Kadane's algorithm) with indices, plus the circular variant."""


def max_subarray(nums, allow_empty=False):
    """Return ``(best, start, stop)`` with ``sum(nums[start:stop]) == best`` maximal.

    The first maximum met scanning left to right is returned, as long as possible on the left.
    Without ``allow_empty`` the subarray has at least one item and empty input raises ValueError;
    with it, an all-negative (or empty) input gives ``(0, 0, 0)``.
    """
    if not nums:
        if allow_empty:
            return 0, 0, 0
        raise ValueError("max_subarray() of an empty sequence")
    best, best_start, best_stop = nums[0], 0, 1
    current, start = 0, 0
    for i, x in enumerate(nums):
        if current < 0:
            current, start = 0, i
        current += x
        if current > best:
            best, best_start, best_stop = current, start, i + 1
    if allow_empty and best < 0:
        return 0, 0, 0
    return best, best_start, best_stop


def max_subarray_sum(nums):
    return max_subarray(nums)[0]


def min_subarray_sum(nums):
    """Smallest sum of a non-empty contiguous subarray."""
    return -max_subarray([-x for x in nums])[0]


def max_circular_sum(nums):
    """Best non-empty subarray sum when the array wraps around (each item used at most once)."""
    straight = max_subarray_sum(nums)
    if straight < 0:
        return straight
    wrapped = sum(nums) - min_subarray_sum(nums)
    return max(straight, wrapped)
