import pytest

from query_string import build_query, parse_query, percent_decode, percent_encode


@pytest.mark.parametrize(
    "text, decoded",
    [
        ("", ""),
        ("abc", "abc"),
        ("a+b", "a b"),
        ("a%20b", "a b"),
        ("100%25", "100%"),
        ("%2b%2B", "++"),
        ("%C3%A9t%C3%A9", "été"),
        ("%E2%82%AC5", "€5"),
        ("x%3Dy%26z", "x=y&z"),
        ("ü", "ü"),
    ],
)
def test_percent_decode(text, decoded):
    assert percent_decode(text) == decoded


@pytest.mark.parametrize("text", ["%", "%4", "abc%", "%zz", "%4g", "%C3"])
def test_percent_decode_rejects_malformed(text):
    with pytest.raises(ValueError):
        percent_decode(text)


@pytest.mark.parametrize(
    "text, encoded",
    [
        ("", ""),
        ("abc-._~XYZ09", "abc-._~XYZ09"),
        ("a b", "a+b"),
        ("a+b", "a%2Bb"),
        ("x=y&z", "x%3Dy%26z"),
        ("été", "%C3%A9t%C3%A9"),
        ("/?#", "%2F%3F%23"),
        (42, "42"),
    ],
)
def test_percent_encode(text, encoded):
    assert percent_encode(text) == encoded


def test_parse_basic():
    assert parse_query("a=1&b=2") == {"a": ["1"], "b": ["2"]}


def test_parse_empty():
    assert parse_query("") == {}
    assert parse_query("?") == {}
    assert parse_query("&&") == {}


def test_parse_leading_question_mark_and_empty_pairs():
    assert parse_query("?a=1&&b=") == {"a": ["1"], "b": [""]}


def test_parse_repeated_keys():
    assert parse_query("tag=a&x=1&tag=b&tag=a") == {"tag": ["a", "b", "a"], "x": ["1"]}


def test_parse_key_without_value():
    assert parse_query("flag&x=1") == {"flag": [""], "x": ["1"]}


def test_parse_decodes_keys_and_values():
    assert parse_query("first+name=J%C3%BCrgen&q=a%3Db") == {"first name": ["Jürgen"], "q": ["a=b"]}


def test_parse_value_with_equals_sign():
    assert parse_query("expr=a=b") == {"expr": ["a=b"]}


def test_build():
    assert build_query({}) == ""
    assert build_query({"a": 1, "b": "x y"}) == "a=1&b=x+y"
    assert build_query({"tag": ["a", "b"], "n": None}) == "tag=a&tag=b"
    assert build_query({"empty": [], "k": ""}) == "k="
    assert build_query({"a&b": "c=d"}) == "a%26b=c%3Dd"


def test_round_trip():
    params = {"q": ["süß & sauer", "50%"], "page": ["2"], "": ["blank key"]}
    assert parse_query(build_query(params)) == params
