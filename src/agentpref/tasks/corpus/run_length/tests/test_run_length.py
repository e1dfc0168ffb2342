import pytest

from run_length import decode, encode, runs


@pytest.mark.parametrize(
    "text, encoded",
    [
        ("", ""),
        ("a", "1a"),
        ("aaabcc", "3a1b2c"),
        ("abc", "1a1b1c"),
        ("aaaa", "4a"),
        ("aabbaa", "2a2b2a"),
        ("  x", "2 1x"),
        ("Aa", "1A1a"),
    ],
)
def test_encode(text, encoded):
    assert encode(text) == encoded


def test_encode_long_run_uses_several_digits():
    assert encode("z" * 12 + "y") == "12z1y"


def test_encode_rejects_digits():
    with pytest.raises(ValueError):
        encode("ab1")


@pytest.mark.parametrize(
    "data, text",
    [("", ""), ("1a", "a"), ("3a1b2c", "aaabcc"), ("10x", "x" * 10), ("2a12b1c", "aa" + "b" * 12 + "c")],
)
def test_decode(data, text):
    assert decode(data) == text


@pytest.mark.parametrize("data", ["a", "3", "2a3", "0a", "3a0b", "ab"])
def test_decode_rejects_malformed(data):
    with pytest.raises(ValueError):
        decode(data)


def test_round_trip():
    text = "wwwwaaadexxxxxxywww"
    assert decode(encode(text)) == text


def test_runs():
    assert runs("") == []
    assert runs("a") == [("a", 1)]
    assert runs("aaabccddd") == [("a", 3), ("b", 1), ("c", 2), ("d", 3)]
    assert runs("abab") == [("a", 1), ("b", 1), ("a", 1), ("b", 1)]
