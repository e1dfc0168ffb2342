import random

from kmp_search import count, find_all, prefix_function


def brute_find_all(text, pattern):
    return [i for i in range(len(text) - len(pattern) + 1) if text[i:i + len(pattern)] == pattern]


def brute_prefix(pattern):
    result = []
    for i in range(len(pattern)):
        sub = pattern[: i + 1]
        result.append(max(k for k in range(len(sub)) if sub[:k] == sub[len(sub) - k:]))
    return result


def test_random_against_brute_force():
    rng = random.Random(21)
    for _ in range(200):
        text = "".join(rng.choice("ab") for _ in range(rng.randint(0, 25)))
        pattern = "".join(rng.choice("ab") for _ in range(rng.randint(1, 4)))
        assert find_all(text, pattern) == brute_find_all(text, pattern)
        assert prefix_function(pattern) == brute_prefix(pattern)


def test_non_overlapping_matches_str_count():
    rng = random.Random(8)
    for _ in range(100):
        text = "".join(rng.choice("ab") for _ in range(rng.randint(0, 20)))
        pattern = "".join(rng.choice("ab") for _ in range(rng.randint(1, 3)))
        assert count(text, pattern, overlapping=False) == text.count(pattern)


def test_pattern_equals_text():
    assert find_all("abc", "abc") == [0]


def test_match_at_end():
    assert find_all("xxxab", "ab") == [3]
