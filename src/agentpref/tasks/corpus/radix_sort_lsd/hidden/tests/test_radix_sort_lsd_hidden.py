import random

from radix_sort_lsd import radix_sort


def test_random_lists_match_sorted():
    rng = random.Random(19)
    for _ in range(60):
        nums = [rng.randint(-5000, 5000) for _ in range(rng.randint(0, 30))]
        assert radix_sort(nums) == sorted(nums)


def test_random_bases():
    rng = random.Random(23)
    for _ in range(40):
        base = rng.randint(2, 36)
        nums = [rng.randint(-300, 300) for _ in range(rng.randint(0, 20))]
        assert radix_sort(nums, base=base) == sorted(nums)


def test_powers_of_base():
    nums = [10**k for k in range(8)][::-1] + [0]
    assert radix_sort(nums) == sorted(nums)


def test_accepts_generator():
    assert radix_sort(x * 7 % 10 for x in range(5)) == [0, 1, 4, 7, 8]
