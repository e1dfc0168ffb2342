"""Stable counting sort for items with small integer keys (negative keys allowed)."""


def key_range(keys):
    """Return ``(lowest, highest)`` of a non-empty list of integer keys."""
    lowest = highest = keys[0]
    for k in keys[1:]:
        if k < lowest:
            lowest = k
        elif k > highest:
            highest = k
    return lowest, highest


def counting_sort(items, key=None):
    """Return a new list with ``items`` sorted stably by the integer ``key(item)``.

    ``key`` defaults to the identity. Keys may be negative. Raises ``TypeError``
    when a key is not an ``int`` (``bool`` counts as a non-integer key here).
    """
    data = list(items)
    if not data:
        return []
    keyfunc = key if key is not None else (lambda x: x)
    keys = [keyfunc(item) for item in data]
    for k in keys:
        if not isinstance(k, int) or isinstance(k, bool):
            raise TypeError(f"counting_sort needs integer keys, got {k!r}")
    lowest, highest = key_range(keys)
    counts = [0] * (highest - lowest + 1)
    for k in keys:
        counts[k - lowest] += 1
    # Turn counts into starting positions (exclusive prefix sums).
    total = 0
    for slot in range(len(counts)):
        counts[slot], total = total, total + counts[slot]
    result = [None] * len(data)
    for item, k in zip(data, keys):
        result[counts[k - lowest]] = item
        counts[k - lowest] += 1
    return result
