import math
import random

from prime_sieve import divisor_count, factorize, is_prime, primes_up_to


def brute_is_prime(n):
    return n >= 2 and all(n % d for d in range(2, n))


def test_sieve_matches_brute_force():
    assert primes_up_to(500) == [n for n in range(501) if brute_is_prime(n)]


def test_is_prime_matches_brute_force():
    for n in range(-5, 600):
        assert is_prime(n) == brute_is_prime(n)


def test_random_factorisations_multiply_back():
    rng = random.Random(73)
    for _ in range(200):
        n = rng.randint(1, 10**6)
        factors = factorize(n)
        assert math.prod(p**e for p, e in factors) == n
        assert all(is_prime(p) for p, _ in factors)
        assert [p for p, _ in factors] == sorted({p for p, _ in factors})


def test_divisor_count_brute():
    for n in range(1, 200):
        assert divisor_count(n) == sum(1 for d in range(1, n + 1) if n % d == 0)


def test_large_prime_square():
    assert factorize(9973**2) == [(9973, 2)]
