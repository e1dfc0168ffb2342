import random
import statistics

from quickselect import median, quickselect


def test_random_against_sorted():
    rng = random.Random(47)
    for _ in range(150):
        data = [rng.randint(-20, 20) for _ in range(rng.randint(1, 25))]
        k = rng.randint(1, len(data))
        assert quickselect(data, k) == sorted(data)[k - 1]


def test_random_median_against_statistics():
    rng = random.Random(53)
    for _ in range(80):
        data = [rng.randint(-50, 50) for _ in range(rng.randint(1, 20))]
        assert median(data) == statistics.median(data)


def test_strings_and_generators():
    assert quickselect("select", 1) == "c"
    assert quickselect((x * x for x in range(-3, 4)), 4) == 4


def test_floats():
    assert quickselect([0.5, -1.5, 2.25], 2) == 0.5
