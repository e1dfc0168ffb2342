import pytest

from bst_map import BSTMap


def build(keys):
    tree = BSTMap()
    for key in keys:
        tree.put(key, str(key))
    return tree


KEYS = [50, 30, 70, 20, 40, 60, 80, 35, 45, 65]


def test_empty_map():
    tree = BSTMap()
    assert len(tree) == 0
    assert tree.get(1) is None
    assert tree.get(1, "d") == "d"
    assert tree.items() == []
    assert tree.floor(5) is None
    assert tree.ceiling(5) is None
    with pytest.raises(KeyError):
        tree.min_key()
    with pytest.raises(KeyError):
        tree.max_key()
    with pytest.raises(KeyError):
        tree.delete(1)


def test_put_get_and_order():
    tree = build(KEYS)
    assert len(tree) == len(KEYS)
    assert tree.keys() == sorted(KEYS)
    assert tree.get(35) == "35"
    assert tree.get(36) is None
    assert 65 in tree
    assert 66 not in tree


def test_put_replaces_value():
    tree = build([2, 1, 3])
    tree.put(1, "one")
    assert len(tree) == 3
    assert tree.get(1) == "one"
    assert tree.items() == [(1, "one"), (2, "2"), (3, "3")]


def test_min_and_max():
    tree = build(KEYS)
    assert tree.min_key() == 20
    assert tree.max_key() == 80
    assert build([-5]).min_key() == -5


@pytest.mark.parametrize(
    "key, floor, ceiling",
    [(50, 50, 50), (33, 30, 35), (36, 35, 40), (19, None, 20), (81, 80, None), (64, 60, 65),
     (66, 65, 70), (20, 20, 20), (80, 80, 80), (46, 45, 50)],
)
def test_floor_and_ceiling(key, floor, ceiling):
    tree = build(KEYS)
    assert tree.floor(key) == floor
    assert tree.ceiling(key) == ceiling


def test_delete_leaf():
    tree = build(KEYS)
    tree.delete(35)
    assert 35 not in tree
    assert tree.keys() == sorted(k for k in KEYS if k != 35)
    assert len(tree) == len(KEYS) - 1


def test_delete_node_with_one_child():
    tree = build(KEYS)
    tree.delete(60)
    assert tree.keys() == sorted(k for k in KEYS if k != 60)
    assert tree.get(65) == "65"


def test_delete_node_with_only_left_child():
    tree = build([50, 30, 70, 20, 10, 25])
    tree.delete(30)
    assert tree.keys() == [10, 20, 25, 50, 70]
    tree.delete(70)
    assert tree.keys() == [10, 20, 25, 50]
    tree.delete(50)
    assert tree.items() == [(10, "10"), (20, "20"), (25, "25")]
    assert tree.max_key() == 25


def test_delete_root_with_deep_successor():
    tree = build(KEYS)
    tree.delete(50)
    assert tree.keys() == sorted(k for k in KEYS if k != 50)
    assert tree.get(70) == "70"
    assert tree.get(60) == "60"
    assert tree.floor(59) == 45


def test_delete_node_whose_successor_is_its_right_child():
    tree = build([10, 5, 15, 20])
    tree.delete(15)
    assert tree.keys() == [5, 10, 20]


def test_delete_missing_key_keeps_size():
    tree = build([1, 2])
    with pytest.raises(KeyError):
        tree.delete(3)
    assert len(tree) == 2


def test_delete_everything():
    tree = build(KEYS)
    for key in KEYS:
        tree.delete(key)
    assert len(tree) == 0
    assert tree.items() == []
    tree.put(7, "x")
    assert tree.items() == [(7, "x")]


def test_string_keys():
    tree = build(["m", "c", "x", "a"])
    assert tree.keys() == ["a", "c", "m", "x"]
    assert tree.floor("d") == "c"
    assert tree.ceiling("n") == "x"
