"""Min-priority queue on a binary heap, with priority updates through a position index."""


class PriorityQueue:
    """Items with the smallest priority come out first; equal priorities come out in the order
    the items were pushed. Each item may be queued at most once."""

    def __init__(self):
        self._heap = []  # entries: [priority, insertion order, item]
        self._pos = {}  # item -> index of its entry in _heap
        self._counter = 0

    def __len__(self):
        return len(self._heap)

    def __contains__(self, item):
        return item in self._pos

    def _less(self, i, j):
        a, b = self._heap[i], self._heap[j]
        return (a[0], a[1]) < (b[0], b[1])

    def _swap(self, i, j):
        heap = self._heap
        heap[i], heap[j] = heap[j], heap[i]
        self._pos[heap[i][2]] = i
        self._pos[heap[j][2]] = j

    def _sift_up(self, i):
        while i > 0:
            parent = (i - 1) // 2
            if not self._less(i, parent):
                break
            self._swap(i, parent)
            i = parent

    def _sift_down(self, i):
        n = len(self._heap)
        while True:
            smallest = i
            for child in (2 * i + 1, 2 * i + 2):
                if child < n and self._less(child, smallest):
                    smallest = child
            if smallest == i:
                return
            self._swap(i, smallest)
            i = smallest

    def push(self, item, priority):
        if item in self._pos:
            raise KeyError(f"{item!r} is already queued")
        self._heap.append([priority, self._counter, item])
        self._counter += 1
        self._pos[item] = len(self._heap) - 1
        self._sift_up(len(self._heap) - 1)

    def peek(self):
        """The ``(item, priority)`` pair that ``pop`` would return, without removing it."""
        if not self._heap:
            raise IndexError("peek from empty priority queue")
        priority, _, item = self._heap[0]
        return item, priority

    def pop(self):
        """Remove and return the ``(item, priority)`` pair with the smallest priority."""
        if not self._heap:
            raise IndexError("pop from empty priority queue")
        self._swap(0, len(self._heap) - 1)
        priority, _, item = self._heap.pop()
        del self._pos[item]
        if self._heap:
            self._sift_down(0)
        return item, priority

    def update(self, item, priority):
        """Change the priority of a queued item (KeyError if it is not queued)."""
        i = self._pos[item]
        old = self._heap[i][0]
        self._heap[i][0] = priority
        if priority < old:
            self._sift_up(i)
        else:
            self._sift_down(i)

    def priority(self, item):
        return self._heap[self._pos[item]][0]
