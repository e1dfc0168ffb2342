import pytest

from ini_parser import IniError, get_bool, parse_ini

SAMPLE = """\
; global comment
[server]
host = example.org
Port=8080

# another comment
[paths]
root = /var/www   ; inline comment
url = http://x.org/?a=b
greeting = "hello world"
empty =
"""


def test_sample():
    assert parse_ini(SAMPLE) == {
        "server": {"host": "example.org", "port": "8080"},
        "paths": {
            "root": "/var/www",
            "url": "http://x.org/?a=b",
            "greeting": "hello world",
            "empty": "",
        },
    }


def test_empty_text():
    assert parse_ini("") == {}
    assert parse_ini("\n  \n; only comments\n") == {}


def test_empty_section_is_kept():
    assert parse_ini("[a]\n[b]\nx=1") == {"a": {}, "b": {"x": "1"}}


def test_section_names_are_stripped_and_case_sensitive():
    assert parse_ini("[ Main ]\nk=v\n[main]\nk=w") == {"Main": {"k": "v"}, "main": {"k": "w"}}


def test_hash_without_space_is_part_of_value():
    assert parse_ini("[s]\ncolor = #ff0000\nx = a#b ;c") == {"s": {"color": "#ff0000", "x": "a#b"}}


def test_quotes_only_stripped_when_matching():
    cfg = parse_ini("[q]\na = 'x'\nb = \"y'\nc = \"\"\nd = '")
    assert cfg["q"] == {"a": "x", "b": "\"y'", "c": "", "d": "'"}


def test_value_may_contain_equals():
    assert parse_ini("[s]\nexpr = a == b")["s"]["expr"] == "a == b"


@pytest.mark.parametrize(
    "text, line_number",
    [
        ("key = 1", 1),
        ("[s]\njust text", 2),
        ("[s\nk=v", 1),
        ("[]", 1),
        ("[s]\n= value", 2),
        ("[a]\n\n[a]", 3),
        ("[a]\nk = 1\n; c\nK = 2", 4),
    ],
)
def test_errors_report_line(text, line_number):
    with pytest.raises(IniError) as info:
        parse_ini(text)
    assert info.value.line_number == line_number
    assert str(info.value).startswith(f"line {line_number}:")


def test_ini_error_is_value_error():
    with pytest.raises(ValueError):
        parse_ini("nonsense")


def test_get_bool():
    cfg = parse_ini("[f]\ndebug = Yes\nverbose = off\nlevel = 1\nodd = maybe")
    assert get_bool(cfg, "f", "debug") is True
    assert get_bool(cfg, "f", "verbose") is False
    assert get_bool(cfg, "f", "LEVEL") is True
    assert get_bool(cfg, "f", "missing") is None
    assert get_bool(cfg, "nosection", "x", default=False) is False
    with pytest.raises(ValueError):
        get_bool(cfg, "f", "odd")
