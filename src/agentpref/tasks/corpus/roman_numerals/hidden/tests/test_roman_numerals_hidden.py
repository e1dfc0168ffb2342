import random

from roman_numerals import from_roman, is_roman, to_roman


def test_round_trip_all_values():
    for n in range(1, 4000):
        assert from_roman(to_roman(n)) == n


def test_canonical_strings_are_unique():
    seen = {to_roman(n) for n in range(1, 4000)}
    assert len(seen) == 3999


def test_random_strings_valid_iff_canonical():
    canonical = {to_roman(n) for n in range(1, 4000)}
    rng = random.Random(83)
    for _ in range(500):
        text = "".join(rng.choice("IVXLCDM") for _ in range(rng.randint(1, 6)))
        assert is_roman(text) == (text in canonical)


def test_mixed_case():
    assert from_roman("MmXxIv") == 2024
