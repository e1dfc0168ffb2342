import math
import random

from floyd_warshall import floyd_warshall, path, transitive_closure


def dijkstra_like(n, edges, s):
    # Plain label-correcting relaxation (non-negative weights in this test).
    dist = [math.inf] * n
    dist[s] = 0
    for _ in range(n):
        for u, v, w in edges:
            if dist[u] + w < dist[v]:
                dist[v] = dist[u] + w
    return dist


def test_random_non_negative_graphs():
    rng = random.Random(31)
    for _ in range(30):
        n = rng.randint(1, 7)
        edges = [(rng.randrange(n), rng.randrange(n), rng.randint(0, 9)) for _ in range(rng.randint(0, 14))]
        dist, nxt = floyd_warshall(n, edges)
        reach = transitive_closure(n, edges)
        for s in range(n):
            assert dist[s] == dijkstra_like(n, edges, s)
            for t in range(n):
                assert reach[s][t] == (dist[s][t] < math.inf)
                nodes = path(nxt, s, t)
                if dist[s][t] < math.inf:
                    cost = sum(min(w for a, b, w in edges if a == x and b == y) for x, y in zip(nodes, nodes[1:]))
                    assert nodes[0] == s and nodes[-1] == t and cost == dist[s][t]
                else:
                    assert nodes == []


def test_input_edges_not_modified():
    edges = [(0, 1, 2), (1, 0, 2)]
    floyd_warshall(2, edges)
    assert edges == [(0, 1, 2), (1, 0, 2)]
