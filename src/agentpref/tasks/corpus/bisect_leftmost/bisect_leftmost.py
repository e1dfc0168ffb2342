"""Binary search for insertion points in a sorted sequence, like the ``bisect`` module."""


def _check_bounds(a, lo, hi):
    if lo < 0:
        raise ValueError("lo must be non-negative")
    if hi is None:
        hi = len(a)
    if hi > len(a):
        raise ValueError("hi must not exceed len(a)")
    return hi


def bisect_leftmost(a, x, lo=0, hi=None):
    """Return the first index ``i`` in ``[lo, hi]`` such that ``a[i] >= x`` (or ``hi``).

    Inserting ``x`` there keeps ``a`` sorted and puts ``x`` before any equal items.
    """
    hi = _check_bounds(a, lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def bisect_rightmost(a, x, lo=0, hi=None):
    """Return the first index ``i`` in ``[lo, hi]`` such that ``a[i] > x`` (or ``hi``).

    Inserting ``x`` there keeps ``a`` sorted and puts ``x`` after any equal items.
    """
    hi = _check_bounds(a, lo, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def equal_range(a, x, lo=0, hi=None):
    """Return ``(start, stop)`` so that ``a[start:stop]`` are exactly the items equal to ``x``."""
    return bisect_leftmost(a, x, lo, hi), bisect_rightmost(a, x, lo, hi)


def index_of(a, x):
    """Return the index of the first occurrence of ``x`` in sorted ``a``; ``ValueError`` if absent."""
    i = bisect_leftmost(a, x)
    if i < len(a) and a[i] == x:
        return i
    raise ValueError(f"{x!r} is not in the sequence")
