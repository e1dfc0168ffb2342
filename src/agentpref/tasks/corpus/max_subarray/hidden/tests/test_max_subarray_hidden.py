import random

from max_subarray import max_circular_sum, max_subarray


def brute(nums):
    best = None
    for stop in range(1, len(nums) + 1):
        for start in range(stop):
            s = sum(nums[start:stop])
            if best is None or s > best[0]:
                best = (s, start, stop)
    return best


def brute_circular(nums):
    n = len(nums)
    return max(sum(nums[(start + k) % n] for k in range(length)) for start in range(n) for length in range(1, n + 1))


def test_random_lists_match_brute_force():
    rng = random.Random(101)
    for _ in range(100):
        nums = [rng.randint(-6, 6) for _ in range(rng.randint(1, 10))]
        assert max_subarray(nums) == brute(nums)
        assert max_circular_sum(nums) == brute_circular(nums)


def test_tuple_input():
    assert max_subarray((1, -2, 3)) == (3, 2, 3)


def test_input_not_modified():
    nums = [1, -2, 3]
    max_circular_sum(nums)
    assert nums == [1, -2, 3]
