import math

import pytest

from geometry_kit.convex_hull import convex_hull, is_convex
from geometry_kit.polygons import area, perimeter, point_location, signed_area
from geometry_kit.segments import on_segment, segments_intersect
from geometry_kit.vectors import Vec, as_vec, distance, orientation

SQUARE = [(0, 0), (4, 0), (4, 4), (0, 4)]
L_SHAPE = [(0, 0), (4, 0), (4, 1), (1, 1), (1, 3), (0, 3)]


def test_vector_arithmetic():
    a, b = Vec(1, 2), Vec(4, -1)
    assert a + b == (5, 1)
    assert b - a == (3, -3)
    assert a.scale(3) == (3, 6)
    assert a.dot(b) == 2
    assert a.cross(b) == -9
    assert b.cross(a) == 9
    assert Vec(3, 4).norm() == 5
    assert as_vec((1, 2)) == Vec(1, 2)


def test_distance():
    assert distance((0, 0), (3, 4)) == 5
    assert distance((-1, -1), (-1, 2)) == 3


def test_orientation():
    assert orientation((0, 0), (1, 0), (1, 1)) == 1
    assert orientation((0, 0), (1, 0), (1, -1)) == -1
    assert orientation((0, 0), (1, 1), (3, 3)) == 0


def test_on_segment():
    assert on_segment((2, 2), (0, 0), (4, 4))
    assert on_segment((0, 0), (0, 0), (4, 4))
    assert on_segment((4, 4), (0, 0), (4, 4))
    assert not on_segment((5, 5), (0, 0), (4, 4))
    assert not on_segment((2, 3), (0, 0), (4, 4))
    assert on_segment((0, 2), (0, 0), (0, 4))
    assert not on_segment((0, 5), (0, 0), (0, 4))


@pytest.mark.parametrize(
    ("p1", "p2", "q1", "q2", "expected"),
    [
        ((0, 0), (4, 4), (0, 4), (4, 0), True),
        ((0, 0), (2, 0), (3, 0), (5, 0), False),
        ((0, 0), (3, 0), (2, 0), (5, 0), True),
        ((0, 0), (2, 2), (2, 2), (3, 0), True),
        ((0, 0), (2, 0), (1, 1), (1, 3), False),
        ((0, 0), (2, 0), (1, 0), (1, 3), True),
        ((0, 0), (1, 1), (2, 0), (3, 5), False),
    ],
)
def test_segments_intersect(p1, p2, q1, q2, expected):
    assert segments_intersect(p1, p2, q1, q2) is expected
    assert segments_intersect(q1, q2, p1, p2) is expected


def test_area_and_orientation_sign():
    assert signed_area(SQUARE) == 16
    assert signed_area(SQUARE[::-1]) == -16
    assert area(SQUARE[::-1]) == 16
    assert area([(0, 0), (4, 0), (0, 3)]) == 6
    assert area(L_SHAPE) == 6


def test_perimeter():
    assert perimeter(SQUARE) == 16
    assert perimeter([(0, 0), (3, 0), (0, 4)]) == 12
    assert perimeter(L_SHAPE) == 14


def test_polygon_needs_three_vertices():
    with pytest.raises(ValueError):
        area([(0, 0), (1, 1)])
    with pytest.raises(ValueError):
        point_location([], (0, 0))


@pytest.mark.parametrize(
    ("point", "where"),
    [((2, 2), "inside"), ((5, 2), "outside"), ((-1, 2), "outside"), ((0, 2), "boundary"), ((4, 4), "boundary"),
     ((2, 0), "boundary"), ((2, 5), "outside"), ((0.5, 0.5), "inside")],
)
def test_point_location_square(point, where):
    assert point_location(SQUARE, point) == where


@pytest.mark.parametrize(
    ("point", "where"),
    [((0.5, 2), "inside"), ((2, 2), "outside"), ((3, 0.5), "inside"), ((1, 2), "boundary"), ((-1, 1), "outside"),
     ((-1, 3), "outside"), ((2, 1), "boundary")],
)
def test_point_location_concave(point, where):
    assert point_location(L_SHAPE, point) == where


def test_point_location_ray_through_vertex():
    diamond = [(0, -2), (2, 0), (0, 2), (-2, 0)]
    assert point_location(diamond, (0, 0)) == "inside"
    assert point_location(diamond, (-3, 0)) == "outside"
    assert point_location(diamond, (-1, 0)) == "inside"
    assert point_location(diamond, (3, 0)) == "outside"


def test_convex_hull_square_with_interior_points():
    points = [(0, 0), (4, 0), (4, 4), (0, 4), (2, 2), (1, 3), (2, 0), (0, 0)]
    assert convex_hull(points) == [(0, 0), (4, 0), (4, 4), (0, 4)]


def test_convex_hull_triangle_and_small_inputs():
    assert convex_hull([(1, 1), (0, 0), (2, 0)]) == [(0, 0), (2, 0), (1, 1)]
    assert convex_hull([]) == []
    assert convex_hull([(3, 3), (3, 3)]) == [(3, 3)]
    assert convex_hull([(2, 0), (0, 0)]) == [(0, 0), (2, 0)]
    assert convex_hull([(0, 0), (1, 1), (2, 2), (3, 3)]) == [(0, 0), (3, 3)]


def test_convex_hull_is_counter_clockwise_and_convex():
    points = [(0, 0), (5, 1), (3, 3), (6, 5), (1, 4), (-1, 2), (2, 2)]
    hull = convex_hull(points)
    assert hull == [(-1, 2), (0, 0), (5, 1), (6, 5), (1, 4)]
    assert signed_area(hull) > 0
    assert is_convex(hull)


def test_is_convex():
    assert is_convex(SQUARE)
    assert is_convex(SQUARE[::-1])
    assert not is_convex(L_SHAPE)
    assert is_convex([(0, 0), (2, 0), (4, 0), (4, 4), (0, 4)])


def test_circle_like_polygon():
    n = 12
    ring = [(math.cos(2 * math.pi * k / n), math.sin(2 * math.pi * k / n)) for k in range(n)]
    assert area(ring) == pytest.approx(3.0)
    assert point_location(ring, (0, 0)) == "inside"
