"""Longest increasing subsequence: O(n log n) patience method with reconstruction, and an O(n^2)
count of how many longest subsequences there are."""

from bisect import bisect_left, bisect_right


def longest_increasing_subsequence(seq, strict=True):
    """One longest increasing subsequence of ``seq`` as a list.

    With ``strict=False`` equal neighbours are allowed (non-decreasing). Among several answers the
    one whose items end earliest in ``seq`` is returned.
    """
    items = list(seq)
    tail_values = []   # tail_values[k]: smallest possible last value of a subsequence of length k+1
    tail_index = []    # index in items of that last value
    prev = [None] * len(items)
    find = bisect_left if strict else bisect_right
    for i, x in enumerate(items):
        pos = find(tail_values, x)
        if pos == len(tail_values):
            tail_values.append(x)
            tail_index.append(i)
        else:
            tail_values[pos] = x
            tail_index[pos] = i
        prev[i] = tail_index[pos - 1] if pos > 0 else None
    result = []
    i = tail_index[-1] if tail_index else None
    while i is not None:
        result.append(items[i])
        i = prev[i]
    result.reverse()
    return result


def lis_length(seq, strict=True):
    return len(longest_increasing_subsequence(seq, strict))


def count_longest(seq):
    """Number of strictly increasing subsequences (by positions) having the maximum length."""
    items = list(seq)
    if not items:
        return 0
    length = [1] * len(items)
    count = [1] * len(items)
    for i in range(len(items)):
        for j in range(i):
            if items[j] < items[i]:
                if length[j] + 1 > length[i]:
                    length[i] = length[j] + 1
                    count[i] = count[j]
                elif length[j] + 1 == length[i]:
                    count[i] += count[j]
    best = max(length)
    return sum(c for size, c in zip(length, count) if size == best)


def is_increasing(seq, strict=True):
    return all(a < b if strict else a <= b for a, b in zip(seq, seq[1:]))
