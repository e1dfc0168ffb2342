import random

from geometry_kit import area, convex_hull, is_convex, orientation, point_location, segments_intersect, signed_area


def brute_hull_vertices(points):
    """Distinct points that are strict corners of the hull (no collinear edge points)."""
    unique = set(points)
    corners = set()
    for p in unique:
        others = [q for q in unique if q != p]
        # p is a corner if some direction makes it the unique extreme point.
        for dx, dy in ((1, 0.001), (-1, 0.002), (0.003, 1), (0.004, -1), (1, 1.0005), (1, -1.0007), (-1, 1.0011), (-1, -1.0013)):
            if all(p[0] * dx + p[1] * dy > q[0] * dx + q[1] * dy for q in others):
                corners.add(p)
    return corners


def test_random_hulls_contain_all_points():
    rng = random.Random(101)
    for _ in range(60):
        points = [(rng.randint(-10, 10), rng.randint(-10, 10)) for _ in range(rng.randint(3, 25))]
        hull = convex_hull(points)
        if len(hull) < 3:
            continue
        assert signed_area(hull) > 0
        assert is_convex(hull)
        for p in points:
            assert point_location(hull, p) in ("inside", "boundary")
        assert brute_hull_vertices(points) <= set(hull)


def test_random_hull_has_no_collinear_vertices():
    rng = random.Random(103)
    for _ in range(60):
        points = [(rng.randint(0, 6), rng.randint(0, 6)) for _ in range(rng.randint(3, 30))]
        hull = convex_hull(points)
        if len(hull) >= 3:
            n = len(hull)
            assert all(orientation(hull[i - 2], hull[i - 1], hull[i]) == 1 for i in range(n))


def test_area_invariant_under_rotation_of_vertex_list():
    poly = [(0, 0), (5, 0), (5, 2), (3, 2), (3, 5), (0, 5)]
    for k in range(len(poly)):
        assert area(poly[k:] + poly[:k]) == 19


def test_random_segment_symmetry():
    rng = random.Random(107)
    for _ in range(200):
        pts = [(rng.randint(-3, 3), rng.randint(-3, 3)) for _ in range(4)]
        a = segments_intersect(*pts)
        assert a == segments_intersect(pts[2], pts[3], pts[0], pts[1])
        assert a == segments_intersect(pts[1], pts[0], pts[3], pts[2])


def test_point_location_grid_in_rectangle():
    rect = [(0, 0), (6, 0), (6, 3), (0, 3)]
    for x in range(-1, 8):
        for y in range(-1, 5):
            if 0 < x < 6 and 0 < y < 3:
                expected = "inside"
            elif 0 <= x <= 6 and 0 <= y <= 3:
                expected = "boundary"
            else:
                expected = "outside"
            assert point_location(rect, (x, y)) == expected
