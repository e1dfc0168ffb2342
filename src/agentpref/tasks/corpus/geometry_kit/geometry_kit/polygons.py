"""Simple polygons given as lists of vertices in order (the last edge closes the polygon)."""

from geometry_kit.segments import on_segment
from geometry_kit.vectors import as_vec, distance


def _vertices(polygon):
    points = [as_vec(p) for p in polygon]
    if len(points) < 3:
        raise ValueError("a polygon needs at least 3 vertices")
    return points


def signed_area(polygon):
    """Shoelace area: positive for counter-clockwise vertex order, negative for clockwise."""
    points = _vertices(polygon)
    total = 0
    for i, current in enumerate(points):
        following = points[(i + 1) % len(points)]
        total += current.cross(following)
    return total / 2


def area(polygon):
    """Unsigned area of a simple polygon."""
    return abs(signed_area(polygon))


def perimeter(polygon):
    """Total length of all edges, including the closing edge."""
    points = _vertices(polygon)
    return sum(distance(points[i - 1], points[i]) for i in range(len(points)))


def point_location(polygon, point):
    """Return ``"inside"``, ``"outside"`` or ``"boundary"`` for ``point`` and a simple polygon.

    Uses ray casting towards +x; points on an edge or vertex are ``"boundary"``.
    """
    points = _vertices(polygon)
    p = as_vec(point)
    inside = False
    for i in range(len(points)):
        a, b = points[i - 1], points[i]
        if on_segment(p, a, b):
            return "boundary"
        # Half-open rule on y so a ray through a vertex is counted exactly once.
        if (a.y > p.y) != (b.y > p.y):
            x_cross = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y)
            if p.x < x_cross:
                inside = not inside
    return "inside" if inside else "outside"
