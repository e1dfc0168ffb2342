import pytest

from bipartite_check import is_bipartite, odd_cycle, partition, symmetric, two_colour


def assert_odd_cycle(graph, cycle):
    adj = symmetric(graph)
    assert len(cycle) % 2 == 1
    assert len(set(cycle)) == len(cycle)
    for a, b in zip(cycle, cycle[1:] + cycle[:1]):
        assert b in adj[a]


def test_empty_graph():
    assert two_colour({}) == {}
    assert partition({}) == ([], [])
    assert odd_cycle({}) is None


def test_single_node():
    assert two_colour({"a": []}) == {"a": 0}


def test_single_edge_listed_once():
    assert two_colour({"a": ["b"]}) == {"a": 0, "b": 1}


def test_path_alternates():
    graph = {1: [2], 2: [3], 3: [4]}
    assert two_colour(graph) == {1: 0, 2: 1, 3: 0, 4: 1}
    assert partition(graph) == ([1, 3], [2, 4])


def test_even_cycle_is_bipartite():
    graph = {0: [1, 3], 1: [2], 2: [3]}
    assert is_bipartite(graph)
    assert odd_cycle(graph) is None


def test_triangle_is_not_bipartite():
    graph = {"a": ["b", "c"], "b": ["c"]}
    assert two_colour(graph) is None
    assert not is_bipartite(graph)
    cycle = odd_cycle(graph)
    assert sorted(cycle) == ["a", "b", "c"]
    assert_odd_cycle(graph, cycle)


def test_pentagon_odd_cycle():
    graph = {0: [1], 1: [2], 2: [3], 3: [4], 4: [0]}
    cycle = odd_cycle(graph)
    assert sorted(cycle) == [0, 1, 2, 3, 4]
    assert_odd_cycle(graph, cycle)


def test_odd_cycle_away_from_root():
    graph = {"r": ["x"], "x": ["p", "q"], "p": ["q"], "q": []}
    cycle = odd_cycle(graph)
    assert sorted(cycle) == ["p", "q", "x"]
    assert_odd_cycle(graph, cycle)


def test_self_loop():
    assert two_colour({"a": ["a"]}) is None
    assert odd_cycle({"a": ["b"], "b": ["b"]}) == ["b"]


def test_disconnected_components_each_start_at_zero():
    graph = {1: [2], 3: [4], 5: []}
    assert two_colour(graph) == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}


def test_odd_cycle_in_second_component():
    graph = {1: [2], 3: [4, 5], 4: [5]}
    assert not is_bipartite(graph)
    assert_odd_cycle(graph, odd_cycle(graph))


def test_complete_bipartite():
    graph = {"a": ["x", "y", "z"], "b": ["x", "y", "z"]}
    assert partition(graph) == (["a", "b"], ["x", "y", "z"])


def test_partition_raises_when_not_bipartite():
    with pytest.raises(ValueError):
        partition({1: [2], 2: [3], 3: [1]})


def test_symmetric_removes_duplicates():
    assert symmetric({"a": ["b", "b"], "b": ["a"]}) == {"a": ["b"], "b": ["a"]}


def test_input_not_modified():
    graph = {"a": ["b"]}
    two_colour(graph)
    assert graph == {"a": ["b"]}
