import random
from itertools import product

from bipartite_check import odd_cycle, symmetric, two_colour


def brute_bipartite(n, edges):
    return any(all(bits[a] != bits[b] for a, b in edges) for bits in product((0, 1), repeat=n))


def test_random_graphs_match_brute_force():
    rng = random.Random(41)
    for _ in range(80):
        n = rng.randint(1, 8)
        edges = [(a, b) for a in range(n) for b in range(a, n) if rng.random() < 0.25]
        graph = {v: [b for a, b in edges if a == v] for v in range(n)}
        colour = two_colour(graph)
        assert (colour is not None) == brute_bipartite(n, edges)
        cycle = odd_cycle(graph)
        if colour is None:
            adj = symmetric(graph)
            assert len(cycle) % 2 == 1 and len(set(cycle)) == len(cycle)
            assert all(b in adj[a] for a, b in zip(cycle, cycle[1:] + cycle[:1]))
        else:
            assert cycle is None
            assert all(colour[a] != colour[b] for a, b in edges)


def test_large_even_cycle():
    n = 1000
    graph = {i: [(i + 1) % n] for i in range(n)}
    colour = two_colour(graph)
    assert colour is not None and sum(colour.values()) == n // 2
