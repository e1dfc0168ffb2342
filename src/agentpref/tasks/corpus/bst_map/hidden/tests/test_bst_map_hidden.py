import bisect
import random

from bst_map import BSTMap


def test_random_against_dict_reference():
    rng = random.Random(37)
    for _ in range(30):
        tree = BSTMap()
        ref = {}
        for _ in range(60):
            key = rng.randint(-20, 20)
            if rng.random() < 0.6:
                tree.put(key, key * 2)
                ref[key] = key * 2
            elif key in ref:
                tree.delete(key)
                del ref[key]
            keys = sorted(ref)
            assert tree.items() == [(k, ref[k]) for k in keys]
            assert len(tree) == len(ref)
            probe = rng.randint(-22, 22)
            i = bisect.bisect_right(keys, probe)
            assert tree.floor(probe) == (keys[i - 1] if i else None)
            j = bisect.bisect_left(keys, probe)
            assert tree.ceiling(probe) == (keys[j] if j < len(keys) else None)


def test_sorted_insertions_degenerate_tree():
    tree = BSTMap()
    for key in range(200):
        tree.put(key, key)
    assert tree.keys() == list(range(200))
    assert tree.floor(1000) == 199
    tree.delete(0)
    assert tree.min_key() == 1


def test_none_value_is_stored():
    tree = BSTMap()
    tree.put(1, None)
    assert 1 in tree
    assert tree.get(1, "missing") is None


def test_repeated_root_deletion_and_float_queries():
    tree = BSTMap()
    for key in [8, 4, 12, 2, 6, 10, 14, -3]:
        tree.put(key, key)
    remaining = sorted([8, 4, 12, 2, 6, 10, 14, -3])
    for key in [8, 10, 4, 12, 6, 2, 14, -3]:  # mostly the current root, often with two children
        tree.delete(key)
        remaining.remove(key)
        assert tree.keys() == remaining
    tree.put(1.5, "x")
    assert tree.floor(1.49) is None
    assert tree.ceiling(-100) == 1.5
