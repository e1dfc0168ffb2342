import math

import pytest

from dijkstra_paths import dijkstra, eccentricity, reconstruct, shortest_path

GRAPH = {
    "a": [("b", 7), ("c", 9), ("f", 14)],
    "b": [("a", 7), ("c", 10), ("d", 15)],
    "c": [("a", 9), ("b", 10), ("d", 11), ("f", 2)],
    "d": [("b", 15), ("c", 11), ("e", 6)],
    "e": [("d", 6), ("f", 9)],
    "f": [("a", 14), ("c", 2), ("e", 9)],
}


def test_distances_classic_graph():
    dist, _ = dijkstra(GRAPH, "a")
    assert dist == {"a": 0, "b": 7, "c": 9, "d": 20, "e": 20, "f": 11}


def test_predecessors_classic_graph():
    _, prev = dijkstra(GRAPH, "a")
    assert prev == {"a": None, "b": "a", "c": "a", "d": "c", "e": "f", "f": "c"}


def test_shortest_path_classic_graph():
    assert shortest_path(GRAPH, "a", "e") == (20, ["a", "c", "f", "e"])
    assert shortest_path(GRAPH, "e", "b") == (21, ["e", "d", "b"])


def test_source_equals_target():
    assert shortest_path(GRAPH, "d", "d") == (0, ["d"])


def test_longer_path_with_fewer_cost_wins():
    graph = {"s": [("t", 10), ("x", 1)], "x": [("y", 1)], "y": [("t", 1)]}
    assert shortest_path(graph, "s", "t") == (3, ["s", "x", "y", "t"])


def test_later_improvement_updates_distance():
    graph = {"s": [("a", 5), ("b", 1)], "b": [("a", 1)], "a": [("c", 1)]}
    dist, prev = dijkstra(graph, "s")
    assert dist == {"s": 0, "a": 2, "b": 1, "c": 3}
    assert prev["a"] == "b"


def test_unreachable_target():
    graph = {"a": [("b", 1)], "c": [("a", 1)]}
    assert shortest_path(graph, "a", "c") == (math.inf, [])


def test_target_only_as_neighbour():
    graph = {1: [(2, 4)], 2: [(3, 1)]}
    assert shortest_path(graph, 1, 3) == (5, [1, 2, 3])


def test_zero_weight_edges():
    graph = {"a": [("b", 0)], "b": [("c", 0)], "c": []}
    assert shortest_path(graph, "a", "c") == (0, ["a", "b", "c"])


def test_equal_cost_alternatives_keep_first_found():
    graph = {"s": [("a", 1), ("b", 1)], "a": [("t", 1)], "b": [("t", 1)]}
    cost, path = shortest_path(graph, "s", "t")
    assert cost == 2
    assert path == ["s", "a", "t"]


def test_float_weights():
    graph = {"a": [("b", 0.5), ("c", 2.0)], "b": [("c", 0.25)]}
    assert shortest_path(graph, "a", "c") == (0.75, ["a", "b", "c"])


def test_negative_weight_raises():
    with pytest.raises(ValueError):
        dijkstra({"a": [("b", -1)]}, "a")


def test_unknown_source_raises():
    with pytest.raises(ValueError):
        dijkstra({"a": [("b", 1)]}, "z")


def test_single_isolated_node():
    assert dijkstra({"a": []}, "a") == ({"a": 0}, {"a": None})
    assert eccentricity({"a": []}, "a") == 0


def test_eccentricity():
    assert eccentricity(GRAPH, "a") == 20
    assert eccentricity({"a": [("b", 3)], "b": [("c", 4)]}, "a") == 7


def test_reconstruct_missing_target():
    assert reconstruct({"a": None}, "b") == []
    assert reconstruct({"a": None, "b": "a"}, "b") == ["a", "b"]
