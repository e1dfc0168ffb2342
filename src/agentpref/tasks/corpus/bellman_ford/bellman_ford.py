"""Bellman-Ford shortest paths with negative edge weights and negative-cycle detection.

Nodes are the integers ``0 .. n-1`` and edges are directed ``(u, v, weight)`` triples.
"""

import math


class NegativeCycleError(ValueError):
    """A negative cycle is reachable from the source; ``cycle`` lists its nodes in edge order."""

    def __init__(self, cycle):
        super().__init__(f"negative cycle through {cycle}")
        self.cycle = cycle


def bellman_ford(n, edges, source):
    """Return ``(dist, prev)`` lists; unreachable nodes have ``math.inf`` and ``None``.

    Raises NegativeCycleError when a negative cycle can be reached from ``source`` and
    ValueError when ``source`` is not a node.
    """
    if not 0 <= source < n:
        raise ValueError(f"source {source} is not a node")
    dist = [math.inf] * n
    prev = [None] * n
    dist[source] = 0
    for _ in range(n - 1):
        changed = False
        for u, v, weight in edges:
            if dist[u] + weight < dist[v]:
                dist[v] = dist[u] + weight
                prev[v] = u
                changed = True
        if not changed:
            break
    for u, v, weight in edges:
        if dist[u] + weight < dist[v]:
            prev[v] = u
            raise NegativeCycleError(_cycle_through(prev, v, n))
    return dist, prev


def _cycle_through(prev, node, n):
    """Walk back ``n`` steps to land on the cycle, then collect it in edge order."""
    for _ in range(n):
        node = prev[node]
    cycle = [node]
    current = prev[node]
    while current != node:
        cycle.append(current)
        current = prev[current]
    cycle.reverse()
    return cycle


def path_to(prev, source, target):
    """Nodes from ``source`` to ``target`` following ``prev``; [] when target is unreachable."""
    if target != source and prev[target] is None:
        return []
    path = [target]
    while path[-1] != source:
        path.append(prev[path[-1]])
    return path[::-1]


def has_negative_cycle(n, edges):
    """True when the graph has a negative cycle anywhere (not only reachable from one node)."""
    virtual = n
    extended = list(edges) + [(virtual, v, 0) for v in range(n)]
    try:
        bellman_ford(n + 1, extended, virtual)
    except NegativeCycleError:
        return True
    return False
