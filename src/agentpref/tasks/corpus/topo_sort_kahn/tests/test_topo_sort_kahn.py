import pytest

from topo_sort_kahn import CycleError, from_edges, in_degrees, layers, topological_sort


def assert_valid_order(graph, order):
    position = {node: i for i, node in enumerate(order)}
    for node, targets in graph.items():
        for target in targets:
            assert position[node] < position[target]


def test_empty_graph():
    assert topological_sort({}) == []
    assert layers({}) == []


def test_single_node():
    assert topological_sort({"a": []}) == ["a"]


def test_chain():
    assert topological_sort({"c": ["d"], "b": ["c"], "a": ["b"]}) == ["a", "b", "c", "d"]


def test_smallest_ready_node_first():
    graph = {"b": ["d"], "a": ["d"], "c": [], "d": []}
    assert topological_sort(graph) == ["a", "b", "c", "d"]


def test_diamond():
    graph = {1: [2, 3], 2: [4], 3: [4], 4: []}
    assert topological_sort(graph) == [1, 2, 3, 4]


def test_order_respects_all_edges():
    graph = from_edges([(5, 11), (7, 11), (7, 8), (3, 8), (3, 10), (11, 2), (11, 9), (11, 10), (8, 9)])
    order = topological_sort(graph)
    assert sorted(order) == [2, 3, 5, 7, 8, 9, 10, 11]
    assert_valid_order(graph, order)
    assert order == [3, 5, 7, 8, 11, 2, 9, 10]


def test_target_only_nodes_included():
    assert topological_sort({"x": ["y", "z"]}) == ["x", "y", "z"]


def test_duplicate_edges():
    graph = {"a": ["b", "b"], "b": []}
    assert in_degrees(graph) == {"a": 0, "b": 1}
    assert topological_sort(graph) == ["a", "b"]


def test_cycle_raises_with_remaining_nodes():
    graph = {"a": ["b"], "b": ["c"], "c": ["a"], "start": ["a"]}
    with pytest.raises(CycleError) as info:
        topological_sort(graph)
    assert info.value.remaining == {"a", "b", "c"}


def test_self_loop_is_a_cycle():
    with pytest.raises(CycleError):
        topological_sort({"a": ["a"]})


def test_cycle_error_is_value_error():
    with pytest.raises(ValueError):
        topological_sort({1: [2], 2: [1]})


def test_cycle_downstream_of_valid_part():
    graph = {"a": ["b"], "b": ["c"], "c": ["d"], "d": ["c"]}
    with pytest.raises(CycleError) as info:
        topological_sort(graph)
    assert info.value.remaining == {"c", "d"}


def test_input_not_modified():
    graph = {"a": ["b"], "b": []}
    topological_sort(graph)
    assert graph == {"a": ["b"], "b": []}


def test_from_edges():
    assert from_edges([("a", "b"), ("a", "c")]) == {"a": ["b", "c"], "b": [], "c": []}


def test_in_degrees():
    assert in_degrees({1: [2, 3], 2: [3], 3: []}) == {1: 0, 2: 1, 3: 2}


def test_layers():
    graph = {1: [2, 3], 2: [4], 3: [4], 4: [], 5: [4]}
    assert layers(graph) == [[1, 5], [2, 3], [4]]
    assert layers({"a": ["b"], "b": ["c"], "c": [], "d": ["c"]}) == [["a", "d"], ["b"], ["c"]]
