"""Operations on lists of half-open intervals ``(start, end)`` with ``start < end``.

Intervals that overlap or touch (one ends where the next starts) are merged into one.
"""


def _check(interval):
    start, end = interval
    if start >= end:
        raise ValueError(f"invalid interval {interval!r}: start must be below end")
    return start, end


def merge(intervals):
    """Sorted list of disjoint intervals covering the same points as ``intervals``."""
    ordered = sorted(_check(interval) for interval in intervals)
    merged = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def insert(intervals, new):
    """Insert ``new`` into the sorted, disjoint ``intervals``; returns a new merged list."""
    start, end = _check(new)
    result = []
    i = 0
    n = len(intervals)
    while i < n and intervals[i][1] < start:
        result.append(intervals[i])
        i += 1
    while i < n and intervals[i][0] <= end:
        start = min(start, intervals[i][0])
        end = max(end, intervals[i][1])
        i += 1
    result.append((start, end))
    result.extend(intervals[i:])
    return result


def remove(intervals, cut):
    """Remove the points of ``cut`` from the sorted, disjoint ``intervals``."""
    cut_start, cut_end = _check(cut)
    result = []
    for start, end in intervals:
        if end <= cut_start or start >= cut_end:
            result.append((start, end))
            continue
        if start < cut_start:
            result.append((start, cut_start))
        if end > cut_end:
            result.append((cut_end, end))
    return result


def intersection(a, b):
    """Points covered by both lists of intervals, as a sorted disjoint list."""
    a, b = merge(a), merge(b)
    result = []
    i = j = 0
    while i < len(a) and j < len(b):
        low = max(a[i][0], b[j][0])
        high = min(a[i][1], b[j][1])
        if low < high:
            result.append((low, high))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return result


def total_length(intervals):
    """Length of the union of ``intervals``."""
    return sum(end - start for start, end in merge(intervals))
