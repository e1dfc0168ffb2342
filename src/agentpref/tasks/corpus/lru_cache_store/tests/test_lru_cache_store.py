import pytest

from lru_cache_store import LRUCache


@pytest.mark.parametrize("capacity", [0, -1])
def test_invalid_capacity(capacity):
    with pytest.raises(ValueError):
        LRUCache(capacity)


def test_empty_cache():
    cache = LRUCache(2)
    assert len(cache) == 0
    assert cache.get("a") is None
    assert cache.get("a", 7) == 7
    assert cache.keys() == []
    assert "a" not in cache


def test_put_and_get():
    cache = LRUCache(3)
    assert cache.put("a", 1) is None
    assert cache.put("b", 2) is None
    assert cache.get("a") == 1
    assert cache.get("b") == 2
    assert len(cache) == 2
    assert "a" in cache


def test_evicts_least_recently_used():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.put("c", 3) == ("a", 1)
    assert "a" not in cache
    assert cache.keys() == ["b", "c"]
    assert len(cache) == 2
    assert cache.evictions == 1


def test_size_never_exceeds_capacity():
    cache = LRUCache(3)
    for i in range(10):
        cache.put(i, i * i)
        assert len(cache) <= 3
    assert cache.keys() == [7, 8, 9]
    assert cache.evictions == 7


def test_get_refreshes_recency():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    assert cache.put("c", 3) == ("b", 2)
    assert cache.keys() == ["a", "c"]


def test_update_refreshes_recency_without_eviction():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.put("a", 10) is None
    assert len(cache) == 2
    assert cache.evictions == 0
    assert cache.keys() == ["b", "a"]
    assert cache.put("c", 3) == ("b", 2)
    assert cache.get("a") == 10


def test_peek_does_not_refresh():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.peek("a") == 1
    assert cache.peek("zzz", "none") == "none"
    assert cache.put("c", 3) == ("a", 1)


def test_miss_does_not_change_order():
    cache = LRUCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("x") is None
    assert cache.keys() == ["a", "b"]


def test_capacity_one():
    cache = LRUCache(1)
    cache.put("a", 1)
    assert cache.put("b", 2) == ("a", 1)
    assert cache.keys() == ["b"]
    assert cache.get("a") is None
    assert cache.get("b") == 2


def test_delete():
    cache = LRUCache(3)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert cache.delete("b") is True
    assert cache.delete("b") is False
    assert cache.keys() == ["a", "c"]
    assert len(cache) == 2
    cache.put("d", 4)
    assert cache.evictions == 0
    assert cache.keys() == ["a", "c", "d"]


def test_none_and_falsy_values_are_stored():
    cache = LRUCache(2)
    cache.put("a", None)
    cache.put("b", 0)
    assert "a" in cache
    assert cache.get("a", "missing") is None
    assert cache.get("b", "missing") == 0
