"""Quickselect: the k-th smallest element in expected linear time, plus a median helper."""


def partition3(items, pivot):
    """Split ``items`` into the lists of elements less than, equal to and greater than ``pivot``."""
    less, equal, greater = [], [], []
    for x in items:
        if x < pivot:
            less.append(x)
        elif x > pivot:
            greater.append(x)
        else:
            equal.append(x)
    return less, equal, greater


def _median_of_three(items):
    a, b, c = items[0], items[len(items) // 2], items[-1]
    if a <= b <= c or c <= b <= a:
        return b
    if b <= a <= c or c <= a <= b:
        return a
    return c


def quickselect(items, k):
    """Return the ``k``-th smallest element of ``items`` (``k = 1`` is the minimum).

    Duplicates count separately, so ``quickselect(items, k) == sorted(items)[k - 1]``.
    Raises ``ValueError`` unless ``1 <= k <= len(items)``. The input is not modified.
    """
    data = list(items)
    if not 1 <= k <= len(data):
        raise ValueError(f"k={k} out of range for {len(data)} items")
    index = k - 1
    while True:
        pivot = _median_of_three(data)
        less, equal, greater = partition3(data, pivot)
        if index < len(less):
            data = less
        elif index < len(less) + len(equal):
            return pivot
        else:
            index -= len(less) + len(equal)
            data = greater


def median(items):
    """Return the median of a non-empty collection of numbers.

    For an even count this is the mean of the two middle values. ``ValueError`` if empty.
    """
    data = list(items)
    n = len(data)
    if n == 0:
        raise ValueError("median of empty data")
    if n % 2 == 1:
        return quickselect(data, n // 2 + 1)
    return (quickselect(data, n // 2) + quickselect(data, n // 2 + 1)) / 2
