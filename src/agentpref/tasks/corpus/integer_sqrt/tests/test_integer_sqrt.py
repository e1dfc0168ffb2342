import pytest

from integer_sqrt import iroot, is_perfect_square, isqrt, sqrt_ceil


@pytest.mark.parametrize(
    ("n", "root"),
    [(0, 0), (1, 1), (2, 1), (3, 1), (4, 2), (5, 2), (8, 2), (9, 3), (15, 3), (16, 4), (17, 4),
     (24, 4), (25, 5), (99, 9), (100, 10), (101, 10), (1_000_000, 1000), (999_999, 999)],
)
def test_small_values(n, root):
    assert isqrt(n) == root


def test_huge_values():
    big = 10**40 + 12345
    assert isqrt(big) == 10**20
    assert isqrt((2**70 - 1) ** 2) == 2**70 - 1
    assert isqrt((2**70) ** 2 - 1) == 2**70 - 1


def test_negative_raises():
    with pytest.raises(ValueError):
        isqrt(-1)


def test_non_integer_raises():
    with pytest.raises(TypeError):
        isqrt(4.0)
    with pytest.raises(TypeError):
        isqrt(True)


def test_is_perfect_square():
    assert [n for n in range(-4, 50) if is_perfect_square(n)] == [0, 1, 4, 9, 16, 25, 36, 49]


@pytest.mark.parametrize(
    ("n", "k", "root"),
    [(0, 3, 0), (1, 5, 1), (7, 3, 1), (8, 3, 2), (26, 3, 2), (27, 3, 3), (28, 3, 3), (80, 4, 2),
     (81, 4, 3), (1023, 10, 1), (1024, 10, 2), (17, 1, 17), (10**30, 3, 10**10), (10**30 - 1, 3, 10**10 - 1)],
)
def test_iroot(n, k, root):
    assert iroot(n, k) == root


def test_iroot_errors():
    with pytest.raises(ValueError):
        iroot(8, 0)
    with pytest.raises(ValueError):
        iroot(-8, 3)


def test_sqrt_ceil():
    assert [sqrt_ceil(n) for n in range(11)] == [0, 1, 2, 2, 2, 3, 3, 3, 3, 3, 4]
