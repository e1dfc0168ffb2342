import pytest

from duration_parse import format_duration, parse_duration


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("0s", 0),
        ("1s", 1),
        ("59s", 59),
        ("1m", 60),
        ("1h30m15s", 5415),
        ("1h30m", 5400),
        ("2d4h", 187200),
        ("1w", 604800),
        ("1w1d1h1m1s", 694861),
        ("90m", 5400),
        ("100s", 100),
        (" 5m ", 300),
        ("-1h30m", -5400),
        ("-0s", 0),
        ("007s", 7),
        ("1h0m5s", 3605),
    ],
)
def test_parse(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    ["", " ", "-", "5", "1h30", "h", "1x", "1.5h", "1m1m", "1s1m", "30m1h", "1 h", "--1s", "1h-30m", "1H", "１s"],
)
def test_parse_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0s"),
        (1, "1s"),
        (59, "59s"),
        (60, "1m"),
        (61, "1m1s"),
        (3600, "1h"),
        (3599, "59m59s"),
        (5415, "1h30m15s"),
        (86400, "1d"),
        (694861, "1w1d1h1m1s"),
        (1209600, "2w"),
        (-5400, "-1h30m"),
        (-1, "-1s"),
        (3605, "1h5s"),
    ],
)
def test_format(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize("value", [1.5, "10", True, None])
def test_format_rejects_non_int(value):
    with pytest.raises(TypeError):
        format_duration(value)


def test_round_trip():
    for seconds in [0, 1, 61, 3661, 90061, 700000, -700000]:
        assert parse_duration(format_duration(seconds)) == seconds
