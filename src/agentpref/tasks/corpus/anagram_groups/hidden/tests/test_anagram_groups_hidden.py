import random
from collections import Counter

from anagram_groups import are_anagrams, find_anagrams, group_anagrams, largest_group


def test_random_groups_partition_input():
    rng = random.Random(3)
    for _ in range(60):
        words = ["".join(rng.choice("abc") for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(0, 12))]
        groups = group_anagrams(words)
        assert sorted(w for g in groups for w in g) == sorted(words)
        for group in groups:
            assert len({"".join(sorted(w)) for w in group}) == 1
        assert len(groups) == len({"".join(sorted(w)) for w in words})
        for a in words:
            for b in words:
                assert are_anagrams(a, b) == (Counter(a) == Counter(b))


def test_groups_in_first_appearance_order():
    assert group_anagrams(["z", "ab", "z", "ba"]) == [["z", "z"], ["ab", "ba"]]


def test_largest_group_respects_case_flag():
    assert largest_group(["Ab", "ba", "cd", "dc"], ignore_case=False) == ["cd", "dc"]


def test_find_anagrams_ignores_spaces():
    assert find_anagrams("astronomer", ["moon starer", "astronomer"]) == ["moon starer"]


def test_input_not_modified():
    words = ["b", "a", "b"]
    group_anagrams(words)
    assert words == ["b", "a", "b"]
