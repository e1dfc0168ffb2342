"""2D vectors/points as named tuples, so plain ``(x, y)`` tuples compare equal to them."""

import math
from typing import NamedTuple


class Vec(NamedTuple):
    x: float
    y: float

    def __add__(self, other):
        return Vec(self.x + other[0], self.y + other[1])

    def __sub__(self, other):
        return Vec(self.x - other[0], self.y - other[1])

    def scale(self, factor):
        return Vec(self.x * factor, self.y * factor)

    def dot(self, other):
        return self.x * other[0] + self.y * other[1]

    def cross(self, other):
        """z-component of the 3D cross product: positive when ``other`` is counter-clockwise."""
        return self.x * other[1] - self.y * other[0]

    def norm(self):
        return math.hypot(self.x, self.y)


def as_vec(p):
    """Return ``p`` (any ``(x, y)`` pair) as a ``Vec``."""
    return p if isinstance(p, Vec) else Vec(p[0], p[1])


def distance(a, b):
    """Euclidean distance between two points."""
    return (as_vec(b) - as_vec(a)).norm()


def orientation(a, b, c):
    """Return 1 if ``a, b, c`` turn counter-clockwise, -1 if clockwise and 0 if collinear."""
    turn = (as_vec(b) - as_vec(a)).cross(as_vec(c) - as_vec(a))
    if turn > 0:
        return 1
    if turn < 0:
        return -1
    return 0
