import pytest

from lcs_strings import is_subsequence, lcs, lcs_length, lcs_table, similarity


def check_lcs(a, b, expected_length):
    result = lcs(a, b)
    assert len(result) == expected_length
    assert is_subsequence(result, a)
    assert is_subsequence(result, b)
    assert lcs_length(a, b) == expected_length


@pytest.mark.parametrize(
    "a, b, length",
    [
        ("", "", 0),
        ("abc", "", 0),
        ("", "abc", 0),
        ("a", "a", 1),
        ("a", "b", 0),
        ("abc", "abc", 3),
        ("abcde", "ace", 3),
        ("ABCBDAB", "BDCABA", 4),
        ("AGGTAB", "GXTXAYB", 4),
        ("aaaa", "aa", 2),
        ("xyz", "zyx", 1),
        ("banana", "atana", 4),
    ],
)
def test_lengths_and_validity(a, b, length):
    check_lcs(a, b, length)


def test_unique_lcs_exact():
    assert lcs("AGGTAB", "GXTXAYB") == "GTAB"
    assert lcs("abcde", "ace") == "ace"
    assert lcs("thisisatest", "testing123testing") == "tsitest"


def test_match_at_first_and_last_positions():
    assert lcs("xab", "xcb") == "xb"
    assert lcs_length("xab", "xcb") == 2


def test_lists_return_list():
    assert lcs([1, 2, 3, 4], [2, 4, 5]) == [2, 4]
    assert lcs_length([1, 2, 3, 4], [2, 4, 5]) == 2


def test_mixed_types_return_list():
    assert lcs("ab", ["a", "b"]) == ["a", "b"]


def test_table_dimensions_and_values():
    table = lcs_table("ab", "b")
    assert table == [[0, 0], [0, 0], [0, 1]]


def test_symmetric_length():
    assert lcs_length("ABCBDAB", "BDCABA") == lcs_length("BDCABA", "ABCBDAB")


def test_is_subsequence():
    assert is_subsequence("ace", "abcde")
    assert not is_subsequence("aec", "abcde")
    assert is_subsequence("", "")
    assert not is_subsequence("aa", "a")


def test_similarity():
    assert similarity("", "") == 1.0
    assert similarity("abc", "abc") == 1.0
    assert similarity("abcd", "") == 0.0
    assert similarity("abcde", "ace") == 0.75
