"""Parse INI-style configuration text into ``{section: {key: value}}`` dictionaries."""


class IniError(ValueError):
    """A syntax error in INI text; ``line_number`` counts from 1."""

    def __init__(self, message, line_number):
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number


def _strip_inline_comment(value):
    """Drop a trailing comment that starts with ';' or '#' preceded by whitespace."""
    for i, ch in enumerate(value):
        if ch in "#;" and i > 0 and value[i - 1].isspace():
            return value[:i].rstrip()
    return value


def _unquote(value):
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_ini(text):
    """Parse INI ``text``.

    Blank lines and lines starting with ';' or '#' are ignored. ``[name]`` starts a section
    (duplicates are errors); ``key = value`` lines belong to the current section. Keys are
    lowercased, values stripped, inline comments removed and one pair of surrounding quotes
    dropped. Raises IniError with the offending line number.
    """
    result = {}
    section = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise IniError("unterminated section header", number)
            name = line[1:-1].strip()
            if not name:
                raise IniError("empty section name", number)
            if name in result:
                raise IniError(f"duplicate section {name!r}", number)
            result[name] = {}
            section = name
            continue
        if "=" not in line:
            raise IniError("expected 'key = value'", number)
        key, value = line.split("=", 1)
        key = key.strip().lower()
        if not key:
            raise IniError("empty key", number)
        if section is None:
            raise IniError("key outside of any section", number)
        if key in result[section]:
            raise IniError(f"duplicate key {key!r} in section {section!r}", number)
        result[section][key] = _unquote(_strip_inline_comment(value.strip()))
    return result


TRUE_WORDS = {"1", "yes", "true", "on"}
FALSE_WORDS = {"0", "no", "false", "off"}


def get_bool(config, section, key, default=None):
    """Read a boolean setting; a missing one gives ``default``, an unrecognised one ValueError."""
    value = config.get(section, {}).get(key.lower())
    if value is None:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"not a boolean: {value!r}")
