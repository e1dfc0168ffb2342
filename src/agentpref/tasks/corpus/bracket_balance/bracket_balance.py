"""Check that (), [] and {} are balanced and report where the first problem is.

Brackets inside single- or double-quoted strings are ignored; a backslash inside a string
escapes the next character.
"""

PAIRS = {")": "(", "]": "[", "}": "{"}
OPENERS = set(PAIRS.values())


def first_error(text):
    """Index of the first bracket problem in ``text``, or None when everything is balanced.

    A closing bracket with nothing to close, or that does not match the innermost open bracket,
    is the error. If the text ends with brackets still open, the earliest unclosed opener is the
    error; an unterminated string is reported at its opening quote.
    """
    stack = []
    quote = None
    quote_start = -1
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote, quote_start = ch, i
        elif ch in OPENERS:
            stack.append((ch, i))
        elif ch in PAIRS:
            if not stack or stack[-1][0] != PAIRS[ch]:
                return i
            stack.pop()
        i += 1
    if stack:
        return stack[0][1]
    if quote:
        return quote_start
    return None


def is_balanced(text):
    """True when :func:`first_error` finds nothing."""
    return first_error(text) is None


def max_depth(text):
    """Deepest bracket nesting in balanced ``text``; unbalanced text raises ValueError."""
    error = first_error(text)
    if error is not None:
        raise ValueError(f"unbalanced brackets at position {error}")
    depth = deepest = 0
    quote = None
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif ch in PAIRS:
            depth -= 1
    return deepest
