import random
from urllib.parse import parse_qs, quote_plus, unquote_plus

from query_string import build_query, parse_query, percent_decode, percent_encode


def test_random_strings_match_urllib():
    rng = random.Random(19)
    alphabet = "ab %+&=/é€~"
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert percent_encode(text) == quote_plus(text, safe="")
        assert percent_decode(percent_encode(text)) == text
        assert percent_decode(quote_plus(text)) == unquote_plus(quote_plus(text))


def test_random_queries_match_parse_qs():
    rng = random.Random(29)
    for _ in range(100):
        params = {}
        for _ in range(rng.randint(0, 5)):
            key = rng.choice(["a", "b", "c d", "é"])
            params.setdefault(key, []).append("".join(rng.choice("xy z&=") for _ in range(rng.randint(1, 4))))
        query = build_query(params)
        assert parse_query(query) == params
        assert parse_query(query) == parse_qs(query, keep_blank_values=True)


def test_tuple_values():
    assert build_query({"k": ("1", "2")}) == "k=1&k=2"


def test_escape_at_very_end():
    assert percent_decode("ab%41") == "abA"
