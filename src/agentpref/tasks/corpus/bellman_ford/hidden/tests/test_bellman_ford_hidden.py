import math
import random

import pytest

from bellman_ford import NegativeCycleError, bellman_ford, path_to


def brute_reach(n, edges, source):
    seen, todo = {source}, [source]
    while todo:
        u = todo.pop()
        for a, b, _ in edges:
            if a == u and b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def test_random_dags_match_dynamic_programming():
    rng = random.Random(17)
    for _ in range(40):
        n = rng.randint(1, 8)
        edges = [(u, v, rng.randint(-5, 9)) for u in range(n) for v in range(u + 1, n) if rng.random() < 0.4]
        rng.shuffle(edges)
        expected = [math.inf] * n
        expected[0] = 0
        for u in range(n):
            for a, b, w in edges:
                if a == u and expected[a] + w < expected[b]:
                    expected[b] = expected[a] + w
        dist, prev = bellman_ford(n, edges, 0)
        assert dist == expected
        for t in range(n):
            path = path_to(prev, 0, t)
            if dist[t] < math.inf:
                assert path[0] == 0 and path[-1] == t


def test_random_cycles_are_real_negative_cycles():
    rng = random.Random(18)
    for _ in range(40):
        n = rng.randint(2, 6)
        edges = [(rng.randrange(n), rng.randrange(n), rng.randint(-4, 6)) for _ in range(rng.randint(1, 10))]
        try:
            bellman_ford(n, edges, 0)
        except NegativeCycleError as exc:
            cycle = exc.cycle
            assert set(cycle) <= brute_reach(n, edges, 0)
            weight = 0
            for a, b in zip(cycle, cycle[1:] + cycle[:1]):
                weight += min(w for x, y, w in edges if x == a and y == b)
            assert weight < 0


def test_two_node_negative_cycle():
    with pytest.raises(NegativeCycleError) as info:
        bellman_ford(2, [(0, 1, 1), (1, 0, -2)], 0)
    assert sorted(info.value.cycle) == [0, 1]
