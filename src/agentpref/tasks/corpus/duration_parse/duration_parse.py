"""Convert between compact duration strings such as ``"1h30m15s"`` and whole seconds."""

UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
ORDER = "wdhms"


def parse_duration(text):
    """Seconds in ``text`` like ``"2d4h"``, ``"90s"`` or ``"-1h30m"``.

    Each unit (w, d, h, m, s) may appear at most once, largest first; surrounding whitespace
    and one leading minus sign are allowed. Anything else raises ValueError.
    """
    text = text.strip()
    sign = 1
    if text.startswith("-"):
        sign = -1
        text = text[1:]
    total = 0
    number = ""
    last_rank = -1
    for ch in text:
        if "0" <= ch <= "9":
            number += ch
        elif ch in UNITS:
            if not number:
                raise ValueError(f"missing number before unit {ch!r}")
            rank = ORDER.index(ch)
            if rank <= last_rank:
                raise ValueError(f"unit {ch!r} repeated or out of order")
            total += int(number) * UNITS[ch]
            number = ""
            last_rank = rank
        else:
            raise ValueError(f"unexpected character {ch!r}")
    if number:
        raise ValueError("number without a unit at the end")
    if last_rank < 0:
        raise ValueError("empty duration")
    return sign * total


def format_duration(seconds):
    """Inverse of :func:`parse_duration`: the shortest form, e.g. 5415 -> ``"1h30m15s"``.

    Zero is ``"0s"`` and negative durations get a leading minus sign.
    """
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise TypeError("seconds must be an int")
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    remaining = abs(seconds)
    parts = []
    for unit in ORDER:
        count, remaining = divmod(remaining, UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)
