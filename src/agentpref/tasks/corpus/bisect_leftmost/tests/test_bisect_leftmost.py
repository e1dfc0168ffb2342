import pytest

from bisect_leftmost import bisect_leftmost, bisect_rightmost, equal_range, index_of

DATA = [1, 2, 2, 2, 5, 7, 7, 9]


@pytest.mark.parametrize(
    ("x", "left", "right"),
    [(0, 0, 0), (1, 0, 1), (2, 1, 4), (3, 4, 4), (5, 4, 5), (7, 5, 7), (8, 7, 7), (9, 7, 8), (10, 8, 8)],
)
def test_insertion_points(x, left, right):
    assert bisect_leftmost(DATA, x) == left
    assert bisect_rightmost(DATA, x) == right


def test_empty_sequence():
    assert bisect_leftmost([], 3) == 0
    assert bisect_rightmost([], 3) == 0


def test_single_element():
    assert bisect_leftmost([4], 4) == 0
    assert bisect_rightmost([4], 4) == 1
    assert bisect_leftmost([4], 5) == 1
    assert bisect_rightmost([4], 3) == 0


def test_all_equal():
    assert bisect_leftmost([3, 3, 3, 3], 3) == 0
    assert bisect_rightmost([3, 3, 3, 3], 3) == 4


def test_lo_hi_restrict_search():
    assert bisect_leftmost(DATA, 2, lo=2) == 2
    assert bisect_rightmost(DATA, 2, hi=3) == 3
    assert bisect_leftmost(DATA, 9, lo=1, hi=5) == 5
    assert bisect_rightmost(DATA, 0, lo=3, hi=6) == 3
    assert bisect_leftmost(DATA, 7, lo=6, hi=6) == 6


def test_hi_equal_to_length_is_allowed():
    assert bisect_leftmost(DATA, 100, hi=len(DATA)) == len(DATA)


def test_invalid_bounds():
    with pytest.raises(ValueError):
        bisect_leftmost(DATA, 2, lo=-1)
    with pytest.raises(ValueError):
        bisect_rightmost(DATA, 2, hi=len(DATA) + 1)


def test_equal_range():
    assert equal_range(DATA, 2) == (1, 4)
    assert equal_range(DATA, 6) == (5, 5)
    assert equal_range(DATA, 7, lo=6) == (6, 7)


def test_index_of():
    assert index_of(DATA, 2) == 1
    assert index_of(DATA, 9) == 7
    assert index_of(DATA, 1) == 0
    with pytest.raises(ValueError):
        index_of(DATA, 6)
    with pytest.raises(ValueError):
        index_of(DATA, 10)
    with pytest.raises(ValueError):
        index_of([], 1)


def test_negative_and_strings():
    assert bisect_leftmost([-9, -4, -4, 0], -4) == 1
    assert bisect_rightmost(["a", "c", "c", "e"], "c") == 3
