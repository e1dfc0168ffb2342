import pytest

from bracket_balance import first_error, is_balanced, max_depth


@pytest.mark.parametrize(
    "text",
    ["", "abc", "()", "[]{}()", "([{}])", "f(a[1], {b: (2)})", "(()())", "')'", '"(["'],
)
def test_balanced(text):
    assert first_error(text) is None
    assert is_balanced(text)


@pytest.mark.parametrize(
    "text, position",
    [
        (")", 0),
        ("())", 2),
        ("(]", 1),
        ("([)]", 2),
        ("a + b)", 5),
        ("{[}", 2),
        ("(", 0),
        ("((()", 0),
        ("x(y[z", 1),
        ("()(", 2),
        ("([]", 0),
        ("(a)]", 3),
    ],
)
def test_first_error(text, position):
    assert first_error(text) == position
    assert not is_balanced(text)


def test_brackets_in_strings_are_ignored():
    assert first_error("print(')')") is None
    assert first_error('x = "{" + y[0]') is None
    assert first_error("a ')' )") == 6


def test_escaped_quote_stays_in_string():
    assert first_error(r"f('it\'s (')") is None
    assert first_error(r'"\\" )') == 5


def test_unterminated_string():
    assert first_error('ab "cd') == 3
    assert first_error("('abc") == 0


def test_max_depth():
    assert max_depth("") == 0
    assert max_depth("abc") == 0
    assert max_depth("()") == 1
    assert max_depth("()[]{}") == 1
    assert max_depth("([{}])") == 3
    assert max_depth("(()(()))") == 3
    assert max_depth("('((')") == 1


def test_max_depth_rejects_unbalanced():
    with pytest.raises(ValueError):
        max_depth("(()")
