import pytest

from modular_power import fib_mod, mat_mult, mat_pow, mod_pow


@pytest.mark.parametrize(
    ("base", "exponent", "modulus", "expected"),
    [(2, 10, 1000, 24), (3, 0, 7, 1), (3, 1, 7, 3), (3, 2, 7, 2), (3, 3, 7, 6), (5, 3, 13, 8), (7, 5, 1, 0),
     (5, 0, 1, 0),
     (0, 0, 5, 1), (0, 5, 5, 0), (10, 9, 6, 4), (2, 64, 2**61 - 1, 8), (123456789, 2, 1000, 521)],
)
def test_mod_pow_values(base, exponent, modulus, expected):
    assert mod_pow(base, exponent, modulus) == expected


def test_negative_base():
    assert mod_pow(-2, 3, 5) == 2
    assert mod_pow(-1, 5, 7) == 6
    assert mod_pow(-3, 2, 10) == 9


def test_large_exponent_matches_builtin():
    assert mod_pow(7, 10**18 + 3, 10**9 + 7) == pow(7, 10**18 + 3, 10**9 + 7)
    assert mod_pow(2, 2**20 - 1, 1009) == pow(2, 2**20 - 1, 1009)


def test_errors():
    with pytest.raises(ValueError):
        mod_pow(2, -1, 5)
    with pytest.raises(ValueError):
        mod_pow(2, 3, 0)
    with pytest.raises(ValueError):
        mat_pow([[1, 1], [1, 0]], -2, 10)
    with pytest.raises(ValueError):
        fib_mod(-1, 10)


def test_mat_mult():
    assert mat_mult([[1, 2], [3, 4]], [[5, 6], [7, 8]], 100) == [[19, 22], [43, 50]]
    assert mat_mult([[1, 2], [3, 4]], [[5, 6], [7, 8]], 10) == [[9, 2], [3, 0]]


def test_mat_pow():
    assert mat_pow([[2, 0], [0, 3]], 0, 100) == [[1, 0], [0, 1]]
    assert mat_pow([[2, 0], [0, 3]], 4, 100) == [[16, 0], [0, 81]]
    assert mat_pow([[1, 1], [0, 1]], 5, 100) == [[1, 5], [0, 1]]
    assert mat_pow([[1, 1], [1, 0]], 3, 1) == [[0, 0], [0, 0]]


@pytest.mark.parametrize(("n", "expected"), [(0, 0), (1, 1), (2, 1), (3, 2), (10, 55), (20, 6765), (30, 832040)])
def test_fib_mod_small(n, expected):
    assert fib_mod(n, 10**9) == expected


def test_fib_mod_large():
    assert fib_mod(100, 1000) == 75
