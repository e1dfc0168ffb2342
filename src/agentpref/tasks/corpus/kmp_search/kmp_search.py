"""Knuth-Morris-Pratt substring search built on the prefix function."""


def prefix_function(pattern):
    """pi[i] = length of the longest proper prefix of pattern[:i + 1] that is also its suffix."""
    pi = [0] * len(pattern)
    k = 0
    for i in range(1, len(pattern)):
        while k > 0 and pattern[i] != pattern[k]:
            k = pi[k - 1]
        if pattern[i] == pattern[k]:
            k += 1
        pi[i] = k
    return pi


def find_all(text, pattern, overlapping=True):
    """Start indices of all occurrences of ``pattern`` in ``text``, in increasing order.

    With ``overlapping=False`` a match may not start inside the previous match.
    An empty pattern raises ValueError.
    """
    if not pattern:
        raise ValueError("pattern must not be empty")
    pi = prefix_function(pattern)
    matches = []
    k = 0
    for i, ch in enumerate(text):
        while k > 0 and ch != pattern[k]:
            k = pi[k - 1]
        if ch == pattern[k]:
            k += 1
        if k == len(pattern):
            matches.append(i - k + 1)
            k = pi[k - 1] if overlapping else 0
    return matches


def find_first(text, pattern):
    """Index of the first occurrence of ``pattern`` in ``text``, or -1."""
    matches = find_all(text, pattern)
    return matches[0] if matches else -1


def count(text, pattern, overlapping=True):
    """Number of occurrences of ``pattern`` in ``text``."""
    return len(find_all(text, pattern, overlapping))


def shortest_period(text):
    """Length of the shortest string whose repetition (possibly cut short) gives ``text``."""
    if not text:
        return 0
    return len(text) - prefix_function(text)[-1]
