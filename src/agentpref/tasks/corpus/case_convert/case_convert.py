"""Convert identifiers between camelCase, PascalCase, snake_case, kebab-case and CONSTANT_CASE."""

SEPARATORS = "_- ."


def split_words(name):
    """Split an identifier into lowercase words.

    Separators (``_``, ``-``, space, ``.``) split words, as does a change from a lowercase letter or
    digit to an uppercase one. A run of capitals is one word (an acronym), except that its last
    capital starts a new word when a lowercase letter follows: ``"parseHTTPResponse"`` gives
    ``["parse", "http", "response"]``.
    """
    words = []
    current = ""
    for i, ch in enumerate(name):
        if ch in SEPARATORS:
            if current:
                words.append(current)
            current = ""
            continue
        if ch.isupper() and current:
            prev = name[i - 1]
            next_is_lower = i + 1 < len(name) and name[i + 1].islower()
            if prev.islower() or prev.isdigit() or (prev.isupper() and next_is_lower):
                words.append(current)
                current = ""
        current += ch
    if current:
        words.append(current)
    return [word.lower() for word in words]


def to_snake(name):
    return "_".join(split_words(name))


def to_kebab(name):
    return "-".join(split_words(name))


def to_constant(name):
    return to_snake(name).upper()


def to_pascal(name):
    return "".join(word.capitalize() for word in split_words(name))


def to_camel(name):
    words = split_words(name)
    if not words:
        return ""
    return words[0] + "".join(word.capitalize() for word in words[1:])


def detect_case(name):
    """Name of the convention ``name`` follows: "snake", "kebab", "constant", "camel", "pascal"
    or "unknown" (also for names that mix conventions). Single lowercase words count as snake."""
    if not name:
        return "unknown"
    for case, convert in (("snake", to_snake), ("kebab", to_kebab), ("constant", to_constant),
                          ("camel", to_camel), ("pascal", to_pascal)):
        if convert(name) == name:
            return case
    return "unknown"
