"""Find and group words that are anagrams of each other."""


def anagram_key(word, ignore_case=True):
    """Canonical form of ``word``: its characters without spaces, sorted (lowercased if asked)."""
    chars = word.replace(" ", "")
    if ignore_case:
        chars = chars.lower()
    return "".join(sorted(chars))


def are_anagrams(first, second, ignore_case=True):
    """True when both words use exactly the same characters, ignoring spaces."""
    return anagram_key(first, ignore_case) == anagram_key(second, ignore_case)


def group_anagrams(words, ignore_case=True, min_size=1):
    """Groups of anagrams in order of first appearance, each keeping the input order of its words.

    Duplicated words stay in their group; groups with fewer than ``min_size`` words are dropped.
    """
    groups = {}
    for word in words:
        groups.setdefault(anagram_key(word, ignore_case), []).append(word)
    return [group for group in groups.values() if len(group) >= min_size]


def largest_group(words, ignore_case=True):
    """The biggest anagram group (the earliest one on ties); ``[]`` for no words."""
    best = []
    for group in group_anagrams(words, ignore_case):
        if len(group) > len(best):
            best = group
    return best


def find_anagrams(word, candidates, ignore_case=True):
    """Candidates that are anagrams of ``word`` but not the word itself."""
    key = anagram_key(word, ignore_case)
    found = []
    for candidate in candidates:
        same_word = candidate.lower() == word.lower() if ignore_case else candidate == word
        if not same_word and anagram_key(candidate, ignore_case) == key:
            found.append(candidate)
    return found
