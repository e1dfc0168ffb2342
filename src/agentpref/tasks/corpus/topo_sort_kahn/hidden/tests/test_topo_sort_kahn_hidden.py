import random
from itertools import permutations

import pytest

from topo_sort_kahn import CycleError, topological_sort


def brute_first_order(nodes, edges):
    for perm in permutations(sorted(nodes)):
        pos = {n: i for i, n in enumerate(perm)}
        if all(pos[a] < pos[b] for a, b in edges):
            return list(perm)
    return None


def test_random_dags_match_brute_force():
    rng = random.Random(3)
    for _ in range(40):
        n = rng.randint(1, 6)
        ranks = list(range(n))
        rng.shuffle(ranks)
        edges = [(a, b) for a in range(n) for b in range(n) if ranks[a] < ranks[b] and rng.random() < 0.4]
        graph = {a: [b for x, b in edges if x == a] for a in range(n)}
        assert topological_sort(graph) == brute_first_order(range(n), edges)


def test_random_graphs_with_cycles_raise():
    rng = random.Random(4)
    for _ in range(30):
        n = rng.randint(2, 6)
        edges = [(a, b) for a in range(n) for b in range(n) if rng.random() < 0.3]
        graph = {a: [b for x, b in edges if x == a] for a in range(n)}
        if brute_first_order(range(n), edges) is None:
            with pytest.raises(CycleError):
                topological_sort(graph)
        else:
            assert topological_sort(graph) == brute_first_order(range(n), edges)


def test_tuple_input_targets():
    assert topological_sort({"a": ("b",), "b": ()}) == ["a", "b"]
