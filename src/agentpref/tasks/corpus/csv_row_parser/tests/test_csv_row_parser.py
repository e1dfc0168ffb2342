import pytest

from csv_row_parser import format_row, parse_row


@pytest.mark.parametrize(
    "line, fields",
    [
        ("", [""]),
        ("a", ["a"]),
        ("a,b,c", ["a", "b", "c"]),
        ("a,,c", ["a", "", "c"]),
        (",", ["", ""]),
        ("a,b,", ["a", "b", ""]),
        (" a , b ", [" a ", " b "]),
        ('"a,b",c', ["a,b", "c"]),
        ('""', [""]),
        ('"",x', ["", "x"]),
        ('"say ""hi""",2', ['say "hi"', "2"]),
        ('""""', ['"']),
        ('x,"a""b"', ["x", 'a"b']),
        ('"multi\nline",z', ["multi\nline", "z"]),
    ],
)
def test_parse(line, fields):
    assert parse_row(line) == fields


def test_custom_delimiter():
    assert parse_row("a;b;c", delimiter=";") == ["a", "b", "c"]
    assert parse_row('a;"b;c";d', delimiter=";") == ["a", "b;c", "d"]
    assert parse_row("a,b;c", delimiter=";") == ["a,b", "c"]
    assert parse_row("1\t2\t\t3", delimiter="\t") == ["1", "2", "", "3"]


def test_custom_quote():
    assert parse_row("'a,b',c", quote="'") == ["a,b", "c"]
    assert parse_row("'it''s',\"x\"", quote="'") == ["it's", '"x"']


@pytest.mark.parametrize("line", ['"abc', 'a,"b', 'ab"c', '"a"b', '"a" ,b', '"a""'])
def test_malformed(line):
    with pytest.raises(ValueError):
        parse_row(line)


@pytest.mark.parametrize("delimiter, quote", [("", '"'), (",,", '"'), (",", ""), ('"', '"')])
def test_bad_dialect(delimiter, quote):
    with pytest.raises(ValueError):
        parse_row("a", delimiter=delimiter, quote=quote)


def test_format():
    assert format_row([]) == ""
    assert format_row(["a", "b"]) == "a,b"
    assert format_row(["a,b", "c"]) == '"a,b",c'
    assert format_row(['say "hi"']) == '"say ""hi"""'
    assert format_row([" pad", "x"]) == '" pad",x'
    assert format_row(["", 3, 1.5]) == ",3,1.5"
    assert format_row(["a;b", "c,d"], delimiter=";") == '"a;b";c,d'


def test_round_trip():
    fields = ["plain", "", "with,comma", 'quo"te', " spaced ", "line\nbreak", '""']
    assert parse_row(format_row(fields)) == fields
