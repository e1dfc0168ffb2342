"""Glob-style wildcard matching by dynamic programming.

``*`` matches any run of characters (possibly empty), ``?`` exactly one character, and a
backslash makes the next pattern character literal.
"""

STAR, ANY, LITERAL = "star", "any", "literal"


def compile_pattern(pattern):
    """Pattern as a list of (kind, char) tokens; consecutive stars collapse into one."""
    tokens = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 == len(pattern):
                raise ValueError("pattern ends with a lone backslash")
            tokens.append((LITERAL, pattern[i + 1]))
            i += 2
            continue
        if ch == "*":
            if not tokens or tokens[-1][0] != STAR:
                tokens.append((STAR, ""))
        elif ch == "?":
            tokens.append((ANY, ""))
        else:
            tokens.append((LITERAL, ch))
        i += 1
    return tokens


def wildcard_match(text, pattern, ignore_case=False):
    """True when ``pattern`` matches the whole of ``text``."""
    if ignore_case:
        text, pattern = text.lower(), pattern.lower()
    tokens = compile_pattern(pattern)
    m = len(tokens)
    # prev[j]: tokens[:j] match the text consumed so far (one row of the DP table).
    prev = [False] * (m + 1)
    prev[0] = True
    for j in range(1, m + 1):
        prev[j] = prev[j - 1] and tokens[j - 1][0] == STAR
    for ch in text:
        cur = [False] * (m + 1)
        for j in range(1, m + 1):
            kind, literal = tokens[j - 1]
            if kind == STAR:
                cur[j] = cur[j - 1] or prev[j]
            elif kind == ANY or literal == ch:
                cur[j] = prev[j - 1]
        prev = cur
    return prev[m]


def filter_names(names, pattern, ignore_case=False):
    """The names that match ``pattern``, in their original order."""
    return [name for name in names if wildcard_match(name, pattern, ignore_case)]
