import random
from itertools import combinations

from lcs_strings import is_subsequence, lcs, lcs_length


def brute_lcs_length(a, b):
    for size in range(min(len(a), len(b)), 0, -1):
        for idx in combinations(range(len(a)), size):
            if is_subsequence("".join(a[i] for i in idx), b):
                return size
    return 0


def test_random_strings_match_brute_force():
    rng = random.Random(51)
    for _ in range(60):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 7)))
        expected = brute_lcs_length(a, b)
        assert lcs_length(a, b) == expected
        result = lcs(a, b)
        assert len(result) == expected and is_subsequence(result, a) and is_subsequence(result, b)


def test_tuples():
    assert lcs((1, 2, 3), (3, 2, 1)) in ([1], [2], [3])


def test_long_identical():
    s = "abcdefghij" * 20
    assert lcs(s, s) == s
