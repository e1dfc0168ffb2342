import random
from itertools import combinations

from union_find_components import DisjointSet, kruskal


def brute_components(n, pairs):
    label = list(range(n))
    for a, b in pairs:
        la, lb = label[a], label[b]
        label = [la if x == lb else x for x in label]
    groups = {}
    for i, lab in enumerate(label):
        groups.setdefault(lab, []).append(i)
    return sorted(groups.values())


def test_random_unions_match_brute_force():
    rng = random.Random(9)
    for _ in range(50):
        n = rng.randint(1, 12)
        pairs = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(0, 15))]
        dsu = DisjointSet(n)
        for a, b in pairs:
            dsu.union(a, b)
        expected = brute_components(n, pairs)
        assert dsu.groups() == expected
        assert dsu.components == len(expected)
        for group in expected:
            assert all(dsu.set_size(x) == len(group) for x in group)


def brute_mst_weight(n, edges):
    best = None
    for subset in combinations(edges, n - 1):
        dsu = DisjointSet(n)
        if all(dsu.union(u, v) for u, v, _ in subset):
            weight = sum(w for _, _, w in subset)
            best = weight if best is None else min(best, weight)
    return best


def test_random_mst_weight_matches_brute_force():
    rng = random.Random(10)
    for _ in range(25):
        n = rng.randint(2, 5)
        edges = [(u, v, rng.randint(-3, 9)) for u, v in combinations(range(n), 2) if rng.random() < 0.8]
        expected = brute_mst_weight(n, edges)
        total, chosen = kruskal(n, edges)
        if expected is None:
            assert len(chosen) < n - 1
        else:
            assert total == expected and len(chosen) == n - 1


def test_long_chain_unions():
    dsu = DisjointSet(200)
    for i in range(199):
        dsu.union(i, i + 1)
    assert dsu.components == 1
    assert dsu.set_size(123) == 200
