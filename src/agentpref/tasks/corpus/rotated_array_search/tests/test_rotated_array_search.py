import pytest

from rotated_array_search import find_rotation, rotate, rotated_search

ROTATED = [15, 18, 22, 3, 4, 9, 12]


@pytest.mark.parametrize(("target", "index"), [(15, 0), (18, 1), (22, 2), (3, 3), (4, 4), (9, 5), (12, 6)])
def test_finds_every_element(target, index):
    assert rotated_search(ROTATED, target) == index


@pytest.mark.parametrize("target", [0, 2, 5, 13, 16, 23, 100])
def test_missing_values(target):
    assert rotated_search(ROTATED, target) == -1


def test_empty_and_single():
    assert rotated_search([], 1) == -1
    assert rotated_search([7], 7) == 0
    assert rotated_search([7], 3) == -1


def test_not_rotated():
    nums = [-5, -2, 0, 4, 8]
    assert [rotated_search(nums, x) for x in nums] == [0, 1, 2, 3, 4]
    assert rotated_search(nums, 1) == -1


def test_two_elements():
    assert rotated_search([2, 1], 1) == 1
    assert rotated_search([2, 1], 2) == 0
    assert rotated_search([1, 2], 2) == 1


def test_rotation_by_one():
    nums = [9, 1, 2, 3, 4, 5]
    assert rotated_search(nums, 9) == 0
    assert rotated_search(nums, 5) == 5
    nums = [2, 3, 4, 5, 9, 1]
    assert rotated_search(nums, 1) == 5
    assert rotated_search(nums, 2) == 0


def test_find_rotation():
    assert find_rotation(ROTATED) == 3
    assert find_rotation([1, 2, 3]) == 0
    assert find_rotation([3, 1, 2]) == 1
    assert find_rotation([2, 3, 1]) == 2
    assert find_rotation([5]) == 0
    assert find_rotation([-1, -7, -4]) == 1


def test_find_rotation_empty_raises():
    with pytest.raises(ValueError):
        find_rotation([])


def test_rotate():
    assert rotate([1, 2, 3, 4], 1) == [2, 3, 4, 1]
    assert rotate([1, 2, 3, 4], 4) == [1, 2, 3, 4]
    assert rotate([1, 2, 3, 4], -1) == [4, 1, 2, 3]
    assert rotate([], 3) == []
