import math
import random

from integer_sqrt import iroot, isqrt, sqrt_ceil


def test_range_against_math_isqrt():
    for n in range(3000):
        assert isqrt(n) == math.isqrt(n)


def test_random_big_against_math_isqrt():
    rng = random.Random(59)
    for _ in range(200):
        n = rng.getrandbits(rng.randint(1, 300))
        assert isqrt(n) == math.isqrt(n)


def test_random_iroot_definition():
    rng = random.Random(61)
    for _ in range(200):
        n = rng.getrandbits(rng.randint(1, 120))
        k = rng.randint(1, 9)
        r = iroot(n, k)
        assert r**k <= n < (r + 1) ** k


def test_sqrt_ceil_big():
    assert sqrt_ceil(10**20) == 10**10
    assert sqrt_ceil(10**20 + 1) == 10**10 + 1
