"""Cheapest routes through a RoadNetwork (Dijkstra), optionally through ordered stopovers."""

import heapq


class NoRouteError(LookupError):
    pass


def shortest_route(network, start, end, metric="minutes", price_per_km=0.0):
    """List of cities on a cheapest route from ``start`` to ``end`` under ``metric``."""
    for city in (start, end):
        if city not in network:
            raise KeyError(f"unknown city {city!r}")
    best = {start: 0.0}
    previous = {start: None}
    heap = [(0.0, start)]
    while heap:
        cost, city = heapq.heappop(heap)
        if city == end:
            break
        if cost > best[city]:
            continue
        for road in network.roads_from(city):
            candidate = cost + road.weight(metric, price_per_km)
            if road.end not in best or candidate < best[road.end]:
                best[road.end] = candidate
                previous[road.end] = city
                heapq.heappush(heap, (candidate, road.end))
    if end not in previous:
        raise NoRouteError(f"no route from {start!r} to {end!r}")
    route = [end]
    while previous[route[-1]] is not None:
        route.append(previous[route[-1]])
    return route[::-1]


def plan_route(network, start, end, via=(), metric="minutes", price_per_km=0.0):
    """Cheapest route visiting the ``via`` cities in the given order."""
    stops = [start, *via, end]
    route = [start]
    for a, b in zip(stops, stops[1:]):
        leg = shortest_route(network, a, b, metric, price_per_km)
        route.extend(leg[1:])
    return route
