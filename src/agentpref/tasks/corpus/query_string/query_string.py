"""Parse and build URL query strings (application/x-www-form-urlencoded)."""

UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
HEX_DIGITS = set("0123456789abcdefABCDEF")


def percent_decode(text):
    """Decode ``+`` as a space and ``%XX`` as a byte; the bytes are read as UTF-8.

    A malformed escape or invalid UTF-8 raises ValueError.
    """
    data = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "+":
            data.append(0x20)
            i += 1
        elif ch == "%":
            digits = text[i + 1:i + 3]
            if len(digits) != 2 or not set(digits) <= HEX_DIGITS:
                raise ValueError(f"malformed percent escape at position {i}")
            data.append(int(digits, 16))
            i += 3
        else:
            data.extend(ch.encode("utf-8"))
            i += 1
    return data.decode("utf-8")


def percent_encode(text):
    """Encode ``text`` for a query: unreserved characters stay, spaces become ``+``,
    everything else becomes upper-case ``%XX`` escapes of its UTF-8 bytes."""
    out = []
    for byte in str(text).encode("utf-8"):
        ch = chr(byte)
        if ch in UNRESERVED:
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def parse_query(query):
    """Parse ``query`` into ``{key: [values]}``, keys in order of first appearance.

    A leading ``?`` is ignored, empty pairs are skipped, a key without ``=`` gets the value
    ``""`` and repeated keys collect all their values in order.
    """
    if query.startswith("?"):
        query = query[1:]
    result = {}
    for pair in query.split("&"):
        if not pair:
            continue
        key, _, value = pair.partition("=")
        result.setdefault(percent_decode(key), []).append(percent_decode(value))
    return result


def build_query(params):
    """Inverse of :func:`parse_query`: ``params`` maps keys to a value or a list of values.

    ``None`` values are skipped; a key whose list is empty is left out.
    """
    parts = []
    for key, values in params.items():
        if not isinstance(values, (list, tuple)):
            values = [values]
        for value in values:
            if value is None:
                continue
            parts.append(f"{percent_encode(key)}={percent_encode(value)}")
    return "&".join(parts)
