import random

from rotated_array_search import find_rotation, rotate, rotated_search


def test_every_rotation_every_target():
    base = [-8, -3, 0, 2, 5, 11, 14, 20]
    for k in range(len(base)):
        nums = rotate(base, k)
        assert find_rotation(nums) == (len(base) - k) % len(base)
        for target in range(-10, 23):
            expected = nums.index(target) if target in nums else -1
            assert rotated_search(nums, target) == expected


def test_random_against_index():
    rng = random.Random(37)
    for _ in range(100):
        base = sorted(rng.sample(range(-50, 50), rng.randint(1, 15)))
        nums = rotate(base, rng.randint(0, 20))
        target = rng.randint(-55, 55)
        expected = nums.index(target) if target in nums else -1
        assert rotated_search(nums, target) == expected


def test_rotate_large_k():
    assert rotate([1, 2, 3], 10) == [2, 3, 1]
    assert rotate([1, 2, 3], -10) == [3, 1, 2]


def test_rotate_does_not_modify_input():
    nums = [1, 2, 3]
    rotate(nums, 1)
    assert nums == [1, 2, 3]
