"""Small 2D geometry toolkit: vectors, segments, polygons and convex hulls."""

from geometry_kit.convex_hull import convex_hull, is_convex
from geometry_kit.polygons import area, perimeter, point_location, signed_area
from geometry_kit.segments import on_segment, segments_intersect
from geometry_kit.vectors import Vec, distance, orientation

__all__ = [
    "Vec", "area", "convex_hull", "distance", "is_convex", "on_segment", "orientation", "perimeter",
    "point_location", "segments_intersect", "signed_area",
]
