"""Plan road trips: load a road list, find the best route, and summarise the itinerary."""

from route_planner.itinerary import Summary, describe, format_duration, summarise
from route_planner.loader import ParseError, load_network, parse_line
from route_planner.network import Road, RoadNetwork
from route_planner.search import NoRouteError, plan_route, shortest_route

__all__ = [
    "NoRouteError", "ParseError", "Road", "RoadNetwork", "Summary", "describe", "format_duration",
    "load_network", "parse_line", "plan_route", "shortest_route", "summarise",
]
