from fractions import Fraction

import pytest

from matrix_ops import add, determinant, identity, multiply, power, shape, transpose


@pytest.mark.parametrize("m, expected", [([[1]], (1, 1)), ([[1, 2, 3]], (1, 3)), ([[1], [2]], (2, 1))])
def test_shape(m, expected):
    assert shape(m) == expected


@pytest.mark.parametrize("m", [[], [[]], [[1, 2], [3]], [[1], [2, 3]]])
def test_shape_errors(m):
    with pytest.raises(ValueError):
        shape(m)


def test_identity():
    assert identity(1) == [[1]]
    assert identity(3) == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    with pytest.raises(ValueError):
        identity(0)


def test_transpose():
    assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]
    assert transpose([[7]]) == [[7]]
    assert transpose([[1], [2]]) == [[1, 2]]


def test_add():
    assert add([[1, 2], [3, 4]], [[10, 20], [30, -4]]) == [[11, 22], [33, 0]]
    with pytest.raises(ValueError):
        add([[1, 2]], [[1], [2]])


def test_multiply_square():
    assert multiply([[1, 2], [3, 4]], [[5, 6], [7, 8]]) == [[19, 22], [43, 50]]


def test_multiply_rectangular():
    a = [[1, 2, 3], [4, 5, 6]]
    b = [[7, 8], [9, 10], [11, 12]]
    assert multiply(a, b) == [[58, 64], [139, 154]]
    assert multiply(b, a) == [[39, 54, 69], [49, 68, 87], [59, 82, 105]]
    assert multiply([[1, 2, 3]], [[1], [-1], [2]]) == [[5]]


def test_multiply_shape_mismatch():
    with pytest.raises(ValueError):
        multiply([[1, 2]], [[1, 2]])
    with pytest.raises(ValueError):
        multiply([[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4]])


def test_multiply_by_identity():
    m = [[2, -1, 0], [4, 3, 5]]
    assert multiply(m, identity(3)) == m
    assert multiply(identity(2), m) == m


def test_power():
    fib = [[1, 1], [1, 0]]
    assert power(fib, 0) == identity(2)
    assert power(fib, 1) == fib
    assert power(fib, 10) == [[89, 55], [55, 34]]
    assert power([[2]], 5) == [[32]]
    with pytest.raises(ValueError):
        power(fib, -1)
    with pytest.raises(ValueError):
        power([[1, 2]], 2)
    with pytest.raises(ValueError):
        power([[1, 2]], 0)


@pytest.mark.parametrize(
    "m, det",
    [
        ([[5]], 5),
        ([[1, 2], [3, 4]], -2),
        ([[0, 1], [1, 0]], -1),
        ([[2, 0, 0], [0, 3, 0], [0, 0, 4]], 24),
        ([[0, 2, 1], [1, 0, 0], [0, 0, 3]], -6),
        ([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 0),
        ([[0, 0], [0, 0]], 0),
        ([[2, -3, 1], [2, 0, -1], [1, 4, 5]], 49),
    ],
)
def test_determinant(m, det):
    assert determinant(m) == det


def test_determinant_fraction_and_errors():
    assert determinant([[Fraction(1, 2), 0], [0, 1]]) == Fraction(1, 2)
    assert determinant(identity(4)) == 1
    assert type(determinant([[1, 2], [3, 4]])) is int
    assert type(determinant([[2, 1], [1, 1]])) is int
    with pytest.raises(ValueError):
        determinant([[1, 2, 3], [4, 5, 6]])


def test_inputs_not_modified():
    m = [[0, 1], [1, 0]]
    determinant(m)
    transpose(m)
    assert m == [[0, 1], [1, 0]]
