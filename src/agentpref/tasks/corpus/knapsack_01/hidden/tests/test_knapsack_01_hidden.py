import random
from itertools import combinations

from knapsack_01 import fits, knapsack, max_value


def brute(weights, values, capacity):
    best = 0
    for size in range(len(weights) + 1):
        for combo in combinations(range(len(weights)), size):
            if sum(weights[i] for i in combo) <= capacity:
                best = max(best, sum(values[i] for i in combo))
    return best


def test_random_instances_match_brute_force():
    rng = random.Random(71)
    for _ in range(60):
        n = rng.randint(0, 7)
        weights = [rng.randint(0, 8) for _ in range(n)]
        values = [rng.randint(0, 15) for _ in range(n)]
        capacity = rng.randint(0, 20)
        expected = brute(weights, values, capacity)
        best, chosen = knapsack(weights, values, capacity)
        assert best == expected == max_value(weights, values, capacity)
        assert fits(weights, chosen, capacity)
        assert sum(values[i] for i in chosen) == best


def test_inputs_not_modified():
    weights, values = [3, 1], [4, 2]
    knapsack(weights, values, 3)
    assert weights == [3, 1] and values == [4, 2]
