"""All-pairs shortest paths (Floyd-Warshall) with path reconstruction and transitive closure.

Nodes are ``0 .. n-1``; edges are directed ``(u, v, weight)`` triples (negative weights allowed).
"""

import math


def floyd_warshall(n, edges):
    """Return ``(dist, nxt)``: ``dist[i][j]`` is the shortest distance (``math.inf`` if none) and
    ``nxt[i][j]`` the node after ``i`` on such a path (None if unreachable).

    Raises ValueError when the graph contains a negative cycle.
    """
    dist = [[math.inf] * n for _ in range(n)]
    nxt = [[None] * n for _ in range(n)]
    for i in range(n):
        dist[i][i] = 0
        nxt[i][i] = i
    for u, v, weight in edges:
        if weight < dist[u][v]:
            dist[u][v] = weight
            nxt[u][v] = v
    for k in range(n):
        for i in range(n):
            if dist[i][k] == math.inf:
                continue
            for j in range(n):
                candidate = dist[i][k] + dist[k][j]
                if candidate < dist[i][j]:
                    dist[i][j] = candidate
                    nxt[i][j] = nxt[i][k]
    if any(dist[i][i] < 0 for i in range(n)):
        raise ValueError("graph contains a negative cycle")
    return dist, nxt


def path(nxt, u, v):
    """Node list of a shortest path from ``u`` to ``v``; [] when ``v`` is unreachable."""
    if nxt[u][v] is None:
        return []
    nodes = [u]
    while u != v:
        u = nxt[u][v]
        nodes.append(u)
    return nodes


def transitive_closure(n, edges):
    """``reach[i][j]`` is True when ``j`` can be reached from ``i`` (every node reaches itself)."""
    reach = [[i == j for j in range(n)] for i in range(n)]
    for u, v, *_ in edges:
        reach[u][v] = True
    for k in range(n):
        for i in range(n):
            if reach[i][k]:
                for j in range(n):
                    reach[i][j] = reach[i][j] or reach[k][j]
    return reach


def diameter(n, edges):
    """Largest finite shortest-path distance between two nodes (0 for fewer than two nodes)."""
    dist, _ = floyd_warshall(n, edges)
    finite = [d for row in dist for d in row if d != math.inf]
    return max(finite, default=0)
