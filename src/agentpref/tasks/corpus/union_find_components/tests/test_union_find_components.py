import pytest

from union_find_components import DisjointSet, kruskal, minimum_spanning_tree


def test_initial_state():
    dsu = DisjointSet(4)
    assert dsu.components == 4
    assert [dsu.find(i) for i in range(4)] == [0, 1, 2, 3]
    assert dsu.groups() == [[0], [1], [2], [3]]


def test_empty_set():
    dsu = DisjointSet(0)
    assert dsu.components == 0
    assert dsu.groups() == []


def test_negative_size_raises():
    with pytest.raises(ValueError):
        DisjointSet(-1)


def test_union_and_connected():
    dsu = DisjointSet(5)
    assert dsu.union(0, 1) is True
    assert dsu.union(3, 4) is True
    assert dsu.connected(0, 1)
    assert dsu.connected(4, 3)
    assert not dsu.connected(1, 3)
    assert dsu.components == 3


def test_repeated_union_returns_false_and_keeps_count():
    dsu = DisjointSet(3)
    dsu.union(0, 1)
    assert dsu.union(1, 0) is False
    assert dsu.union(0, 0) is False
    assert dsu.components == 2
    assert dsu.set_size(0) == 2


def test_sizes_after_merging_sets():
    dsu = DisjointSet(6)
    dsu.union(0, 1)
    dsu.union(2, 3)
    dsu.union(3, 4)
    dsu.union(1, 4)
    assert dsu.set_size(2) == 5
    assert dsu.set_size(5) == 1
    assert dsu.groups() == [[0, 1, 2, 3, 4], [5]]


def test_union_by_rank_attaches_smaller_tree():
    dsu = DisjointSet(4)
    dsu.union(0, 1)
    root = dsu.find(0)
    dsu.union(2, root)
    assert dsu.find(2) == root
    assert dsu.rank[root] == 1
    dsu.union(3, 2)
    assert dsu.rank[root] == 1
    assert dsu.find(3) == root


def test_path_compression():
    dsu = DisjointSet(4)
    dsu.parent = [0, 0, 1, 2]
    assert dsu.find(3) == 0
    assert dsu.parent == [0, 0, 0, 0]


@pytest.mark.parametrize("x", [-1, 3])
def test_find_out_of_range(x):
    with pytest.raises(IndexError):
        DisjointSet(3).find(x)


def test_kruskal_classic():
    edges = [(0, 1, 4), (0, 2, 3), (1, 2, 1), (1, 3, 2), (2, 3, 4), (3, 4, 2), (4, 5, 6)]
    total, chosen = kruskal(6, edges)
    assert total == 14
    assert chosen == [(1, 2, 1), (1, 3, 2), (3, 4, 2), (0, 2, 3), (4, 5, 6)]


def test_kruskal_skips_cycle_edges():
    edges = [(0, 1, 1), (1, 2, 1), (0, 2, 1), (2, 3, 5)]
    assert kruskal(4, edges) == (7, [(0, 1, 1), (1, 2, 1), (2, 3, 5)])


def test_kruskal_negative_weights():
    assert kruskal(3, [(0, 1, -2), (1, 2, 3), (0, 2, -1)]) == (-3, [(0, 1, -2), (0, 2, -1)])


def test_kruskal_forest_when_disconnected():
    assert kruskal(4, [(0, 1, 2), (2, 3, 1)]) == (3, [(2, 3, 1), (0, 1, 2)])


def test_mst_raises_when_disconnected():
    with pytest.raises(ValueError):
        minimum_spanning_tree(3, [(0, 1, 1)])


def test_mst_single_and_empty():
    assert minimum_spanning_tree(1, []) == (0, [])
    assert minimum_spanning_tree(0, []) == (0, [])
