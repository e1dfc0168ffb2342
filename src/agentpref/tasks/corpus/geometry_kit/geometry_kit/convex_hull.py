"""Convex hull (Andrew's monotone chain) and convexity test, built on ``orientation``."""

from geometry_kit.polygons import _vertices
from geometry_kit.vectors import as_vec, orientation


def _half_hull(points):
    chain = []
    for p in points:
        # Pop while the last turn is clockwise or straight: collinear points are dropped.
        while len(chain) >= 2 and orientation(chain[-2], chain[-1], p) <= 0:
            chain.pop()
        chain.append(p)
    return chain


def convex_hull(points):
    """Return the hull vertices counter-clockwise, starting at the lowest-x (then lowest-y) point.

    Duplicates and points on hull edges are left out. With fewer than three distinct
    points the distinct points are returned in sorted order.
    """
    unique = sorted({as_vec(p) for p in points})
    if len(unique) < 3:
        return unique
    lower = _half_hull(unique)
    upper = _half_hull(reversed(unique))
    # The last point of each chain is the first point of the other one.
    hull = lower[:-1] + upper[:-1]
    return hull


def is_convex(polygon):
    """Return True if the polygon's vertices all turn the same way (collinear vertices allowed)."""
    points = _vertices(polygon)
    n = len(points)
    turns = {orientation(points[i - 2], points[i - 1], points[i]) for i in range(n)}
    turns.discard(0)
    return len(turns) <= 1
