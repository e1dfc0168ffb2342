"""Vigenère cipher over the ASCII alphabet that preserves case and skips non-letters."""


def _shifts(key):
    """Shift amounts (0-25) for each letter of ``key``; the key must be non-empty ASCII letters."""
    lowered = key.lower()
    if not lowered or any(not "a" <= ch <= "z" for ch in lowered):
        raise ValueError("key must be a non-empty string of ASCII letters")
    return [ord(ch) - ord("a") for ch in lowered]


def _transform(text, key, direction):
    shifts = _shifts(key)
    out = []
    index = 0
    for ch in text:
        if "a" <= ch <= "z":
            base = ord("a")
        elif "A" <= ch <= "Z":
            base = ord("A")
        else:
            out.append(ch)
            continue
        shift = shifts[index % len(shifts)] * direction
        out.append(chr((ord(ch) - base + shift) % 26 + base))
        index += 1
    return "".join(out)


def encrypt(text, key):
    """Shift each letter of ``text`` forward by the next key letter (a=0 ... z=25).

    Case is preserved; characters that are not ASCII letters pass through unchanged and do not
    consume a key letter.
    """
    return _transform(text, key, 1)


def decrypt(text, key):
    """Invert :func:`encrypt` for the same key."""
    return _transform(text, key, -1)


def guess_key_length(ciphertext, max_length=10, threshold=0.06):
    """Estimate the key length from the index of coincidence of the ciphertext's columns.

    Returns the smallest length in 1..max_length whose columns average at least ``threshold``
    (English text scores about 0.066, random letters about 0.038), else the best-scoring length.
    """
    letters = [ch.lower() for ch in ciphertext if ch.isascii() and ch.isalpha()]
    best_length, best_score = 1, -1.0
    for length in range(1, max_length + 1):
        scores = []
        for start in range(length):
            column = letters[start::length]
            if len(column) < 2:
                continue
            pairs = sum(column.count(ch) * (column.count(ch) - 1) for ch in set(column))
            scores.append(pairs / (len(column) * (len(column) - 1)))
        if not scores:
            continue
        score = sum(scores) / len(scores)
        if score >= threshold:
            return length
        if score > best_score:
            best_length, best_score = length, score
    return best_length
