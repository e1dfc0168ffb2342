"""Euclid's algorithm: gcd, lcm, Bezout coefficients and modular inverses for integers."""


def gcd(a, b):
    """Return the non-negative greatest common divisor of ``a`` and ``b`` (``gcd(0, 0) == 0``)."""
    a, b = abs(a), abs(b)
    while b:
        a, b = b, a % b
    return a


def lcm(a, b):
    """Return the non-negative least common multiple of ``a`` and ``b`` (0 if either is 0)."""
    if a == 0 or b == 0:
        return 0
    return abs(a // gcd(a, b) * b)


def extended_gcd(a, b):
    """Return ``(g, x, y)`` with ``g == gcd(a, b) >= 0`` and ``a * x + b * y == g``."""
    old_r, r = a, b
    old_x, x = 1, 0
    old_y, y = 0, 1
    while r != 0:
        q = old_r // r
        old_r, r = r, old_r - q * r
        old_x, x = x, old_x - q * x
        old_y, y = y, old_y - q * y
    if old_r < 0:
        old_r, old_x, old_y = -old_r, -old_x, -old_y
    return old_r, old_x, old_y


def mod_inverse(a, m):
    """Return the ``x`` in ``range(m)`` with ``a * x % m == 1``.

    Raises ``ValueError`` if ``m < 1`` or if ``a`` and ``m`` are not coprime.
    For ``m == 1`` the answer is 0.
    """
    if m < 1:
        raise ValueError("modulus must be positive")
    g, x, _ = extended_gcd(a, m)
    if g != 1:
        raise ValueError(f"{a} has no inverse modulo {m}")
    return x % m


def lcm_all(numbers):
    """Return the lcm of an iterable of integers (1 for an empty iterable)."""
    result = 1
    for n in numbers:
        result = lcm(result, n)
    return result
