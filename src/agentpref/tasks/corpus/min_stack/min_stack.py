"""Stack that reports its minimum and maximum in constant time."""


class MinStack:
    """LIFO stack; every entry remembers the minimum and maximum of the stack below and at it."""

    def __init__(self, items=()):
        self._items = []  # entries: (value, minimum so far, maximum so far)
        for item in items:
            self.push(item)

    def push(self, value):
        if self._items:
            _, low, high = self._items[-1]
            if value < low:
                low = value
            if value > high:
                high = value
        else:
            low = high = value
        self._items.append((value, low, high))

    def _last(self, action):
        if not self._items:
            raise IndexError(f"{action} from empty stack")
        return self._items[-1]

    def pop(self):
        self._last("pop")
        return self._items.pop()[0]

    def top(self):
        return self._last("top")[0]

    def get_min(self):
        return self._last("get_min")[1]

    def get_max(self):
        return self._last("get_max")[2]

    def pop_many(self, count):
        """Pop ``count`` values and return them in the order they were popped."""
        if count < 0 or count > len(self._items):
            raise ValueError(f"cannot pop {count} items from a stack of {len(self._items)}")
        return [self._items.pop()[0] for _ in range(count)]

    def clear(self):
        self._items.clear()

    def to_list(self):
        """Values from bottom to top."""
        return [entry[0] for entry in self._items]

    def __len__(self):
        return len(self._items)
