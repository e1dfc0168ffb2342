"""Two-colouring of undirected graphs by breadth-first search, with an odd-cycle witness.

A graph is a dict mapping nodes to neighbour lists. An edge may be listed from either end (or
both); it is treated as undirected. Components are coloured in dict order, each starting with
colour 0 at its first node.
"""

from collections import deque


def symmetric(graph):
    """Adjacency dict where every edge appears in both directions (neighbours in first-seen order)."""
    adj = {node: [] for node in graph}
    for node, neighbours in graph.items():
        for other in neighbours:
            adj.setdefault(other, [])
            if other not in adj[node]:
                adj[node].append(other)
            if node not in adj[other]:
                adj[other].append(node)
    return adj


def _colour_or_conflict(graph):
    """Return ``(colour, parent, conflict)`` where conflict is an edge joining equal colours."""
    adj = symmetric(graph)
    colour, parent = {}, {}
    for root in adj:
        if root in colour:
            continue
        colour[root] = 0
        parent[root] = None
        queue = deque([root])
        while queue:
            node = queue.popleft()
            for other in adj[node]:
                if other not in colour:
                    colour[other] = 1 - colour[node]
                    parent[other] = node
                    queue.append(other)
                elif colour[other] == colour[node]:
                    return colour, parent, (node, other)
    return colour, parent, None


def two_colour(graph):
    """Map each node to 0 or 1 so that every edge joins different colours, or None if impossible."""
    colour, _, conflict = _colour_or_conflict(graph)
    return None if conflict else colour


def is_bipartite(graph):
    return two_colour(graph) is not None


def partition(graph):
    """The two sides ``(side0, side1)`` as lists in colouring order; raises ValueError if not bipartite."""
    colour = two_colour(graph)
    if colour is None:
        raise ValueError("graph is not bipartite")
    return [n for n, c in colour.items() if c == 0], [n for n, c in colour.items() if c == 1]


def odd_cycle(graph):
    """An odd cycle ``[v0, ..., vk]`` (closing edge ``vk - v0``) proving the graph is not
    bipartite, or None when it is bipartite. A self-loop gives ``[v]``."""
    _, parent, conflict = _colour_or_conflict(graph)
    if conflict is None:
        return None
    u, v = conflict
    if u == v:
        return [u]
    up = [u]
    while parent[up[-1]] is not None:
        up.append(parent[up[-1]])
    vp = [v]
    while parent[vp[-1]] is not None:
        vp.append(parent[vp[-1]])
    # Drop the common part of both root paths, keeping their lowest common ancestor once.
    while len(up) > 1 and len(vp) > 1 and up[-2] == vp[-2]:
        up.pop()
        vp.pop()
    return up + vp[-2::-1]
