"""Convert integers to and from strings in any base from 2 to 36 (digits 0-9 then a-z)."""

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
MIN_BASE, MAX_BASE = 2, 36


def _check_base(base):
    if not MIN_BASE <= base <= MAX_BASE:
        raise ValueError(f"base must be between {MIN_BASE} and {MAX_BASE}, got {base}")


def to_base(n, base):
    """Return the string form of the integer ``n`` in ``base`` (lowercase digits, ``-`` for negatives)."""
    _check_base(base)
    if n == 0:
        return "0"
    sign = "-" if n < 0 else ""
    n = abs(n)
    digits = []
    while n > 0:
        n, remainder = divmod(n, base)
        digits.append(DIGITS[remainder])
    return sign + "".join(reversed(digits))


def digit_value(ch, base):
    """Return the value of the single digit ``ch`` (case-insensitive) in ``base``; ``ValueError`` if invalid."""
    value = DIGITS.find(ch.lower())
    if value < 0 or value >= base:
        raise ValueError(f"invalid digit {ch!r} for base {base}")
    return value


def from_base(text, base):
    """Parse ``text`` (optional leading ``+``/``-``, surrounding whitespace ignored) as an integer in ``base``.

    Raises ``ValueError`` for an invalid base, an empty string or an invalid digit.
    """
    _check_base(base)
    s = text.strip()
    negative = False
    if s[:1] in ("+", "-"):
        negative = s[0] == "-"
        s = s[1:]
    if not s:
        raise ValueError(f"no digits in {text!r}")
    value = 0
    for ch in s:
        value = value * base + digit_value(ch, base)
    return -value if negative else value


def convert(text, source_base, target_base):
    """Rewrite the number ``text`` from ``source_base`` into ``target_base``."""
    return to_base(from_base(text, source_base), target_base)
