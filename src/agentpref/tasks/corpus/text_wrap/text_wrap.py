"""Greedy word wrapping and full justification of plain text."""


def wrap(text, width):
    """Split ``text`` into lines of at most ``width`` characters, breaking at whitespace.

    Runs of whitespace collapse to one space; a word longer than ``width`` is cut into pieces
    of ``width`` characters. A width below 1 raises ValueError.
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    lines = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def justify_line(line, width):
    """Pad ``line`` to exactly ``width`` by widening the gaps between its words.

    Extra spaces go to the leftmost gaps; a single word is padded on the right.
    """
    words = line.split()
    if len(words) < 2:
        return " ".join(words).ljust(width)
    gaps = len(words) - 1
    spaces = width - sum(len(word) for word in words)
    base, extra = divmod(spaces, gaps)
    parts = []
    for i, word in enumerate(words[:-1]):
        parts.append(word + " " * (base + (1 if i < extra else 0)))
    parts.append(words[-1])
    return "".join(parts)


def justify(text, width):
    """Wrap ``text`` and justify every line but the last, which is left-aligned and padded."""
    lines = wrap(text, width)
    if not lines:
        return []
    result = [justify_line(line, width) for line in lines[:-1]]
    result.append(lines[-1].ljust(width))
    return result
