import math

import pytest

from floyd_warshall import diameter, floyd_warshall, path, transitive_closure

INF = math.inf

EDGES = [(0, 2, -2), (2, 3, 2), (3, 1, -1), (1, 0, 4), (1, 2, 3)]


def test_classic_example_distances():
    dist, _ = floyd_warshall(4, EDGES)
    assert dist == [
        [0, -1, -2, 0],
        [4, 0, 2, 4],
        [5, 1, 0, 2],
        [3, -1, 1, 0],
    ]


def test_classic_example_paths():
    _, nxt = floyd_warshall(4, EDGES)
    assert path(nxt, 0, 1) == [0, 2, 3, 1]
    assert path(nxt, 1, 3) == [1, 0, 2, 3]
    assert path(nxt, 3, 2) == [3, 1, 0, 2]
    assert path(nxt, 2, 2) == [2]


def test_empty_graph():
    assert floyd_warshall(0, []) == ([], [])
    assert diameter(0, []) == 0


def test_single_node():
    assert floyd_warshall(1, []) == ([[0]], [[0]])


def test_unreachable_pairs():
    dist, nxt = floyd_warshall(3, [(0, 1, 5)])
    assert dist == [[0, 5, INF], [INF, 0, INF], [INF, INF, 0]]
    assert path(nxt, 1, 0) == []
    assert path(nxt, 0, 2) == []


def test_parallel_edges_keep_cheapest():
    dist, _ = floyd_warshall(2, [(0, 1, 9), (0, 1, 3), (0, 1, 5)])
    assert dist[0][1] == 3


def test_indirect_cheaper_than_direct():
    dist, nxt = floyd_warshall(3, [(0, 2, 10), (0, 1, 3), (1, 2, 3)])
    assert dist[0][2] == 6
    assert path(nxt, 0, 2) == [0, 1, 2]


def test_path_through_last_node():
    dist, nxt = floyd_warshall(3, [(0, 2, 1), (2, 1, 1), (0, 1, 5)])
    assert dist[0][1] == 2
    assert path(nxt, 0, 1) == [0, 2, 1]


def test_negative_cycle_raises():
    with pytest.raises(ValueError):
        floyd_warshall(3, [(0, 1, 1), (1, 2, -3), (2, 0, 1)])


def test_negative_self_loop_raises():
    with pytest.raises(ValueError):
        floyd_warshall(2, [(1, 1, -1)])


def test_positive_self_loop_ignored():
    dist, _ = floyd_warshall(2, [(0, 0, 4), (0, 1, 1)])
    assert dist[0][0] == 0


def test_transitive_closure():
    reach = transitive_closure(4, [(0, 1), (1, 2), (3, 0)])
    assert reach == [
        [True, True, True, False],
        [False, True, True, False],
        [False, False, True, False],
        [True, True, True, True],
    ]


def test_transitive_closure_accepts_weighted_edges():
    assert transitive_closure(2, [(1, 0, 7)]) == [[True, False], [True, True]]


def test_diameter():
    assert diameter(4, EDGES) == 5
    assert diameter(3, [(0, 1, 2), (1, 2, 2)]) == 4
    assert diameter(1, []) == 0
