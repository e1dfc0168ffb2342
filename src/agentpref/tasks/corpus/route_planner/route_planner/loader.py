"""Read a road list. One road per line: ``start, end, km, minutes[, toll=X][, oneway]``.

Blank lines and lines starting with ``#`` are skipped; text after ``#`` is a comment.
"""

from route_planner.network import RoadNetwork


class ParseError(ValueError):
    def __init__(self, line_number, message):
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number


def _number(text, what, line_number):
    try:
        return float(text)
    except ValueError:
        raise ParseError(line_number, f"{what} {text!r} is not a number") from None


def parse_line(line, line_number=1):
    """Parse one line into ``(start, end, km, minutes, toll, one_way)``, or None if it is empty."""
    content = line.split("#", 1)[0].strip()
    if not content:
        return None
    fields = [f.strip() for f in content.split(",")]
    if len(fields) < 4:
        raise ParseError(line_number, f"expected at least 4 fields, got {len(fields)}")
    start, end = fields[0], fields[1]
    if not start or not end:
        raise ParseError(line_number, "city names must not be empty")
    km = _number(fields[2], "distance", line_number)
    minutes = _number(fields[3], "time", line_number)
    toll, one_way = 0.0, False
    for option in fields[4:]:
        if option == "oneway":
            one_way = True
        elif option.startswith("toll="):
            toll = _number(option[len("toll="):], "toll", line_number)
        else:
            raise ParseError(line_number, f"unknown option {option!r}")
    return start, end, km, minutes, toll, one_way


def load_network(text):
    """Build a RoadNetwork from the whole text of a road list."""
    network = RoadNetwork()
    for line_number, line in enumerate(text.splitlines(), start=1):
        parsed = parse_line(line, line_number)
        if parsed is None:
            continue
        start, end, km, minutes, toll, one_way = parsed
        try:
            network.add_road(start, end, km, minutes, toll=toll, one_way=one_way)
        except ValueError as exc:
            raise ParseError(line_number, str(exc)) from None
    return network
