import random

import pytest

from duration_parse import format_duration, parse_duration


def test_random_round_trip():
    rng = random.Random(47)
    for _ in range(300):
        seconds = rng.randint(-3_000_000, 3_000_000)
        assert parse_duration(format_duration(seconds)) == seconds


def test_random_unit_combinations():
    rng = random.Random(53)
    units = [("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)]
    for _ in range(200):
        chosen = [u for u in units if rng.random() < 0.5] or [units[-1]]
        counts = [rng.randint(0, 120) for _ in chosen]
        text = "".join(f"{c}{u}" for c, (u, _) in zip(counts, chosen))
        assert parse_duration(text) == sum(c * v for c, (_, v) in zip(counts, chosen))


def test_format_has_no_zero_parts():
    assert format_duration(604801) == "1w1s"


@pytest.mark.parametrize("text", ["1d1d", "1w\t1d", "1d+1h"])
def test_more_rejected(text):
    with pytest.raises(ValueError):
        parse_duration(text)


def test_trailing_whitespace_is_fine():
    assert parse_duration("1s \n") == 1
