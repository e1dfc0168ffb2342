import bisect
import random

from bisect_leftmost import bisect_leftmost, bisect_rightmost, equal_range


def test_random_against_stdlib():
    rng = random.Random(29)
    for _ in range(200):
        a = sorted(rng.randint(-10, 10) for _ in range(rng.randint(0, 20)))
        x = rng.randint(-12, 12)
        lo = rng.randint(0, len(a))
        hi = rng.randint(lo, len(a))
        assert bisect_leftmost(a, x, lo, hi) == bisect.bisect_left(a, x, lo, hi)
        assert bisect_rightmost(a, x, lo, hi) == bisect.bisect_right(a, x, lo, hi)


def test_equal_range_counts():
    rng = random.Random(31)
    for _ in range(50):
        a = sorted(rng.randint(0, 5) for _ in range(rng.randint(0, 15)))
        x = rng.randint(0, 5)
        start, stop = equal_range(a, x)
        assert stop - start == a.count(x)


def test_floats_and_tuples():
    assert bisect_leftmost([0.5, 1.5, 1.5], 1.5) == 1
    assert bisect_rightmost([(1, "a"), (2, "b")], (1, "z")) == 1


def test_works_on_tuples_and_ranges():
    assert bisect_leftmost(range(0, 100, 5), 37) == 8
    assert bisect_rightmost((1, 1, 2), 1) == 2
