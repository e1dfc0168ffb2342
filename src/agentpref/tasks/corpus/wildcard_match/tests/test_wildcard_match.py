import pytest

from wildcard_match import compile_pattern, filter_names, wildcard_match


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("", ""),
        ("", "*"),
        ("", "***"),
        ("a", "a"),
        ("a", "?"),
        ("a", "*"),
        ("abc", "abc"),
        ("abc", "a*"),
        ("abc", "*c"),
        ("abc", "a*c"),
        ("abc", "abc*"),
        ("abc", "*abc"),
        ("abc", "?b?"),
        ("abc", "???"),
        ("abcbc", "a*bc"),
        ("mississippi", "m??*ss*?i*"),
        ("report.txt", "*.txt"),
        ("a*b", "a\\*b"),
        ("a?", "a\\?"),
        ("back\\slash", "back\\\\slash"),
    ],
)
def test_matches(text, pattern):
    assert wildcard_match(text, pattern)


@pytest.mark.parametrize(
    "text, pattern",
    [
        ("a", ""),
        ("", "?"),
        ("", "a"),
        ("ab", "a"),
        ("a", "ab"),
        ("abc", "??"),
        ("abc", "????"),
        ("abc", "a*d"),
        ("abc", "*b"),
        ("abc", "b*"),
        ("axb", "a\\*b"),
        ("ab", "a\\?"),
        ("report.txt", "*.tx"),
        ("mississippi", "m*issi*iss*"),
    ],
)
def test_does_not_match(text, pattern):
    assert not wildcard_match(text, pattern)


def test_case_sensitivity():
    assert not wildcard_match("README.md", "readme.*")
    assert wildcard_match("README.md", "readme.*", ignore_case=True)
    assert wildcard_match("readme.md", "README.?D", ignore_case=True)


def test_compile_pattern():
    assert compile_pattern("") == []
    assert compile_pattern("a**?") == [("literal", "a"), ("star", ""), ("any", "")]
    assert compile_pattern("\\**") == [("literal", "*"), ("star", "")]
    with pytest.raises(ValueError):
        compile_pattern("abc\\")


def test_filter_names():
    names = ["main.py", "test_main.py", "README", "setup.cfg", "test_x.txt"]
    assert filter_names(names, "test_*") == ["test_main.py", "test_x.txt"]
    assert filter_names(names, "*.py") == ["main.py", "test_main.py"]
    assert filter_names(names, "??????") == ["README"]
    assert filter_names([], "*") == []
