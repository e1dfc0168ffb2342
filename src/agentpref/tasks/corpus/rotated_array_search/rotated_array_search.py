"""Binary search in a sorted array of distinct values that was rotated at an unknown pivot."""


def find_rotation(nums):
    """Return the index of the smallest element of a rotated sorted list (0 if not rotated).

    Raises ``ValueError`` for an empty list.
    """
    if not nums:
        raise ValueError("empty sequence has no rotation point")
    lo, hi = 0, len(nums) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if nums[mid] > nums[hi]:
            # The drop from large to small lies to the right of mid.
            lo = mid + 1
        else:
            hi = mid
    return lo


def _binary_search(nums, target, lo, hi):
    """Index of ``target`` in the sorted slice ``nums[lo:hi + 1]``, or -1."""
    while lo <= hi:
        mid = (lo + hi) // 2
        if nums[mid] == target:
            return mid
        if nums[mid] < target:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


def rotated_search(nums, target):
    """Return the index of ``target`` in the rotated sorted list ``nums``, or -1 if absent."""
    if not nums:
        return -1
    pivot = find_rotation(nums)
    last = len(nums) - 1
    if pivot > 0 and nums[0] <= target:
        return _binary_search(nums, target, 0, pivot - 1)
    return _binary_search(nums, target, pivot, last)


def rotate(nums, k):
    """Return a copy of ``nums`` rotated left by ``k`` positions (any integer ``k``)."""
    if not nums:
        return []
    k %= len(nums)
    return nums[k:] + nums[:k]
