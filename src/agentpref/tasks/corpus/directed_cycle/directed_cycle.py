"""Find a cycle in a directed graph with an iterative depth-first search.

A graph is a dict mapping each node to a list of successors; nodes that only appear as successors
are allowed. Nodes are explored in dict order and successors in list order, so results are
deterministic.
"""

WHITE, GREY, BLACK = 0, 1, 2
_EXHAUSTED = object()


def find_cycle(graph):
    """Return a cycle as a list ``[v0, v1, ..., vk]`` where each ``vi -> vi+1`` and ``vk -> v0``
    are edges, or None when the graph is acyclic. A self-loop gives ``[v]``."""
    colour = {}
    for root in graph:
        if colour.get(root, WHITE) != WHITE:
            continue
        path = [root]
        position = {root: 0}
        colour[root] = GREY
        stack = [iter(graph.get(root, ()))]
        while stack:
            node = next(stack[-1], _EXHAUSTED)
            if node is _EXHAUSTED:
                stack.pop()
                done = path.pop()
                del position[done]
                colour[done] = BLACK
                continue
            state = colour.get(node, WHITE)
            if state == GREY:
                return path[position[node]:]
            if state == WHITE:
                colour[node] = GREY
                position[node] = len(path)
                path.append(node)
                stack.append(iter(graph.get(node, ())))
    return None


def has_cycle(graph):
    return find_cycle(graph) is not None


def cycle_edges(cycle):
    """The edges ``(a, b)`` walked by a cycle returned from :func:`find_cycle`."""
    if not cycle:
        return []
    return [(cycle[i], cycle[(i + 1) % len(cycle)]) for i in range(len(cycle))]


def is_cycle(graph, cycle):
    """True when ``cycle`` is a non-empty list of distinct nodes whose edges all exist."""
    if not cycle or len(set(cycle)) != len(cycle):
        return False
    return all(b in graph.get(a, ()) for a, b in cycle_edges(cycle))
