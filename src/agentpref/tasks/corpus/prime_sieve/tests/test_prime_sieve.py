import pytest

from prime_sieve import divisor_count, factorize, is_prime, primes_up_to


@pytest.mark.parametrize(
    ("n", "primes"),
    [(-5, []), (0, []), (1, []), (2, [2]), (3, [2, 3]), (4, [2, 3]), (10, [2, 3, 5, 7]),
     (25, [2, 3, 5, 7, 11, 13, 17, 19, 23]), (29, [2, 3, 5, 7, 11, 13, 17, 19, 23, 29])],
)
def test_primes_up_to(n, primes):
    assert primes_up_to(n) == primes


def test_prime_count_below_1000():
    assert len(primes_up_to(1000)) == 168
    assert primes_up_to(1000)[-1] == 997


def test_squares_of_primes_excluded():
    primes = primes_up_to(130)
    for p in (2, 3, 5, 7, 11):
        assert p * p not in primes


def test_is_prime():
    assert [n for n in range(-3, 30) if is_prime(n)] == [2, 3, 5, 7, 11, 13, 17, 19, 23, 29]
    assert not is_prime(49)
    assert not is_prime(121)
    assert is_prime(7919)


@pytest.mark.parametrize(
    ("n", "factors"),
    [(1, []), (2, [(2, 1)]), (4, [(2, 2)]), (12, [(2, 2), (3, 1)]), (13, [(13, 1)]), (49, [(7, 2)]),
     (360, [(2, 3), (3, 2), (5, 1)]), (1001, [(7, 1), (11, 1), (13, 1)]), (2 * 97, [(2, 1), (97, 1)]),
     (1024, [(2, 10)]), (9991, [(97, 1), (103, 1)])],
)
def test_factorize(n, factors):
    assert factorize(n) == factors


def test_factorize_rejects_non_positive():
    with pytest.raises(ValueError):
        factorize(0)
    with pytest.raises(ValueError):
        factorize(-12)


def test_divisor_count():
    assert divisor_count(1) == 1
    assert divisor_count(12) == 6
    assert divisor_count(36) == 9
    assert divisor_count(97) == 2
