import pytest

from interval_merge import insert, intersection, merge, remove, total_length


@pytest.mark.parametrize(
    "intervals, expected",
    [
        ([], []),
        ([(1, 3)], [(1, 3)]),
        ([(1, 3), (2, 6), (8, 10), (15, 18)], [(1, 6), (8, 10), (15, 18)]),
        ([(1, 4), (4, 5)], [(1, 5)]),
        ([(5, 6), (1, 2)], [(1, 2), (5, 6)]),
        ([(1, 10), (2, 3), (4, 5)], [(1, 10)]),
        ([(1, 2), (1, 2)], [(1, 2)]),
        ([(-5, -1), (-2, 0), (3, 4)], [(-5, 0), (3, 4)]),
        ([(1, 2), (3, 4)], [(1, 2), (3, 4)]),
        ([(1, 2), (4, 6), (5, 8)], [(1, 2), (4, 8)]),
        ([(10, 12), (1, 2), (11, 15), (4, 6), (5, 8)], [(1, 2), (4, 8), (10, 15)]),
        ([(0, 3), (5, 9), (6, 7), (8, 12)], [(0, 3), (5, 12)]),
    ],
)
def test_merge(intervals, expected):
    assert merge(intervals) == expected


def test_merge_does_not_modify_input():
    intervals = [(3, 4), (1, 2)]
    merge(intervals)
    assert intervals == [(3, 4), (1, 2)]


@pytest.mark.parametrize("bad", [(3, 3), (5, 1)])
def test_invalid_interval(bad):
    with pytest.raises(ValueError):
        merge([(0, 1), bad])
    with pytest.raises(ValueError):
        insert([(0, 1)], bad)
    with pytest.raises(ValueError):
        remove([(0, 1)], bad)


@pytest.mark.parametrize(
    "intervals, new, expected",
    [
        ([], (2, 3), [(2, 3)]),
        ([(1, 3), (6, 9)], (2, 5), [(1, 5), (6, 9)]),
        ([(1, 2), (3, 5), (6, 7), (8, 10), (12, 16)], (4, 8), [(1, 2), (3, 10), (12, 16)]),
        ([(1, 2), (5, 6)], (3, 4), [(1, 2), (3, 4), (5, 6)]),
        ([(3, 4)], (0, 1), [(0, 1), (3, 4)]),
        ([(3, 4)], (7, 9), [(3, 4), (7, 9)]),
        ([(1, 2), (5, 6)], (2, 5), [(1, 6)]),
        ([(2, 3)], (0, 10), [(0, 10)]),
    ],
)
def test_insert(intervals, new, expected):
    assert insert(intervals, new) == expected


@pytest.mark.parametrize(
    "intervals, cut, expected",
    [
        ([(0, 10)], (3, 5), [(0, 3), (5, 10)]),
        ([(0, 10)], (0, 5), [(5, 10)]),
        ([(0, 10)], (5, 10), [(0, 5)]),
        ([(0, 2), (3, 4), (5, 7)], (1, 6), [(0, 1), (6, 7)]),
        ([(0, 2), (5, 7)], (2, 5), [(0, 2), (5, 7)]),
        ([(1, 2)], (0, 3), []),
        ([], (0, 3), []),
        ([(0, 1), (8, 9)], (3, 5), [(0, 1), (8, 9)]),
        ([(0, 1), (2, 6), (8, 9)], (3, 5), [(0, 1), (2, 3), (5, 6), (8, 9)]),
    ],
)
def test_remove(intervals, cut, expected):
    assert remove(intervals, cut) == expected


def test_intersection():
    a = [(0, 2), (5, 10), (13, 23), (24, 25)]
    b = [(1, 5), (8, 12), (15, 24), (25, 26)]
    assert intersection(a, b) == [(1, 2), (8, 10), (15, 23)]
    assert intersection([(0, 5)], []) == []
    assert intersection([(0, 5)], [(5, 6)]) == []
    assert intersection([(0, 5)], [(1, 2), (3, 4)]) == [(1, 2), (3, 4)]
    assert intersection([(1, 2), (3, 4)], [(0, 5)]) == [(1, 2), (3, 4)]
    assert intersection([(0, 3), (4, 6), (7, 9), (10, 12)], [(2, 11)]) == [(2, 3), (4, 6), (7, 9), (10, 11)]
    assert intersection([(2, 11)], [(0, 3), (4, 6), (7, 9), (10, 12)]) == [(2, 3), (4, 6), (7, 9), (10, 11)]


def test_intersection_merges_its_inputs():
    assert intersection([(4, 8), (0, 5)], [(3, 4), (2, 3), (7, 9)]) == [(2, 4), (7, 8)]


def test_intersection_against_point_sets():
    def points(intervals):
        return {x for start, end in intervals for x in range(start, end)}

    lists = [[], [(0, 2)], [(1, 4), (6, 9)], [(0, 3), (5, 6), (8, 12)], [(2, 7)], [(3, 5), (9, 10)]]
    for a in lists:
        for b in lists:
            result = intersection(a, b)
            assert points(result) == points(a) & points(b)
            assert result == merge(result)


@pytest.mark.parametrize(
    "intervals, length",
    [([], 0), ([(1, 4)], 3), ([(1, 4), (2, 6)], 5), ([(0, 1), (1, 2), (5, 7)], 4), ([(-3, 3)], 6)],
)
def test_total_length(intervals, length):
    assert total_length(intervals) == length
