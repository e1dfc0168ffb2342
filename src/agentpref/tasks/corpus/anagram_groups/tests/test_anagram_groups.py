import pytest

from anagram_groups import are_anagrams, find_anagrams, group_anagrams, largest_group


def test_group_basic():
    words = ["eat", "tea", "tan", "ate", "nat", "bat"]
    assert group_anagrams(words) == [["eat", "tea", "ate"], ["tan", "nat"], ["bat"]]


def test_group_empty():
    assert group_anagrams([]) == []


def test_group_single_word():
    assert group_anagrams(["solo"]) == [["solo"]]


def test_group_keeps_duplicates():
    assert group_anagrams(["ab", "ba", "ab"]) == [["ab", "ba", "ab"]]


def test_group_ignores_case_by_default():
    assert group_anagrams(["Listen", "silent", "enlist"]) == [["Listen", "silent", "enlist"]]


def test_group_case_sensitive():
    assert group_anagrams(["Ab", "ba", "aB"], ignore_case=False) == [["Ab"], ["ba"], ["aB"]]


def test_group_ignores_spaces():
    assert group_anagrams(["dormitory", "dirty room", "x"]) == [["dormitory", "dirty room"], ["x"]]


@pytest.mark.parametrize("min_size, expected", [(1, 3), (2, 2), (3, 1), (4, 0)])
def test_min_size(min_size, expected):
    words = ["abc", "cab", "bca", "xy", "yx", "q"]
    assert len(group_anagrams(words, min_size=min_size)) == expected


def test_different_lengths_are_not_anagrams():
    assert not are_anagrams("ab", "abb")
    assert group_anagrams(["ab", "abb", "bab"]) == [["ab"], ["abb", "bab"]]


def test_are_anagrams():
    assert are_anagrams("", "")
    assert are_anagrams("Elvis", "lives")
    assert not are_anagrams("Elvis", "lives", ignore_case=False)
    assert not are_anagrams("abc", "abd")


def test_largest_group():
    assert largest_group([]) == []
    assert largest_group(["a", "xy", "yx", "b"]) == ["xy", "yx"]
    assert largest_group(["ab", "ba", "cd", "dc"]) == ["ab", "ba"]


def test_find_anagrams():
    candidates = ["enlists", "google", "inlets", "banana", "Listen", "silent", "tinsel"]
    assert find_anagrams("listen", candidates) == ["inlets", "silent", "tinsel"]
    assert find_anagrams("listen", candidates, ignore_case=False) == ["inlets", "silent", "tinsel"]
    assert find_anagrams("Listen", ["listen", "Silent"], ignore_case=False) == []
    assert find_anagrams("abc", []) == []
