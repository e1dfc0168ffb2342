import math
import random

from extended_gcd import extended_gcd, gcd, lcm, mod_inverse


def test_random_against_math():
    rng = random.Random(67)
    for _ in range(300):
        a, b = rng.randint(-500, 500), rng.randint(-500, 500)
        assert gcd(a, b) == math.gcd(a, b)
        assert lcm(a, b) == math.lcm(a, b)
        g, x, y = extended_gcd(a, b)
        assert g == math.gcd(a, b) and a * x + b * y == g


def test_random_inverses_against_pow():
    rng = random.Random(71)
    for _ in range(200):
        m = rng.randint(2, 200)
        a = rng.randint(-300, 300)
        if math.gcd(a, m) == 1:
            assert mod_inverse(a, m) == pow(a, -1, m)


def test_big_numbers():
    a, b = 2**89 - 1, 2**61 - 1
    g, x, y = extended_gcd(a, b)
    assert g == 1 and a * x + b * y == 1


def test_inverse_in_range():
    assert 0 <= mod_inverse(-1, 5) < 5
