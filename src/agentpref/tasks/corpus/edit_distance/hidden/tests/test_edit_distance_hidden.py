import random
from functools import lru_cache

from edit_distance import apply_operations, edit_distance, edit_operations


def recursive_distance(a, b, ins, dele, sub):
    @lru_cache(maxsize=None)
    def go(i, j):
        if i == len(a):
            return (len(b) - j) * ins
        if j == len(b):
            return (len(a) - i) * dele
        same = go(i + 1, j + 1) + (0 if a[i] == b[j] else sub)
        return min(same, go(i + 1, j) + dele, go(i, j + 1) + ins)

    return go(0, 0)


def test_random_strings_match_recursion():
    rng = random.Random(61)
    for _ in range(60):
        a = "".join(rng.choice("ab") for _ in range(rng.randint(0, 7)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        ins, dele, sub = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 4)
        expected = recursive_distance(a, b, ins, dele, sub)
        assert edit_distance(a, b, ins, dele, sub) == expected
        ops = edit_operations(a, b, ins, dele, sub)
        assert apply_operations(a, ops) == b
        costs = {"keep": 0, "insert": ins, "delete": dele, "substitute": sub}
        assert sum(costs[op[0]] for op in ops) == expected


def test_free_substitution():
    assert edit_distance("abc", "xyz", substitute_cost=0) == 0
