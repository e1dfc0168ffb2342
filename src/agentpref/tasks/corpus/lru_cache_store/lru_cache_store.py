"""Least-recently-used cache with a fixed capacity, built on a dict and a doubly linked list."""


class _Node:
    __slots__ = ("key", "value", "prev", "next")

    def __init__(self, key=None, value=None):
        self.key = key
        self.value = value
        self.prev = None
        self.next = None


class LRUCache:
    """Maps keys to values; when full, ``put`` evicts the least recently used entry."""

    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.evictions = 0
        self._map = {}
        self._head = _Node()  # sentinel before the least recently used entry
        self._tail = _Node()  # sentinel after the most recently used entry
        self._head.next = self._tail
        self._tail.prev = self._head

    def _unlink(self, node):
        node.prev.next = node.next
        node.next.prev = node.prev

    def _append(self, node):
        last = self._tail.prev
        last.next = node
        node.prev = last
        node.next = self._tail
        self._tail.prev = node

    def get(self, key, default=None):
        """Value for ``key`` (marking it most recently used), or ``default``."""
        node = self._map.get(key)
        if node is None:
            return default
        self._unlink(node)
        self._append(node)
        return node.value

    def peek(self, key, default=None):
        """Value for ``key`` without changing the eviction order."""
        node = self._map.get(key)
        return default if node is None else node.value

    def put(self, key, value):
        """Insert or update ``key``; returns the evicted ``(key, value)`` pair, or None."""
        node = self._map.get(key)
        if node is not None:
            node.value = value
            self._unlink(node)
            self._append(node)
            return None
        evicted = None
        if len(self._map) >= self.capacity:
            oldest = self._head.next
            self._unlink(oldest)
            del self._map[oldest.key]
            self.evictions += 1
            evicted = (oldest.key, oldest.value)
        node = _Node(key, value)
        self._map[key] = node
        self._append(node)
        return evicted

    def delete(self, key):
        """Remove ``key``; returns whether it was present."""
        node = self._map.pop(key, None)
        if node is None:
            return False
        self._unlink(node)
        return True

    def keys(self):
        """Keys from least to most recently used."""
        result = []
        node = self._head.next
        while node is not self._tail:
            result.append(node.key)
            node = node.next
        return result

    def __len__(self):
        return len(self._map)

    def __contains__(self, key):
        return key in self._map
