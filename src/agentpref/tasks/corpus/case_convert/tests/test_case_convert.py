import pytest

from case_convert import detect_case, split_words, to_camel, to_constant, to_kebab, to_pascal, to_snake


@pytest.mark.parametrize(
    "name, words",
    [
        ("", []),
        ("word", ["word"]),
        ("helloWorld", ["hello", "world"]),
        ("HelloWorld", ["hello", "world"]),
        ("hello_world", ["hello", "world"]),
        ("hello-world", ["hello", "world"]),
        ("HELLO_WORLD", ["hello", "world"]),
        ("parseHTTPResponse", ["parse", "http", "response"]),
        ("HTTPServer", ["http", "server"]),
        ("myURL", ["my", "url"]),
        ("getX", ["get", "x"]),
        ("ABC", ["abc"]),
        ("version2Update", ["version2", "update"]),
        ("utf8", ["utf8"]),
        ("__init__", ["init"]),
        ("a__b--c", ["a", "b", "c"]),
        ("already spaced.words", ["already", "spaced", "words"]),
        ("IOError", ["io", "error"]),
    ],
)
def test_split_words(name, words):
    assert split_words(name) == words


def test_conversions():
    name = "parseHTTPResponse"
    assert to_snake(name) == "parse_http_response"
    assert to_kebab(name) == "parse-http-response"
    assert to_constant(name) == "PARSE_HTTP_RESPONSE"
    assert to_pascal(name) == "ParseHttpResponse"
    assert to_camel(name) == "parseHttpResponse"


def test_conversions_from_snake():
    assert to_camel("user_id") == "userId"
    assert to_pascal("user_id") == "UserId"
    assert to_kebab("MAX_VALUE") == "max-value"
    assert to_camel("MAX_VALUE") == "maxValue"


def test_single_letter_words():
    assert to_snake("aBC") == "a_bc"
    assert to_camel("x_y_z") == "xYZ"
    assert to_snake("xYZ") == "x_yz"


def test_empty_and_separators_only():
    assert to_camel("") == ""
    assert to_snake("__") == ""
    assert to_pascal("-") == ""


@pytest.mark.parametrize(
    "name, case",
    [
        ("hello_world", "snake"),
        ("hello", "snake"),
        ("hello-world", "kebab"),
        ("HELLO_WORLD", "constant"),
        ("helloWorld", "camel"),
        ("HelloWorld", "pascal"),
        ("Hello_World", "unknown"),
        ("", "unknown"),
        ("parseHTTPResponse", "unknown"),
    ],
)
def test_detect_case(name, case):
    assert detect_case(name) == case
