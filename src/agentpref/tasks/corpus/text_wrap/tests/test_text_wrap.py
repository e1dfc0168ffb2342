import pytest

from text_wrap import justify, justify_line, wrap


def test_wrap_empty_and_blank():
    assert wrap("", 10) == []
    assert wrap("   \n  ", 10) == []


def test_wrap_fits_on_one_line():
    assert wrap("hello world", 11) == ["hello world"]


def test_wrap_breaks_when_one_too_long():
    assert wrap("hello world", 10) == ["hello", "world"]


def test_wrap_greedy():
    text = "the quick brown fox jumps over the lazy dog"
    assert wrap(text, 10) == ["the quick", "brown fox", "jumps over", "the lazy", "dog"]


def test_wrap_collapses_whitespace():
    assert wrap("a   b\n\tc", 80) == ["a b c"]


def test_wrap_long_word_is_split():
    assert wrap("abcdefgh", 3) == ["abc", "def", "gh"]
    assert wrap("abcdef", 3) == ["abc", "def"]


def test_wrap_long_word_after_short_one():
    assert wrap("hi abcdefg yo", 4) == ["hi", "abcd", "efg", "yo"]


def test_wrap_width_one():
    assert wrap("a b cd", 1) == ["a", "b", "c", "d"]


@pytest.mark.parametrize("width", [0, -3])
def test_wrap_rejects_bad_width(width):
    with pytest.raises(ValueError):
        wrap("text", width)


@pytest.mark.parametrize(
    "line, width, expected",
    [
        ("a b c d", 9, "a  b  c d"),
        ("a b c d", 7, "a b c d"),
        ("a b", 6, "a    b"),
        ("one two three", 17, "one   two   three"),
        ("word", 7, "word   "),
        ("", 3, "   "),
        ("ab cd ef", 10, "ab  cd  ef"),
        ("ab cd ef", 11, "ab   cd  ef"),
    ],
)
def test_justify_line(line, width, expected):
    assert justify_line(line, width) == expected


def test_justify_paragraph():
    text = "This is an example of text justification."
    assert justify(text, 16) == ["This    is    an", "example  of text", "justification.  "]


def test_justify_all_lines_have_width():
    text = "the quick brown fox jumps over the lazy dog"
    lines = justify(text, 12)
    assert all(len(line) == 12 for line in lines)
    assert " ".join(" ".join(lines).split()) == text


def test_justify_empty():
    assert justify("", 5) == []
