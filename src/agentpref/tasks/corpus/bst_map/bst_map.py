"""Ordered map on an (unbalanced) binary search tree, with floor and ceiling queries."""


class _Node:
    __slots__ = ("key", "value", "left", "right")

    def __init__(self, key, value):
        self.key = key
        self.value = value
        self.left = None
        self.right = None


class BSTMap:
    def __init__(self):
        self._root = None
        self._size = 0

    def __len__(self):
        return self._size

    def put(self, key, value):
        """Insert ``key`` or replace its value."""
        if self._root is None:
            self._root = _Node(key, value)
            self._size = 1
            return
        node = self._root
        while True:
            if key < node.key:
                if node.left is None:
                    node.left = _Node(key, value)
                    break
                node = node.left
            elif key > node.key:
                if node.right is None:
                    node.right = _Node(key, value)
                    break
                node = node.right
            else:
                node.value = value
                return
        self._size += 1

    def _find(self, key):
        node = self._root
        while node is not None and node.key != key:
            node = node.left if key < node.key else node.right
        return node

    def get(self, key, default=None):
        node = self._find(key)
        return default if node is None else node.value

    def __contains__(self, key):
        return self._find(key) is not None

    def delete(self, key):
        """Remove ``key`` (KeyError if absent)."""
        self._root = self._delete(self._root, key)
        self._size -= 1

    def _delete(self, node, key):
        if node is None:
            raise KeyError(key)
        if key < node.key:
            node.left = self._delete(node.left, key)
        elif key > node.key:
            node.right = self._delete(node.right, key)
        else:
            if node.left is None:
                return node.right
            if node.right is None:
                return node.left
            successor = node.right
            while successor.left is not None:
                successor = successor.left
            node.key, node.value = successor.key, successor.value
            node.right = self._delete(node.right, successor.key)
        return node

    def items(self):
        """``(key, value)`` pairs in ascending key order."""
        result = []
        stack = []
        node = self._root
        while stack or node is not None:
            while node is not None:
                stack.append(node)
                node = node.left
            node = stack.pop()
            result.append((node.key, node.value))
            node = node.right
        return result

    def keys(self):
        return [key for key, _ in self.items()]

    def floor(self, key):
        """Largest stored key <= ``key``, or None."""
        node = self._root
        best = None
        while node is not None:
            if node.key <= key:
                best = node.key
                node = node.right
            else:
                node = node.left
        return best

    def ceiling(self, key):
        """Smallest stored key >= ``key``, or None."""
        node = self._root
        best = None
        while node is not None:
            if node.key >= key:
                best = node.key
                node = node.left
            else:
                node = node.right
        return best

    def min_key(self):
        if self._root is None:
            raise KeyError("min_key of empty map")
        node = self._root
        while node.left is not None:
            node = node.left
        return node.key

    def max_key(self):
        if self._root is None:
            raise KeyError("max_key of empty map")
        node = self._root
        while node.right is not None:
            node = node.right
        return node.key
