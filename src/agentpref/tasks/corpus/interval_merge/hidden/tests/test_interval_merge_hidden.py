import random

from interval_merge import insert, intersection, merge, remove, total_length


def points(intervals):
    covered = set()
    for start, end in intervals:
        covered.update(range(start, end))
    return covered


def random_intervals(rng, count):
    result = []
    for _ in range(count):
        start = rng.randint(-10, 20)
        result.append((start, start + rng.randint(1, 6)))
    return result


def test_random_merge_matches_point_sets():
    rng = random.Random(13)
    for _ in range(200):
        intervals = random_intervals(rng, rng.randint(0, 6))
        merged = merge(intervals)
        assert points(merged) == points(intervals)
        for (s1, e1), (s2, e2) in zip(merged, merged[1:]):
            assert e1 < s2
        assert total_length(intervals) == len(points(intervals))


def test_random_insert_remove_intersection():
    rng = random.Random(14)
    for _ in range(200):
        base = merge(random_intervals(rng, rng.randint(0, 5)))
        other = random_intervals(rng, 1)[0]
        assert insert(base, other) == merge(base + [other])
        assert points(remove(base, other)) == points(base) - points([other])
        second = random_intervals(rng, rng.randint(0, 4))
        assert points(intersection(base, second)) == points(base) & points(second)


def test_intersection_of_touching_lists_is_empty():
    assert intersection([(0, 1), (2, 3)], [(1, 2), (3, 4)]) == []


def test_insert_does_not_modify_input():
    base = [(1, 2), (4, 5)]
    insert(base, (2, 4))
    assert base == [(1, 2), (4, 5)]
