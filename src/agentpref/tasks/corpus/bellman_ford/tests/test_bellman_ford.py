import math

import pytest

from bellman_ford import NegativeCycleError, bellman_ford, has_negative_cycle, path_to


def test_single_node():
    assert bellman_ford(1, [], 0) == ([0], [None])


def test_positive_weights():
    edges = [(0, 1, 4), (0, 2, 1), (2, 1, 2), (1, 3, 1), (2, 3, 5)]
    dist, prev = bellman_ford(4, edges, 0)
    assert dist == [0, 3, 1, 4]
    assert prev == [None, 2, 0, 1]
    assert path_to(prev, 0, 3) == [0, 2, 1, 3]


def test_negative_edges_without_cycle():
    edges = [(0, 1, 5), (0, 2, 2), (1, 2, -4), (2, 3, 1)]
    dist, prev = bellman_ford(4, edges, 0)
    assert dist == [0, 5, 1, 2]
    assert path_to(prev, 0, 3) == [0, 1, 2, 3]


def test_edges_in_unhelpful_order_need_all_rounds():
    edges = [(3, 4, 1), (2, 3, 1), (1, 2, 1), (0, 1, 1)]
    dist, _ = bellman_ford(5, edges, 0)
    assert dist == [0, 1, 2, 3, 4]


def test_unreachable_nodes():
    dist, prev = bellman_ford(3, [(1, 2, -1)], 0)
    assert dist == [0, math.inf, math.inf]
    assert prev == [None, None, None]
    assert path_to(prev, 0, 2) == []


def test_path_to_source():
    _, prev = bellman_ford(2, [(0, 1, 3)], 0)
    assert path_to(prev, 0, 0) == [0]


def test_negative_cycle_raises_with_cycle():
    edges = [(0, 1, 1), (1, 2, -1), (2, 3, -1), (3, 1, -1), (3, 4, 2)]
    with pytest.raises(NegativeCycleError) as info:
        bellman_ford(5, edges, 0)
    cycle = info.value.cycle
    assert sorted(cycle) == [1, 2, 3]
    start = cycle.index(1)
    assert cycle[start:] + cycle[:start] == [1, 2, 3]


def test_negative_self_loop():
    with pytest.raises(NegativeCycleError) as info:
        bellman_ford(2, [(0, 1, 1), (1, 1, -1)], 0)
    assert info.value.cycle == [1]


def test_zero_weight_cycle_is_fine():
    dist, _ = bellman_ford(3, [(0, 1, 1), (1, 2, -2), (2, 1, 2)], 0)
    assert dist == [0, 1, -1]


def test_unreachable_negative_cycle_ignored():
    edges = [(0, 1, 2), (2, 3, -5), (3, 2, 1)]
    dist, _ = bellman_ford(4, edges, 0)
    assert dist == [0, 2, math.inf, math.inf]


def test_has_negative_cycle_anywhere():
    assert has_negative_cycle(4, [(0, 1, 2), (2, 3, -5), (3, 2, 1)])
    assert not has_negative_cycle(3, [(0, 1, -1), (1, 2, -1)])
    assert not has_negative_cycle(0, [])


def test_error_is_value_error():
    with pytest.raises(ValueError):
        bellman_ford(2, [(0, 1, -1), (1, 0, -1)], 0)


@pytest.mark.parametrize("source", [-1, 3])
def test_bad_source(source):
    with pytest.raises(ValueError):
        bellman_ford(3, [], source)


def test_parallel_edges():
    dist, _ = bellman_ford(2, [(0, 1, 7), (0, 1, -3), (0, 1, 2)], 0)
    assert dist == [0, -3]
