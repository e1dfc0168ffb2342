import fnmatch
import random

from wildcard_match import wildcard_match


def test_random_against_fnmatch():
    rng = random.Random(59)
    for _ in range(400):
        text = "".join(rng.choice("ab") for _ in range(rng.randint(0, 8)))
        pattern = "".join(rng.choice("ab*?") for _ in range(rng.randint(0, 6)))
        assert wildcard_match(text, pattern) == fnmatch.fnmatchcase(text, pattern), (text, pattern)


def test_long_star_pattern_is_fast():
    text = "a" * 200
    assert not wildcard_match(text, "*a*a*a*a*a*b")
    assert wildcard_match(text, "*a*a*a*a*a*")


def test_escaped_literal_backslash_then_star():
    assert wildcard_match("\\xyz", "\\\\*")


def test_star_matches_across_dots():
    assert wildcard_match("a.b.c", "a*c")
