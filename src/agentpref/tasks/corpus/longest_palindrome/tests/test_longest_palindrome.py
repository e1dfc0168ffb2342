import pytest

from longest_palindrome import count_palindromes, is_palindrome, longest_palindrome


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ""),
        ("a", "a"),
        ("ab", "a"),
        ("aa", "aa"),
        ("babad", "bab"),
        ("cbbd", "bb"),
        ("racecar", "racecar"),
        ("xabbay", "abba"),
        ("forgeeksskeegfor", "geeksskeeg"),
        ("abcdcbz", "bcdcb"),
        ("aaaa", "aaaa"),
        ("abcba1", "abcba"),
    ],
)
def test_longest(text, expected):
    assert longest_palindrome(text) == expected


def test_leftmost_wins_ties():
    assert longest_palindrome("abacdc") == "aba"
    assert longest_palindrome("xyz") == "x"


def test_palindrome_at_end():
    assert longest_palindrome("qwertabba") == "abba"
    assert longest_palindrome("qwertaba") == "aba"


@pytest.mark.parametrize(
    "text, expected",
    [("", 0), ("a", 1), ("ab", 2), ("aa", 3), ("abc", 3), ("aaa", 6), ("abba", 6), ("aba", 4)],
)
def test_count(text, expected):
    assert count_palindromes(text) == expected


def test_is_palindrome():
    assert is_palindrome("")
    assert is_palindrome("a")
    assert is_palindrome("abba")
    assert is_palindrome("aba")
    assert not is_palindrome("ab")
    assert not is_palindrome("abca")
    assert not is_palindrome("Abba")
    assert is_palindrome("Abba", ignore_case=True)
