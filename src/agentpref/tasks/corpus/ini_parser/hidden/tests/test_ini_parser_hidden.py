import configparser
import random

import pytest

from ini_parser import IniError, parse_ini


def test_random_configs_match_configparser():
    rng = random.Random(13)
    for _ in range(60):
        lines = []
        expected = {}
        for s in range(rng.randint(0, 4)):
            name = f"sec{s}"
            lines.append(f"[{name}]")
            expected[name] = {}
            for k in range(rng.randint(0, 4)):
                value = "".join(rng.choice("abc 12") for _ in range(rng.randint(0, 6))).strip()
                lines.append(f"Key{k} {' ' * rng.randint(0, 2)}= {value}")
                expected[name][f"key{k}"] = value
                if rng.random() < 0.3:
                    lines.append("; comment")
        text = "\n".join(lines)
        assert parse_ini(text) == expected
        parser = configparser.ConfigParser()
        parser.read_string(text)
        assert {s: dict(parser[s]) for s in parser.sections()} == expected


def test_crlf_line_endings():
    assert parse_ini("[a]\r\nx = 1\r\n") == {"a": {"x": "1"}}


def test_indented_lines():
    assert parse_ini("  [a]\n    x = 1\n  # c") == {"a": {"x": "1"}}


def test_error_after_many_lines():
    with pytest.raises(IniError) as info:
        parse_ini("[a]\n" + "".join(f"k{i}=1\n" for i in range(4)) + "\nbad")
    assert info.value.line_number == 7
