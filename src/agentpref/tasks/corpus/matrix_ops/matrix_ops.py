"""Small dense-matrix toolkit on lists of lists (rows), with exact determinants."""

from fractions import Fraction


def shape(m):
    """``(rows, columns)`` of a non-empty rectangular matrix; ValueError otherwise."""
    if not m or not m[0]:
        raise ValueError("matrix must be non-empty")
    cols = len(m[0])
    for row in m:
        if len(row) != cols:
            raise ValueError("matrix rows must all have the same length")
    return len(m), cols


def identity(n):
    if n < 1:
        raise ValueError("size must be at least 1")
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]


def transpose(m):
    rows, cols = shape(m)
    return [[m[i][j] for i in range(rows)] for j in range(cols)]


def add(a, b):
    if shape(a) != shape(b):
        raise ValueError("matrices must have the same shape")
    return [[x + y for x, y in zip(row_a, row_b)] for row_a, row_b in zip(a, b)]


def multiply(a, b):
    n, k = shape(a)
    k2, p = shape(b)
    if k != k2:
        raise ValueError(f"cannot multiply {n}x{k} by {k2}x{p}")
    result = [[0] * p for _ in range(n)]
    for i in range(n):
        for j in range(p):
            total = 0
            for t in range(k):
                total += a[i][t] * b[t][j]
            result[i][j] = total
    return result


def power(m, exponent):
    """``m`` multiplied by itself ``exponent`` times (identity for 0), by repeated squaring."""
    n, cols = shape(m)
    if n != cols:
        raise ValueError("only square matrices have powers")
    if exponent < 0:
        raise ValueError("exponent must not be negative")
    result = identity(n)
    base = m
    while exponent > 0:
        if exponent % 2 == 1:
            result = multiply(result, base)
        base = multiply(base, base)
        exponent //= 2
    return result


def determinant(m):
    """Exact determinant by Gaussian elimination (an int for integer input, else a Fraction)."""
    n, cols = shape(m)
    if n != cols:
        raise ValueError("determinant needs a square matrix")
    work = [[Fraction(x) for x in row] for row in m]
    det = Fraction(1)
    for col in range(n):
        pivot = next((r for r in range(col, n) if work[r][col] != 0), None)
        if pivot is None:
            return 0
        if pivot != col:
            work[col], work[pivot] = work[pivot], work[col]
            det = -det
        det *= work[col][col]
        for r in range(col + 1, n):
            factor = work[r][col] / work[col][col]
            for c in range(col, n):
                work[r][c] -= factor * work[col][c]
    return det.numerator if det.denominator == 1 else det
