"""Single-source shortest paths with Dijkstra's algorithm, plus path reconstruction.

A graph is a dict mapping each node to a list of ``(neighbour, weight)`` pairs (directed edges).
Nodes that only appear as neighbours are allowed. Weights must be non-negative.
"""

import heapq
import math


def dijkstra(graph, source):
    """Return ``(dist, prev)``: shortest distance to every reachable node and its predecessor.

    ``prev[source]`` is None. Raises ValueError for an unknown source or a negative weight.
    """
    nodes = set(graph)
    for edges in graph.values():
        for node, weight in edges:
            nodes.add(node)
            if weight < 0:
                raise ValueError(f"negative weight {weight} on edge to {node!r}")
    if source not in nodes:
        raise ValueError(f"unknown source {source!r}")

    dist = {source: 0}
    prev = {source: None}
    done = set()
    heap = [(0, 0, source)]
    counter = 1  # tie-breaker so nodes themselves are never compared
    while heap:
        d, _, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for neighbour, weight in graph.get(node, ()):
            candidate = d + weight
            if neighbour not in dist or candidate < dist[neighbour]:
                dist[neighbour] = candidate
                prev[neighbour] = node
                heapq.heappush(heap, (candidate, counter, neighbour))
                counter += 1
    return dist, prev


def reconstruct(prev, target):
    """Path from the source to ``target`` following ``prev`` links; [] if target was not reached."""
    if target not in prev:
        return []
    path = []
    node = target
    while node is not None:
        path.append(node)
        node = prev[node]
    return path[::-1]


def shortest_path(graph, source, target):
    """Return ``(cost, path)`` of a shortest path, or ``(math.inf, [])`` when unreachable."""
    dist, prev = dijkstra(graph, source)
    if target not in dist:
        return math.inf, []
    return dist[target], reconstruct(prev, target)


def eccentricity(graph, source):
    """Largest shortest-path distance from ``source`` to any reachable node (0 if none)."""
    dist, _ = dijkstra(graph, source)
    return max(dist.values())
