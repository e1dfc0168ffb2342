"""Sparse vector of fixed dimension that stores only its non-zero entries in a dict."""

import math


class SparseVector:
    def __init__(self, dim, entries=None):
        if dim < 0:
            raise ValueError("dimension must not be negative")
        self.dim = dim
        self._data = {}
        for index, value in (entries or {}).items():
            self[index] = value

    @classmethod
    def from_list(cls, values):
        return cls(len(values), {i: v for i, v in enumerate(values) if v != 0})

    def to_list(self):
        return [self._data.get(i, 0) for i in range(self.dim)]

    def _check_index(self, index):
        if not 0 <= index < self.dim:
            raise IndexError(f"index {index} out of range for dimension {self.dim}")

    def __getitem__(self, index):
        self._check_index(index)
        return self._data.get(index, 0)

    def __setitem__(self, index, value):
        """Set an entry; setting 0 removes it from storage."""
        self._check_index(index)
        if value == 0:
            self._data.pop(index, None)
        else:
            self._data[index] = value

    def nnz(self):
        """Number of stored (non-zero) entries."""
        return len(self._data)

    def _check_dim(self, other):
        if self.dim != other.dim:
            raise ValueError(f"dimension mismatch: {self.dim} != {other.dim}")

    def dot(self, other):
        self._check_dim(other)
        small, large = self._data, other._data
        if len(small) > len(large):
            small, large = large, small
        return sum(value * large.get(index, 0) for index, value in small.items())

    def __add__(self, other):
        self._check_dim(other)
        result = SparseVector(self.dim, self._data)
        for index, value in other._data.items():
            result[index] = result._data.get(index, 0) + value
        return result

    def __sub__(self, other):
        return self + other.scale(-1)

    def scale(self, factor):
        if factor == 0:
            return SparseVector(self.dim)
        return SparseVector(self.dim, {i: v * factor for i, v in self._data.items()})

    def norm(self):
        """Euclidean length."""
        return math.sqrt(sum(value * value for value in self._data.values()))

    def __eq__(self, other):
        if not isinstance(other, SparseVector):
            return NotImplemented
        return self.dim == other.dim and self._data == other._data

    def __repr__(self):
        return f"SparseVector({self.dim}, {dict(sorted(self._data.items()))})"
