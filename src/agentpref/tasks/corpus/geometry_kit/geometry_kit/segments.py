"""Closed line segments: point-on-segment and segment intersection tests."""

from geometry_kit.vectors import as_vec, orientation


def _within_box(p, a, b):
    return min(a.x, b.x) <= p.x <= max(a.x, b.x) and min(a.y, b.y) <= p.y <= max(a.y, b.y)


def on_segment(p, a, b):
    """Return True if point ``p`` lies on the closed segment from ``a`` to ``b`` (endpoints included)."""
    p, a, b = as_vec(p), as_vec(a), as_vec(b)
    return orientation(a, b, p) == 0 and _within_box(p, a, b)


def segments_intersect(p1, p2, q1, q2):
    """Return True if the closed segments ``p1-p2`` and ``q1-q2`` share at least one point."""
    p1, p2, q1, q2 = as_vec(p1), as_vec(p2), as_vec(q1), as_vec(q2)
    o1 = orientation(p1, p2, q1)
    o2 = orientation(p1, p2, q2)
    o3 = orientation(q1, q2, p1)
    o4 = orientation(q1, q2, p2)
    if o1 != o2 and o3 != o4 and 0 not in (o1, o2, o3, o4):
        return True
    # Touching or collinear cases: some endpoint lies on the other segment.
    return (
        on_segment(q1, p1, p2)
        or on_segment(q2, p1, p2)
        or on_segment(p1, q1, q2)
        or on_segment(p2, q1, q2)
    )
