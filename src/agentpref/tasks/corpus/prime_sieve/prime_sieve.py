"""Sieve of Eratosthenes, primality testing and prime factorisation."""

from math import isqrt


def primes_up_to(n):
    """Return the list of all primes ``p`` with ``p <= n`` (empty for ``n < 2``)."""
    if n < 2:
        return []
    is_composite = [False] * (n + 1)
    primes = []
    for p in range(2, n + 1):
        if is_composite[p]:
            continue
        primes.append(p)
        # Smaller multiples were already crossed out by smaller primes.
        for multiple in range(p * p, n + 1, p):
            is_composite[multiple] = True
    return primes


def is_prime(n):
    """Return True if the integer ``n`` is prime (trial division by 2 and odd numbers)."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    for d in range(3, isqrt(n) + 1, 2):
        if n % d == 0:
            return False
    return True


def factorize(n):
    """Return the prime factorisation of ``n >= 1`` as a list of ``(prime, exponent)`` pairs.

    Pairs are in increasing order of prime; ``factorize(1) == []``. Raises
    ``ValueError`` for ``n < 1``.
    """
    if n < 1:
        raise ValueError("factorize needs a positive integer")
    factors = []
    for p in primes_up_to(isqrt(n)):
        if p * p > n:
            break
        exponent = 0
        while n % p == 0:
            n //= p
            exponent += 1
        if exponent:
            factors.append((p, exponent))
    if n > 1:
        factors.append((n, 1))
    return factors


def divisor_count(n):
    """Return the number of positive divisors of ``n >= 1``."""
    count = 1
    for _, exponent in factorize(n):
        count *= exponent + 1
    return count
