import random

from directed_cycle import find_cycle, is_cycle


def brute_has_cycle(n, graph):
    # A directed graph is cyclic iff repeatedly removing sinks leaves something behind.
    alive = set(range(n))
    changed = True
    while changed:
        changed = False
        for v in list(alive):
            if not any(w in alive for w in graph[v]):
                alive.discard(v)
                changed = True
    return bool(alive)


def test_random_graphs():
    rng = random.Random(21)
    for _ in range(80):
        n = rng.randint(1, 8)
        graph = {v: [w for w in range(n) if rng.random() < 0.2] for v in range(n)}
        cycle = find_cycle(graph)
        assert (cycle is not None) == brute_has_cycle(n, graph)
        if cycle is not None:
            assert is_cycle(graph, cycle)


def test_deep_chain_does_not_recurse():
    graph = {i: [i + 1] for i in range(5000)}
    assert find_cycle(graph) is None
    graph[5000] = [0]
    assert len(find_cycle(graph)) == 5001


def test_none_like_nodes():
    assert find_cycle({0: [1], 1: [0]}) == [0, 1]


def test_none_as_node():
    assert find_cycle({"a": [None], None: ["a"]}) == ["a", None]
