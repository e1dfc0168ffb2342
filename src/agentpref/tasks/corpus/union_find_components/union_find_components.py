"""Disjoint-set union (union by rank, path compression) and Kruskal's minimum spanning tree."""


class DisjointSet:
    """Partition of the elements ``0 .. n-1`` into disjoint sets."""

    def __init__(self, n):
        if n < 0:
            raise ValueError("size must be non-negative")
        self.parent = list(range(n))
        self.rank = [0] * n
        self.size = [1] * n
        self.components = n

    def find(self, x):
        """Representative of the set containing ``x``; compresses the path on the way."""
        if not 0 <= x < len(self.parent):
            raise IndexError(f"element {x} out of range")
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a, b):
        """Merge the sets of ``a`` and ``b``; return False if they were already together."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.rank[ra] < self.rank[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        if self.rank[ra] == self.rank[rb]:
            self.rank[ra] += 1
        self.components -= 1
        return True

    def connected(self, a, b):
        return self.find(a) == self.find(b)

    def set_size(self, x):
        return self.size[self.find(x)]

    def groups(self):
        """All sets as sorted lists, ordered by their smallest element."""
        by_root = {}
        for x in range(len(self.parent)):
            by_root.setdefault(self.find(x), []).append(x)
        return sorted(by_root.values())


def kruskal(n, edges):
    """Minimum spanning forest of an undirected graph on ``0 .. n-1``.

    ``edges`` are ``(u, v, weight)`` triples. Returns ``(total_weight, chosen_edges)`` with the
    chosen edges in the order they were taken (by weight, ties in input order).
    """
    dsu = DisjointSet(n)
    total = 0
    chosen = []
    for u, v, weight in sorted(edges, key=lambda e: e[2]):
        if dsu.union(u, v):
            total += weight
            chosen.append((u, v, weight))
            if len(chosen) == n - 1:
                break
    return total, chosen


def minimum_spanning_tree(n, edges):
    """Like :func:`kruskal` but raises ValueError when the graph is not connected."""
    total, chosen = kruskal(n, edges)
    if n > 0 and len(chosen) != n - 1:
        raise ValueError("graph is not connected")
    return total, chosen
