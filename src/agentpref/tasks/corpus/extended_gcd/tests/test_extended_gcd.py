import pytest

from extended_gcd import extended_gcd, gcd, lcm, lcm_all, mod_inverse


@pytest.mark.parametrize(
    ("a", "b", "g"),
    [(12, 18, 6), (18, 12, 6), (7, 13, 1), (0, 5, 5), (5, 0, 5), (0, 0, 0), (-12, 18, 6), (12, -18, 6),
     (-4, -6, 2), (1, 1, 1), (270, 192, 6)],
)
def test_gcd(a, b, g):
    assert gcd(a, b) == g


@pytest.mark.parametrize(
    ("a", "b", "m"),
    [(4, 6, 12), (6, 4, 12), (7, 3, 21), (0, 9, 0), (9, 0, 0), (-4, 6, 12), (4, -6, 12), (5, 5, 5), (1, 8, 8)],
)
def test_lcm(a, b, m):
    assert lcm(a, b) == m


@pytest.mark.parametrize(
    ("a", "b"),
    [(240, 46), (46, 240), (17, 5), (5, 17), (0, 7), (7, 0), (-30, 12), (30, -12), (-8, -20), (1, 1), (99, 78)],
)
def test_extended_gcd_bezout(a, b):
    g, x, y = extended_gcd(a, b)
    assert g == gcd(a, b)
    assert a * x + b * y == g


def test_extended_gcd_known_coefficients():
    assert extended_gcd(240, 46) == (2, -9, 47)
    assert extended_gcd(0, 0) == (0, 1, 0)


@pytest.mark.parametrize(("a", "m", "inv"), [(3, 11, 4), (10, 17, 12), (1, 2, 1), (-3, 11, 7), (14, 11, 4), (5, 1, 0)])
def test_mod_inverse(a, m, inv):
    assert mod_inverse(a, m) == inv


def test_mod_inverse_errors():
    with pytest.raises(ValueError):
        mod_inverse(6, 9)
    with pytest.raises(ValueError):
        mod_inverse(0, 7)
    with pytest.raises(ValueError):
        mod_inverse(3, 0)


def test_lcm_all():
    assert lcm_all([]) == 1
    assert lcm_all([2, 3, 4]) == 12
    assert lcm_all(range(1, 11)) == 2520
    assert lcm_all([5, 0, 3]) == 0
