import random

from lru_cache_store import LRUCache


def test_random_operations_match_reference():
    rng = random.Random(11)
    for _ in range(30):
        capacity = rng.randint(1, 5)
        cache = LRUCache(capacity)
        order = []  # keys, least recent first
        values = {}
        for _ in range(60):
            key = rng.randint(0, 7)
            op = rng.random()
            if op < 0.45:
                value = rng.randint(-100, 100)
                expected = None
                if key in values:
                    order.remove(key)
                elif len(order) == capacity:
                    old = order.pop(0)
                    expected = (old, values.pop(old))
                order.append(key)
                values[key] = value
                assert cache.put(key, value) == expected
            elif op < 0.85:
                if key in values:
                    order.remove(key)
                    order.append(key)
                assert cache.get(key) == values.get(key)
            else:
                assert cache.delete(key) == (key in values)
                if key in values:
                    order.remove(key)
                    del values[key]
            assert cache.keys() == order
            assert len(cache) == len(order)


def test_delete_then_reinsert_is_most_recent():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.delete("a")
    cache.put("a", 3)
    assert cache.put("c", 4) == ("b", 2)
    assert cache.keys() == ["a", "c"]


def test_delete_only_entry_then_reuse():
    cache = LRUCache(1)
    cache.put("a", 1)
    assert cache.delete("a")
    assert cache.keys() == []
    assert cache.put("b", 2) is None
    assert cache.keys() == ["b"]


def test_tuple_keys():
    cache = LRUCache(2)
    cache.put((1, 2), "x")
    cache.put((3, 4), "y")
    assert cache.get((1, 2)) == "x"
    assert cache.put((5, 6), "z") == ((3, 4), "y")
