import pytest

from base_convert import convert, digit_value, from_base, to_base


@pytest.mark.parametrize(
    ("n", "base", "text"),
    [(0, 2, "0"), (1, 2, "1"), (2, 2, "10"), (5, 2, "101"), (255, 16, "ff"), (256, 16, "100"), (35, 36, "z"),
     (36, 36, "10"), (8, 8, "10"), (7, 8, "7"), (100, 10, "100"), (-5, 2, "-101"), (-255, 16, "-ff"),
     (123456789, 36, "21i3v9")],
)
def test_to_base(n, base, text):
    assert to_base(n, base) == text


@pytest.mark.parametrize(
    ("text", "base", "n"),
    [("0", 2, 0), ("101", 2, 5), ("FF", 16, 255), ("ff", 16, 255), ("z", 36, 35), ("10", 36, 36), ("-101", 2, -5),
     ("+17", 8, 15), ("  42 ", 10, 42), ("0007", 10, 7), ("-0", 10, 0), ("21I3V9", 36, 123456789)],
)
def test_from_base(text, base, n):
    assert from_base(text, base) == n


@pytest.mark.parametrize("base", [0, 1, 37, -2])
def test_invalid_base(base):
    with pytest.raises(ValueError):
        to_base(10, base)
    with pytest.raises(ValueError):
        from_base("1", base)


def test_valid_extreme_bases():
    assert to_base(3, 2) == "11"
    assert from_base("11", 2) == 3
    assert from_base("zz", 36) == 36 * 36 - 1


@pytest.mark.parametrize(("text", "base"), [("2", 2), ("12", 2), ("g", 16), ("9", 8), ("", 10), ("-", 10), ("+", 16), ("1.5", 10), ("#", 36)])
def test_invalid_digits(text, base):
    with pytest.raises(ValueError):
        from_base(text, base)


def test_digit_value():
    assert digit_value("0", 2) == 0
    assert digit_value("1", 2) == 1
    assert digit_value("A", 11) == 10
    assert digit_value("z", 36) == 35
    with pytest.raises(ValueError):
        digit_value("a", 10)


def test_convert():
    assert convert("ff", 16, 2) == "11111111"
    assert convert("-777", 8, 10) == "-511"
    assert convert("0", 5, 7) == "0"
    assert convert("zz", 36, 16) == "50f"
