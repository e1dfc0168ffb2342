import random
from itertools import combinations

from longest_increasing_subseq import count_longest, is_increasing, longest_increasing_subsequence


def brute(seq, strict):
    best_len, count = 0, 0
    for size in range(len(seq), 0, -1):
        for idx in combinations(range(len(seq)), size):
            if is_increasing([seq[i] for i in idx], strict):
                count += 1
        if count:
            return size, count
    return best_len, 0


def test_random_sequences_match_brute_force():
    rng = random.Random(91)
    for _ in range(60):
        seq = [rng.randint(-4, 4) for _ in range(rng.randint(0, 9))]
        for strict in (True, False):
            length, count = brute(seq, strict)
            result = longest_increasing_subsequence(seq, strict)
            assert len(result) == length and is_increasing(result, strict)
            it = iter(seq)
            assert all(any(x == y for y in it) for x in result)
            if strict:
                assert count_longest(seq) == count


def test_long_sorted_input():
    seq = list(range(2000))
    assert longest_increasing_subsequence(seq) == seq
