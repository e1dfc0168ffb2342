import pytest

from roman_numerals import from_roman, is_roman, to_roman

PAIRS = [
    (1, "I"), (2, "II"), (3, "III"), (4, "IV"), (5, "V"), (6, "VI"), (9, "IX"), (10, "X"), (14, "XIV"),
    (40, "XL"), (49, "XLIX"), (50, "L"), (90, "XC"), (99, "XCIX"), (100, "C"), (400, "CD"), (444, "CDXLIV"),
    (500, "D"), (900, "CM"), (1000, "M"), (1994, "MCMXCIV"), (2024, "MMXXIV"), (3888, "MMMDCCCLXXXVIII"),
    (3999, "MMMCMXCIX"),
]


@pytest.mark.parametrize(("n", "numeral"), PAIRS)
def test_to_roman(n, numeral):
    assert to_roman(n) == numeral


@pytest.mark.parametrize(("n", "numeral"), PAIRS)
def test_from_roman(n, numeral):
    assert from_roman(numeral) == n


def test_from_roman_lowercase_and_spaces():
    assert from_roman("mcmxciv") == 1994
    assert from_roman("  xiv ") == 14


@pytest.mark.parametrize("n", [0, -1, 4000])
def test_to_roman_out_of_range(n):
    with pytest.raises(ValueError):
        to_roman(n)


def test_to_roman_type_errors():
    with pytest.raises(TypeError):
        to_roman(3.0)
    with pytest.raises(TypeError):
        to_roman(True)


@pytest.mark.parametrize("text", ["", "   ", "IIII", "VV", "IC", "VX", "IIV", "XM", "MMMM", "ABC", "I I", "LL", "DM"])
def test_invalid_numerals(text):
    with pytest.raises(ValueError):
        from_roman(text)


def test_is_roman():
    assert is_roman("XLII")
    assert not is_roman("XXXX")
    assert not is_roman("")
