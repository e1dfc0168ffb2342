import random

from case_convert import split_words, to_camel, to_constant, to_kebab, to_pascal, to_snake


def test_random_word_lists_round_trip():
    rng = random.Random(37)
    for _ in range(200):
        words = ["".join(rng.choice("abcxyz") for _ in range(rng.randint(2, 5))) for _ in range(rng.randint(1, 4))]
        for convert in (to_snake, to_kebab, to_constant, to_camel, to_pascal):
            assert split_words(convert("_".join(words))) == words


def test_conversions_are_idempotent():
    for name in ["parseHTTPResponse", "IOError", "user_id", "Max-Value", "getURLForID"]:
        for convert in (to_snake, to_kebab, to_constant, to_camel, to_pascal):
            assert convert(convert(name)) == convert(name)


def test_acronym_at_end_and_start():
    assert split_words("getURLForID") == ["get", "url", "for", "id"]
    assert split_words("URLs") == ["ur", "ls"]


def test_digit_then_capital():
    assert to_snake("base64Encode") == "base64_encode"
    assert to_snake("Sha256Hash") == "sha256_hash"
