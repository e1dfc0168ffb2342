import pytest

from longest_increasing_subseq import (
    count_longest,
    is_increasing,
    lis_length,
    longest_increasing_subsequence,
)


def is_subsequence(small, big):
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


@pytest.mark.parametrize(
    "seq, length",
    [
        ([], 0),
        ([7], 1),
        ([1, 2, 3, 4], 4),
        ([4, 3, 2, 1], 1),
        ([10, 9, 2, 5, 3, 7, 101, 18], 4),
        ([0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15], 6),
        ([3, 3, 3], 1),
        ([-5, -1, -3, 0, -2, 2], 4),
        ([2, 2, 1, 3, 3, 4], 3),
    ],
)
def test_strict_length_and_validity(seq, length):
    result = longest_increasing_subsequence(seq)
    assert len(result) == length == lis_length(seq)
    assert is_increasing(result)
    assert is_subsequence(result, seq)


def test_unique_answers():
    assert longest_increasing_subsequence([5, 1, 6, 2, 7, 3, 8]) == [1, 2, 3, 8]
    assert longest_increasing_subsequence([3, 10, 2, 11]) in ([3, 10, 11], [2, 10, 11])
    assert longest_increasing_subsequence([9, 1, 2, 3]) == [1, 2, 3]


def test_answer_ending_earliest():
    assert longest_increasing_subsequence([1, 5, 2, 3, 4, 0]) == [1, 2, 3, 4]
    assert longest_increasing_subsequence([2, 1]) == [1]


def test_non_strict():
    assert longest_increasing_subsequence([3, 3, 3], strict=False) == [3, 3, 3]
    assert lis_length([2, 2, 1, 3, 3, 4], strict=False) == 5
    assert longest_increasing_subsequence([1, 2, 2, 1, 2], strict=False) == [1, 2, 2, 2]


def test_strings_and_tuples():
    assert longest_increasing_subsequence("azbycx") == ["a", "b", "c", "x"]
    assert lis_length((5, 4, 6)) == 2


def test_input_not_modified():
    seq = [3, 1, 2]
    longest_increasing_subsequence(seq)
    assert seq == [3, 1, 2]


@pytest.mark.parametrize(
    "seq, expected",
    [
        ([], 0),
        ([4], 1),
        ([1, 3, 5, 4, 7], 2),
        ([2, 2, 2, 2], 4),
        ([1, 2, 4, 3, 5, 4, 7, 2], 3),
        ([3, 2, 1], 3),
    ],
)
def test_count_longest(seq, expected):
    assert count_longest(seq) == expected


def test_is_increasing():
    assert is_increasing([1, 2, 3])
    assert not is_increasing([1, 1, 2])
    assert is_increasing([1, 1, 2], strict=False)
    assert is_increasing([])
