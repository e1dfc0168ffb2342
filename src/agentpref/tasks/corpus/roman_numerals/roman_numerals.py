"""Conversion between integers and canonical Roman numerals (1 to 3999)."""

NUMERALS = [
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"),
    (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
    (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
]
VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
MAX_VALUE = 3999


def to_roman(n):
    """Return the canonical Roman numeral for ``1 <= n <= 3999``.

    Raises ``TypeError`` for non-integers (including bools) and ``ValueError`` when out of range.
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"expected an int, got {n!r}")
    if not 1 <= n <= MAX_VALUE:
        raise ValueError(f"{n} cannot be written as a Roman numeral")
    parts = []
    for value, symbol in NUMERALS:
        count, n = divmod(n, value)
        parts.append(symbol * count)
    return "".join(parts)


def _parse(text):
    """Value of a numeral with subtractive pairs, without checking that it is canonical."""
    total = 0
    for i, ch in enumerate(text):
        value = VALUES[ch]
        if i + 1 < len(text) and value < VALUES[text[i + 1]]:
            total -= value
        else:
            total += value
    return total


def from_roman(text):
    """Return the integer value of a canonical Roman numeral (case-insensitive).

    Raises ``ValueError`` for empty strings, unknown letters and non-canonical
    forms such as ``"IIII"``, ``"VX"`` or ``"IC"``.
    """
    numeral = text.strip().upper()
    if not numeral or any(ch not in VALUES for ch in numeral):
        raise ValueError(f"invalid Roman numeral: {text!r}")
    value = _parse(numeral)
    if not 1 <= value <= MAX_VALUE or to_roman(value) != numeral:
        raise ValueError(f"non-canonical Roman numeral: {text!r}")
    return value


def is_roman(text):
    """Return True if ``text`` is a canonical Roman numeral."""
    try:
        from_roman(text)
    except ValueError:
        return False
    return True
