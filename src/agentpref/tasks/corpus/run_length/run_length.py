"""Run-length encoding of text: ``"aaabcc"`` <-> ``"3a1b2c"``."""


def encode(text):
    """Encode ``text`` as count/character pairs; counts may have several digits.

    Digits cannot be encoded unambiguously, so text containing digits raises ValueError.
    """
    if any(ch.isdigit() for ch in text):
        raise ValueError("cannot encode text that contains digits")
    if not text:
        return ""
    parts = []
    current = text[0]
    count = 1
    for ch in text[1:]:
        if ch == current:
            count += 1
        else:
            parts.append(f"{count}{current}")
            current = ch
            count = 1
    parts.append(f"{count}{current}")
    return "".join(parts)


def decode(data):
    """Decode the output of :func:`encode`; malformed input raises ValueError."""
    result = []
    digits = ""
    for ch in data:
        if ch.isdigit():
            digits += ch
            continue
        if not digits:
            raise ValueError(f"missing count before {ch!r}")
        count = int(digits)
        if count == 0:
            raise ValueError("counts must be positive")
        result.append(ch * count)
        digits = ""
    if digits:
        raise ValueError("count at the end of the input has no character")
    return "".join(result)


def runs(text):
    """List of (character, run length) pairs of ``text``, in order."""
    pairs = []
    for ch in text:
        if pairs and pairs[-1][0] == ch:
            pairs[-1] = (ch, pairs[-1][1] + 1)
        else:
            pairs.append((ch, 1))
    return pairs
