import pytest

from word_break import breakable_suffixes, can_segment, count_segmentations, min_words, segmentations

WORDS = ["cat", "cats", "and", "sand", "dog"]


@pytest.mark.parametrize(
    "text, words, expected",
    [
        ("leetcode", ["leet", "code"], True),
        ("applepenapple", ["apple", "pen"], True),
        ("catsandog", WORDS, False),
        ("", ["a"], True),
        ("", [], True),
        ("a", [], False),
        ("a", ["a"], True),
        ("aaaaaaa", ["aaa", "aaaa"], True),
        ("ab", ["a"], False),
        ("abc", ["abc"], True),
    ],
)
def test_can_segment(text, words, expected):
    assert can_segment(text, words) is expected


def test_segmentations_order():
    assert segmentations("catsanddog", WORDS) == [["cat", "sand", "dog"], ["cats", "and", "dog"]]


def test_segmentations_none():
    assert segmentations("catsandog", WORDS) == []


def test_segmentations_empty_text():
    assert segmentations("", ["a"]) == [[]]


def test_segmentations_whole_text_is_one_word():
    assert segmentations("dog", WORDS) == [["dog"]]


def test_segmentations_repeated_word():
    assert segmentations("aaa", ["a", "aa"]) == [["a", "a", "a"], ["a", "aa"], ["aa", "a"]]


def test_empty_word_ignored():
    assert segmentations("ab", ["", "a", "b"]) == [["a", "b"]]
    assert not can_segment("c", ["", "a"])


def test_pineapple():
    words = ["apple", "pen", "applepen", "pine", "pineapple"]
    assert segmentations("pineapplepenapple", words) == [
        ["pine", "apple", "pen", "apple"],
        ["pine", "applepen", "apple"],
        ["pineapple", "pen", "apple"],
    ]
    assert count_segmentations("pineapplepenapple", words) == 3
    assert min_words("pineapplepenapple", words) == 3


@pytest.mark.parametrize(
    "text, words, expected",
    [("", [], 1), ("aaaa", ["a", "aa"], 5), ("catsanddog", WORDS, 2), ("xyz", ["x", "y"], 0)],
)
def test_count_segmentations(text, words, expected):
    assert count_segmentations(text, words) == expected


def test_min_words():
    assert min_words("aaaaaaa", ["a", "aaa", "aaaa"]) == 2
    assert min_words("catsandog", WORDS) == -1
    assert min_words("", ["a"]) == 0


def test_breakable_suffixes():
    assert breakable_suffixes("catsdog", WORDS) == [True, False, False, False, True, False, False, True]
