"""Fixed-capacity ring buffer (circular FIFO queue) with an optional overwrite mode."""


class RingBuffer:
    """Holds at most ``capacity`` items. When full, ``append`` raises OverflowError, or with
    ``overwrite=True`` drops the oldest item to make room."""

    def __init__(self, capacity, overwrite=False):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self.overwrite = overwrite
        self._data = [None] * capacity
        self._start = 0  # index of the oldest item
        self._size = 0

    def is_full(self):
        return self._size == self.capacity

    def append(self, item):
        if self._size == self.capacity:
            if not self.overwrite:
                raise OverflowError("ring buffer is full")
            self._data[self._start] = item
            self._start = (self._start + 1) % self.capacity
            return
        end = (self._start + self._size) % self.capacity
        self._data[end] = item
        self._size += 1

    def extend(self, items):
        for item in items:
            self.append(item)

    def popleft(self):
        """Remove and return the oldest item."""
        if self._size == 0:
            raise IndexError("popleft from empty ring buffer")
        item = self._data[self._start]
        self._data[self._start] = None
        self._start = (self._start + 1) % self.capacity
        self._size -= 1
        return item

    def pop(self):
        """Remove and return the newest item."""
        if self._size == 0:
            raise IndexError("pop from empty ring buffer")
        last = (self._start + self._size - 1) % self.capacity
        item = self._data[last]
        self._data[last] = None
        self._size -= 1
        return item

    def __getitem__(self, index):
        """Item by position, 0 being the oldest; negative indexes count from the newest."""
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("ring buffer index out of range")
        return self._data[(self._start + index) % self.capacity]

    def __iter__(self):
        for offset in range(self._size):
            yield self._data[(self._start + offset) % self.capacity]

    def __len__(self):
        return self._size

    def clear(self):
        self._data = [None] * self.capacity
        self._start = 0
        self._size = 0
