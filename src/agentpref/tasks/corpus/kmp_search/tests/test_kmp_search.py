import pytest

from kmp_search import count, find_all, find_first, prefix_function, shortest_period


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("", []),
        ("a", [0]),
        ("aa", [0, 1]),
        ("ab", [0, 0]),
        ("aaaa", [0, 1, 2, 3]),
        ("abab", [0, 0, 1, 2]),
        ("abcabd", [0, 0, 0, 1, 2, 0]),
        ("aabaaab", [0, 1, 0, 1, 2, 2, 3]),
        ("abacaba", [0, 0, 1, 0, 1, 2, 3]),
    ],
)
def test_prefix_function(pattern, expected):
    assert prefix_function(pattern) == expected


@pytest.mark.parametrize(
    "text, pattern, expected",
    [
        ("", "a", []),
        ("a", "a", [0]),
        ("abc", "abcd", []),
        ("hello world", "o", [4, 7]),
        ("abcabcabc", "abc", [0, 3, 6]),
        ("aaaa", "aa", [0, 1, 2]),
        ("abababa", "aba", [0, 2, 4]),
        ("aabaaabaaab", "aab", [0, 4, 8]),
        ("xyz", "q", []),
        ("abcxabcdabxabcdabcdabcy", "abcdabcy", [15]),
    ],
)
def test_find_all(text, pattern, expected):
    assert find_all(text, pattern) == expected


def test_find_all_non_overlapping():
    assert find_all("aaaa", "aa", overlapping=False) == [0, 2]
    assert find_all("aaaaa", "aa", overlapping=False) == [0, 2]
    assert find_all("abababa", "aba", overlapping=False) == [0, 4]


def test_empty_pattern_rejected():
    with pytest.raises(ValueError):
        find_all("abc", "")


def test_find_first():
    assert find_first("abcabc", "ca") == 2
    assert find_first("abc", "d") == -1
    assert find_first("needle", "needle") == 0


def test_count():
    assert count("aaaa", "a") == 4
    assert count("aaaa", "aa") == 3
    assert count("aaaa", "aa", overlapping=False) == 2
    assert count("abc", "z") == 0


@pytest.mark.parametrize("text, period", [("", 0), ("a", 1), ("abab", 2), ("abcab", 3), ("abc", 3), ("aaaa", 1)])
def test_shortest_period(text, period):
    assert shortest_period(text) == period
