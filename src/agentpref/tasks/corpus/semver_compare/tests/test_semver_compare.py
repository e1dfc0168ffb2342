import pytest

from semver_compare import compare, max_version, parse_version, sort_versions


def test_parse_plain():
    assert parse_version("1.2.3") == (1, 2, 3, (), ())
    assert parse_version("0.0.0") == (0, 0, 0, (), ())
    assert parse_version("10.20.30") == (10, 20, 30, (), ())


def test_parse_prerelease_and_build():
    assert parse_version("1.0.0-alpha.1") == (1, 0, 0, ("alpha", 1), ())
    assert parse_version("1.0.0-x-y.0") == (1, 0, 0, ("x-y", 0), ())
    assert parse_version("1.0.0+build.5") == (1, 0, 0, (), ("build", "5"))
    assert parse_version("1.0.0-rc.1+sha.abc") == (1, 0, 0, ("rc", 1), ("sha", "abc"))
    assert parse_version("1.0.0-0a") == (1, 0, 0, ("0a",), ())


@pytest.mark.parametrize(
    "text",
    ["", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "1.2.x", "-1.2.3", "1.2.3-",
     "1.2.3-a..b", "1.2.3-01", "1.2.3+", "1.2.3+a_b", "1.2.3-é", "1.2.٣"],
)
def test_parse_invalid(text):
    with pytest.raises(ValueError):
        parse_version(text)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ("1.0.0", "1.0.0", 0),
        ("1.0.0", "2.0.0", -1),
        ("2.0.0", "1.9.9", 1),
        ("1.10.0", "1.9.0", 1),
        ("1.0.9", "1.0.10", -1),
        ("1.0.0-alpha", "1.0.0", -1),
        ("1.0.0", "1.0.0-rc.1", 1),
        ("1.0.0-alpha", "1.0.0-alpha.1", -1),
        ("1.0.0-alpha.1", "1.0.0-alpha.beta", -1),
        ("1.0.0-beta.2", "1.0.0-beta.11", -1),
        ("1.0.0-beta", "1.0.0-alpha", 1),
        ("1.0.0-rc.1", "1.0.0-rc.1", 0),
        ("1.0.0+a", "1.0.0+b", 0),
        ("1.0.0-1", "1.0.0-a", -1),
        ("0.9.0", "1.0.0-alpha", -1),
    ],
)
def test_compare(a, b, expected):
    assert compare(a, b) == expected
    assert compare(b, a) == -expected


def test_sort_spec_example():
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"]
    shuffled = [ordered[i] for i in (5, 0, 7, 2, 6, 1, 4, 3)]
    assert sort_versions(shuffled) == ordered


def test_sort_is_stable_for_build_metadata():
    assert sort_versions(["1.0.0+b", "0.1.0", "1.0.0+a"]) == ["0.1.0", "1.0.0+b", "1.0.0+a"]


def test_max_version():
    assert max_version([]) is None
    assert max_version(["1.0.0"]) == "1.0.0"
    assert max_version(["1.2.0", "1.10.0", "1.9.9"]) == "1.10.0"
    assert max_version(["2.0.0-rc.1", "2.0.0", "2.0.0-beta"]) == "2.0.0"
    assert max_version(["1.0.0+x", "1.0.0+y"]) == "1.0.0+x"
