"""Topological sorting with Kahn's algorithm.

A graph is a dict mapping each node to the nodes it points to (``a -> b`` means ``a`` must come
before ``b``). Nodes that only appear as targets are included. Among the nodes that are ready at
any moment the smallest one is emitted first, so the order is deterministic.
"""

import heapq


class CycleError(ValueError):
    """Raised when the graph has a cycle; ``remaining`` holds the nodes that could not be placed."""

    def __init__(self, remaining):
        super().__init__(f"graph has a cycle among {sorted(remaining)}")
        self.remaining = remaining


def in_degrees(graph):
    """Number of incoming edges of every node (duplicate edges count once)."""
    degree = {node: 0 for node in graph}
    for node, targets in graph.items():
        for target in set(targets):
            degree[target] = degree.get(target, 0) + 1
    return degree


def topological_sort(graph):
    """Return all nodes in an order where every edge points forward.

    Raises CycleError if no such order exists. The input graph is not modified.
    """
    degree = in_degrees(graph)
    ready = [node for node, d in degree.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for target in set(graph.get(node, ())):
            degree[target] -= 1
            if degree[target] == 0:
                heapq.heappush(ready, target)
    if len(order) < len(degree):
        placed = set(order)
        raise CycleError({node for node in degree if node not in placed})
    return order


def from_edges(edges):
    """Build a graph dict from ``(before, after)`` pairs."""
    graph = {}
    for before, after in edges:
        graph.setdefault(before, []).append(after)
        graph.setdefault(after, [])
    return graph


def layers(graph):
    """Group nodes into levels: level 0 has no predecessors, level k depends only on earlier ones."""
    level = {}
    for node in topological_sort(graph):
        level.setdefault(node, 0)
        for target in graph.get(node, ()):
            level[target] = max(level.get(target, 0), level[node] + 1)
    result = [[] for _ in range(max(level.values()) + 1)] if level else []
    for node in sorted(level):
        result[level[node]].append(node)
    return result
