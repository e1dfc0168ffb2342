import random

from modular_power import fib_mod, mod_pow


def test_random_against_builtin_pow():
    rng = random.Random(79)
    for _ in range(300):
        base = rng.randint(-10**6, 10**6)
        exponent = rng.randint(0, 10**6)
        modulus = rng.randint(1, 10**6)
        assert mod_pow(base, exponent, modulus) == pow(base, exponent, modulus)


def test_fib_against_iteration():
    a, b = 0, 1
    for n in range(200):
        assert fib_mod(n, 1_000_003) == a % 1_000_003
        a, b = b, a + b


def test_modulus_one():
    assert mod_pow(5, 0, 1) == 0
    assert fib_mod(7, 1) == 0


def test_pisano_period_mod_10():
    assert [fib_mod(n, 10) for n in range(60, 65)] == [fib_mod(n, 10) for n in range(5)]
