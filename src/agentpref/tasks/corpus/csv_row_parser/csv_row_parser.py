"""Parse and format single CSV rows: quoted fields, doubled quotes, custom delimiter."""


def _check_dialect(delimiter, quote):
    if len(delimiter) != 1 or len(quote) != 1 or delimiter == quote:
        raise ValueError("delimiter and quote must be two different single characters")


def parse_row(line, delimiter=",", quote='"'):
    """Split one CSV line into its fields.

    A field may be wrapped in quotes, which protects delimiters inside it; a doubled quote inside
    a quoted field stands for one quote character. A quote inside an unquoted field, text after
    a closing quote, or an unterminated quoted field raise ValueError.
    """
    _check_dialect(delimiter, quote)
    fields = []
    field = []
    in_quotes = False
    after_quote = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_quotes:
            if ch != quote:
                field.append(ch)
            elif i + 1 < len(line) and line[i + 1] == quote:
                field.append(quote)
                i += 1
            else:
                in_quotes = False
                after_quote = True
        elif ch == delimiter:
            fields.append("".join(field))
            field = []
            after_quote = False
        elif after_quote:
            raise ValueError(f"unexpected character after closing quote at column {i}")
        elif ch == quote:
            if field:
                raise ValueError(f"quote inside an unquoted field at column {i}")
            in_quotes = True
        else:
            field.append(ch)
        i += 1
    if in_quotes:
        raise ValueError("unterminated quoted field")
    fields.append("".join(field))
    return fields


def format_row(fields, delimiter=",", quote='"'):
    """Join ``fields`` into one line that :func:`parse_row` splits back into the same strings.

    Fields containing the delimiter, the quote, a line break or surrounding spaces are quoted.
    """
    _check_dialect(delimiter, quote)
    out = []
    for field in fields:
        text = str(field)
        if delimiter in text or quote in text or "\n" in text or "\r" in text or text != text.strip():
            text = quote + text.replace(quote, quote * 2) + quote
        out.append(text)
    return delimiter.join(out)
