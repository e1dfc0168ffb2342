"""Singly linked list with positional insert/pop, removal by value, search and in-place reversal."""


class _Node:
    __slots__ = ("value", "next")

    def __init__(self, value, next_node=None):
        self.value = value
        self.next = next_node


class LinkedList:
    def __init__(self, items=()):
        self._head = None
        self._size = 0
        for item in items:
            self.append(item)

    def __len__(self):
        return self._size

    def __iter__(self):
        node = self._head
        while node is not None:
            yield node.value
            node = node.next

    def to_list(self):
        return list(self)

    def _node_at(self, index):
        node = self._head
        for _ in range(index):
            node = node.next
        return node

    def _normalize(self, index):
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("linked list index out of range")
        return index

    def append(self, value):
        node = _Node(value)
        if self._head is None:
            self._head = node
        else:
            self._node_at(self._size - 1).next = node
        self._size += 1

    def prepend(self, value):
        self._head = _Node(value, self._head)
        self._size += 1

    def insert(self, index, value):
        """Insert so that ``value`` ends up at position ``index`` (0..len)."""
        if index < 0 or index > self._size:
            raise IndexError("insert position out of range")
        if index == 0:
            self.prepend(value)
            return
        prev = self._node_at(index - 1)
        prev.next = _Node(value, prev.next)
        self._size += 1

    def get(self, index):
        return self._node_at(self._normalize(index)).value

    def pop(self, index=-1):
        """Remove and return the value at ``index`` (default: the last one)."""
        index = self._normalize(index)
        if index == 0:
            node = self._head
            self._head = node.next
        else:
            prev = self._node_at(index - 1)
            node = prev.next
            prev.next = node.next
        self._size -= 1
        return node.value

    def remove(self, value):
        """Remove the first occurrence of ``value`` (ValueError if absent)."""
        prev = None
        node = self._head
        while node is not None:
            if node.value == value:
                if prev is None:
                    self._head = node.next
                else:
                    prev.next = node.next
                self._size -= 1
                return
            prev, node = node, node.next
        raise ValueError(f"{value!r} is not in the list")

    def find(self, value):
        """Index of the first occurrence of ``value``, or -1."""
        for index, item in enumerate(self):
            if item == value:
                return index
        return -1

    def reverse(self):
        prev = None
        node = self._head
        while node is not None:
            following = node.next
            node.next = prev
            prev = node
            node = following
        self._head = prev
