"""Fast modular exponentiation of integers and 2x2 matrices (square-and-multiply)."""


def mod_pow(base, exponent, modulus):
    """Return ``base ** exponent % modulus`` for ``exponent >= 0`` and ``modulus >= 1``.

    The result is always in ``range(modulus)``, also for a negative ``base``.
    Raises ``ValueError`` for a negative exponent or a modulus below 1.
    """
    if exponent < 0:
        raise ValueError("exponent must be non-negative")
    if modulus < 1:
        raise ValueError("modulus must be at least 1")
    result = 1 % modulus
    base %= modulus
    while exponent > 0:
        if exponent & 1:
            result = result * base % modulus
        base = base * base % modulus
        exponent >>= 1
    return result


def mat_mult(a, b, modulus):
    """Multiply two 2x2 matrices (nested lists) modulo ``modulus``."""
    return [
        [(a[i][0] * b[0][j] + a[i][1] * b[1][j]) % modulus for j in range(2)]
        for i in range(2)
    ]


def mat_pow(matrix, exponent, modulus):
    """Return ``matrix ** exponent`` modulo ``modulus`` for a 2x2 matrix and ``exponent >= 0``."""
    if exponent < 0:
        raise ValueError("exponent must be non-negative")
    result = [[1 % modulus, 0], [0, 1 % modulus]]
    square = [[x % modulus for x in row] for row in matrix]
    while exponent:
        if exponent & 1:
            result = mat_mult(result, square, modulus)
        square = mat_mult(square, square, modulus)
        exponent >>= 1
    return result


def fib_mod(n, modulus):
    """Return the ``n``-th Fibonacci number (``F(0) = 0, F(1) = 1``) modulo ``modulus``."""
    if n < 0:
        raise ValueError("n must be non-negative")
    return mat_pow([[1, 1], [1, 0]], n, modulus)[0][1]
