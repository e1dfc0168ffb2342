from directed_cycle import cycle_edges, find_cycle, has_cycle, is_cycle


def test_empty_graph():
    assert find_cycle({}) is None
    assert not has_cycle({})


def test_single_node_no_edges():
    assert find_cycle({"a": []}) is None


def test_self_loop():
    assert find_cycle({"a": ["a"]}) == ["a"]


def test_two_cycle():
    assert find_cycle({1: [2], 2: [1]}) == [1, 2]


def test_triangle():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c"]


def test_cycle_not_containing_start():
    graph = {"s": ["a"], "a": ["b"], "b": ["c"], "c": ["a"]}
    assert find_cycle(graph) == ["a", "b", "c"]


def test_dag_with_shared_descendant_is_acyclic():
    graph = {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": []}
    assert find_cycle(graph) is None


def test_cross_edge_to_finished_node_is_not_a_cycle():
    graph = {"a": ["b"], "b": [], "c": ["b", "a"]}
    assert find_cycle(graph) is None


def test_cycle_found_after_finished_branch():
    graph = {"a": ["b", "c"], "b": ["d"], "d": [], "c": ["e"], "e": ["c"]}
    assert find_cycle(graph) == ["c", "e"]


def test_cycle_in_second_component():
    graph = {1: [2], 2: [], 3: [4], 4: [5], 5: [3]}
    assert find_cycle(graph) == [3, 4, 5]


def test_successor_only_nodes():
    assert find_cycle({"a": ["b", "c"]}) is None


def test_long_chain_back_to_middle():
    graph = {i: [i + 1] for i in range(10)}
    graph[10] = [4]
    assert find_cycle(graph) == [4, 5, 6, 7, 8, 9, 10]


def test_has_cycle():
    assert has_cycle({"x": ["y"], "y": ["x"]})
    assert not has_cycle({"x": ["y"], "y": []})


def test_cycle_edges():
    assert cycle_edges(["a", "b", "c"]) == [("a", "b"), ("b", "c"), ("c", "a")]
    assert cycle_edges(["a"]) == [("a", "a")]
    assert cycle_edges([]) == []
    assert cycle_edges(None) == []


def test_is_cycle():
    graph = {"a": ["b"], "b": ["c"], "c": ["a"]}
    assert is_cycle(graph, ["b", "c", "a"])
    assert not is_cycle(graph, ["a", "c", "b"])
    assert not is_cycle(graph, ["a", "b", "c", "a"])
    assert not is_cycle(graph, [])
