"""Exact integer square roots and k-th roots using Newton's method (no floating point)."""


def _check(n):
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"expected an int, got {n!r}")
    if n < 0:
        raise ValueError("root of a negative number")


def isqrt(n):
    """Return the largest integer ``r`` with ``r * r <= n`` for an int ``n >= 0``.

    Raises ``ValueError`` for negative ``n`` and ``TypeError`` for non-integers.
    """
    _check(n)
    if n < 2:
        return n
    # Start above the root; Newton's iteration then decreases monotonically to it.
    x = 1 << ((n.bit_length() + 1) // 2)
    while True:
        y = (x + n // x) // 2
        if y >= x:
            return x
        x = y


def is_perfect_square(n):
    """Return True if ``n`` is the square of an integer (negative numbers never are)."""
    if n < 0:
        return False
    r = isqrt(n)
    return r * r == n


def iroot(n, k):
    """Return the largest integer ``r`` with ``r ** k <= n`` for ``n >= 0`` and ``k >= 1``."""
    _check(n)
    if k < 1:
        raise ValueError("k must be at least 1")
    if n < 2 or k == 1:
        return n
    x = 1 << ((n.bit_length() + k - 1) // k)
    while True:
        y = ((k - 1) * x + n // x ** (k - 1)) // k
        if y >= x:
            return x
        x = y


def sqrt_ceil(n):
    """Return the smallest integer ``r`` with ``r * r >= n`` for an int ``n >= 0``."""
    r = isqrt(n)
    return r if r * r == n else r + 1
