import math
import random

from dijkstra_paths import dijkstra, shortest_path


def floyd(nodes, graph):
    dist = {(u, v): (0 if u == v else math.inf) for u in nodes for v in nodes}
    for u, edges in graph.items():
        for v, w in edges:
            dist[(u, v)] = min(dist[(u, v)], w)
    for k in nodes:
        for i in nodes:
            for j in nodes:
                if dist[(i, k)] + dist[(k, j)] < dist[(i, j)]:
                    dist[(i, j)] = dist[(i, k)] + dist[(k, j)]
    return dist


def test_random_graphs_match_floyd():
    rng = random.Random(5)
    for _ in range(30):
        n = rng.randint(1, 8)
        nodes = list(range(n))
        graph = {u: [(rng.randrange(n), rng.randint(0, 9)) for _ in range(rng.randint(0, 4))] for u in nodes}
        expected = floyd(nodes, graph)
        for s in nodes:
            dist, prev = dijkstra(graph, s)
            for t in nodes:
                cost, path = shortest_path(graph, s, t)
                assert cost == expected[(s, t)]
                if cost < math.inf:
                    assert path[0] == s and path[-1] == t
                    weight = sum(min(w for v, w in graph[a] if v == b) for a, b in zip(path, path[1:]))
                    assert weight == cost
                else:
                    assert path == [] and t not in dist


def test_parallel_edges_use_cheapest():
    graph = {"a": [("b", 5), ("b", 2), ("b", 9)]}
    assert shortest_path(graph, "a", "b") == (2, ["a", "b"])


def test_self_loop_ignored():
    graph = {"a": [("a", 1), ("b", 3)]}
    assert shortest_path(graph, "a", "b") == (3, ["a", "b"])


def test_tuple_nodes():
    graph = {(0, 0): [((0, 1), 1)], (0, 1): [((1, 1), 1)]}
    assert shortest_path(graph, (0, 0), (1, 1)) == (2, [(0, 0), (0, 1), (1, 1)])
