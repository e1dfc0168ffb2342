"""Word break: split a text into dictionary words.

Words may be reused; the empty string is never a word. Segmentations are lists of words and are
listed with shorter first words first (then recursively the same for the rest).
"""


def _dictionary(words):
    vocab = {w for w in words if w}
    return vocab, max((len(w) for w in vocab), default=0)


def breakable_suffixes(text, words):
    """``ok[i]`` is True when ``text[i:]`` can be split into words (``ok[len(text)]`` is True)."""
    vocab, longest = _dictionary(words)
    n = len(text)
    ok = [False] * (n + 1)
    ok[n] = True
    for i in range(n - 1, -1, -1):
        for end in range(i + 1, min(n, i + longest) + 1):
            if ok[end] and text[i:end] in vocab:
                ok[i] = True
                break
    return ok


def can_segment(text, words):
    return breakable_suffixes(text, words)[0]


def segmentations(text, words):
    """All ways to split ``text`` into words."""
    vocab, longest = _dictionary(words)
    ok = breakable_suffixes(text, words)
    memo = {}

    def split_from(i):
        if i == len(text):
            return [[]]
        if i in memo:
            return memo[i]
        result = []
        for end in range(i + 1, min(len(text), i + longest) + 1):
            word = text[i:end]
            if ok[end] and word in vocab:
                for rest in split_from(end):
                    result.append([word] + rest)
        memo[i] = result
        return result

    return split_from(0) if ok[0] else []


def count_segmentations(text, words):
    """Number of ways to split ``text`` (1 for the empty text), without listing them."""
    vocab, longest = _dictionary(words)
    n = len(text)
    ways = [0] * (n + 1)
    ways[0] = 1
    for end in range(1, n + 1):
        for start in range(max(0, end - longest), end):
            if ways[start] and text[start:end] in vocab:
                ways[end] += ways[start]
    return ways[n]


def min_words(text, words):
    """Fewest words in a segmentation, or -1 when the text cannot be split."""
    options = segmentations(text, words)
    return min((len(s) for s in options), default=-1)
