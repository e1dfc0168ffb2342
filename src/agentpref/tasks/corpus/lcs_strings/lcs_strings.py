"""Longest common subsequence of two sequences by dynamic programming.

Works on any sequences; when both inputs are strings the subsequence is returned as a string.
"""


def lcs_table(a, b):
    """``table[i][j]`` is the LCS length of ``a[:i]`` and ``b[:j]``."""
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table


def lcs_length(a, b):
    """Length of a longest common subsequence, using two rows of memory."""
    previous = [0] * (len(b) + 1)
    for i in range(len(a)):
        current = [0] * (len(b) + 1)
        for j in range(len(b)):
            if a[i] == b[j]:
                current[j + 1] = previous[j] + 1
            else:
                current[j + 1] = max(previous[j + 1], current[j])
        previous = current
    return previous[-1]


def lcs(a, b):
    """One longest common subsequence (a string if both inputs are strings, else a list)."""
    table = lcs_table(a, b)
    i, j = len(a), len(b)
    picked = []
    while i > 0 and j > 0:
        if a[i - 1] == b[j - 1]:
            picked.append(a[i - 1])
            i -= 1
            j -= 1
        elif table[i - 1][j] >= table[i][j - 1]:
            i -= 1
        else:
            j -= 1
    picked.reverse()
    if isinstance(a, str) and isinstance(b, str):
        return "".join(picked)
    return picked


def is_subsequence(small, big):
    """True when ``small`` can be obtained from ``big`` by deleting items."""
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def similarity(a, b):
    """``2 * LCS / (len(a) + len(b))``, 1.0 for two empty sequences."""
    total = len(a) + len(b)
    if total == 0:
        return 1.0
    return 2 * lcs_length(a, b) / total
