"""Least-significant-digit radix sort for integers in any base >= 2."""


def digit(n, place, base):
    """Return the digit of the non-negative ``n`` at position ``place`` (0 = least significant)."""
    return (n // base**place) % base


def counting_pass(nums, place, base):
    """Return ``nums`` stably ordered by their digit at ``place``."""
    buckets = [[] for _ in range(base)]
    for n in nums:
        buckets[digit(n, place, base)].append(n)
    ordered = []
    for bucket in buckets:
        ordered.extend(bucket)
    return ordered


def num_digits(n, base):
    """Number of base-``base`` digits of the non-negative ``n`` (0 has one digit)."""
    count = 1
    while n >= base:
        n //= base
        count += 1
    return count


def _sort_non_negative(nums, base):
    if not nums:
        return []
    passes = num_digits(max(nums), base)
    for place in range(passes):
        nums = counting_pass(nums, place, base)
    return nums


def radix_sort(nums, base=10):
    """Return a new ascending list of the integers in ``nums``.

    Negative numbers are sorted by magnitude separately and placed first.
    Raises ``ValueError`` if ``base < 2`` and ``TypeError`` for non-integers.
    """
    if base < 2:
        raise ValueError("base must be at least 2")
    data = list(nums)
    for n in data:
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"radix_sort only sorts integers, got {n!r}")
    negatives = [-n for n in data if n < 0]
    non_negatives = [n for n in data if n >= 0]
    low = [-n for n in reversed(_sort_non_negative(negatives, base))]
    return low + _sort_non_negative(non_negatives, base)
