import random

from base_convert import convert, from_base, to_base


def test_round_trip_random():
    rng = random.Random(89)
    for _ in range(300):
        n = rng.randint(-10**12, 10**12)
        base = rng.randint(2, 36)
        assert from_base(to_base(n, base), base) == n


def test_matches_builtin_int():
    rng = random.Random(97)
    for _ in range(200):
        n = rng.randint(-10**9, 10**9)
        base = rng.randint(2, 36)
        assert int(to_base(n, base), base) == n


def test_known_builtin_formats():
    for n in range(-300, 300):
        assert to_base(n, 2) == format(n, "b")
        assert to_base(n, 8) == format(n, "o")
        assert to_base(n, 16) == format(n, "x")


def test_convert_round_trip():
    assert convert(convert("-123abc", 16, 3), 3, 16) == "-123abc"
