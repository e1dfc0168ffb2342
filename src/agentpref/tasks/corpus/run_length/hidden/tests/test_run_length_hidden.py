import itertools
import random

import pytest

from run_length import decode, encode, runs


def reference_encode(text):
    return "".join(f"{len(list(group))}{ch}" for ch, group in itertools.groupby(text))


def test_random_strings_match_reference():
    rng = random.Random(11)
    for _ in range(100):
        text = "".join(rng.choice("ab c") for _ in range(rng.randint(0, 30)))
        assert encode(text) == reference_encode(text)
        assert decode(encode(text)) == text
        assert runs(text) == [(ch, len(list(g))) for ch, g in itertools.groupby(text)]


def test_run_of_exactly_ten_and_hundred():
    assert encode("q" * 10) == "10q"
    assert decode("100q") == "q" * 100


def test_special_characters():
    assert encode("\n\n\t") == "2\n1\t"
    assert decode("2\n1\t") == "\n\n\t"


def test_leading_zero_count_is_accepted():
    assert decode("03a") == "aaa"


@pytest.mark.parametrize("data", ["00a", "1a2"])
def test_more_malformed(data):
    with pytest.raises(ValueError):
        decode(data)
