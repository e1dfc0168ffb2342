import pytest

from radix_sort_lsd import counting_pass, digit, num_digits, radix_sort


@pytest.mark.parametrize(
    "nums",
    [
        [],
        [0],
        [5],
        [2, 1],
        [170, 45, 75, 90, 802, 24, 2, 66],
        [10, 9, 100, 99, 1000, 1],
        [3, 3, 1, 3, 0],
        [-5, 3, -1, 0, -10, 7],
        [-1, -2, -3],
        [-100, -9, -10, -1],
        [9, 10, 11, 19, 20],
    ],
)
def test_matches_sorted(nums):
    assert radix_sort(nums) == sorted(nums)


@pytest.mark.parametrize("base", [2, 3, 16, 36])
def test_other_bases(base):
    nums = [255, 0, 16, 15, 1, 256, 31, -17, -16]
    assert radix_sort(nums, base=base) == sorted(nums)


def test_does_not_modify_input():
    nums = [3, 1, 2]
    radix_sort(nums)
    assert nums == [3, 1, 2]


def test_invalid_base():
    with pytest.raises(ValueError):
        radix_sort([1, 2], base=1)


def test_non_integers_rejected():
    with pytest.raises(TypeError):
        radix_sort([1, 2.5])
    with pytest.raises(TypeError):
        radix_sort([True, 0])


def test_digit():
    assert digit(4725, 0, 10) == 5
    assert digit(4725, 2, 10) == 7
    assert digit(4725, 4, 10) == 0
    assert digit(0b1011, 2, 2) == 0
    assert digit(0xAF, 1, 16) == 10


def test_num_digits():
    assert num_digits(0, 10) == 1
    assert num_digits(9, 10) == 1
    assert num_digits(10, 10) == 2
    assert num_digits(999, 10) == 3
    assert num_digits(1000, 10) == 4
    assert num_digits(8, 2) == 4


def test_counting_pass_is_stable():
    assert counting_pass([21, 11, 32, 12, 1], 0, 10) == [21, 11, 1, 32, 12]
    assert counting_pass([21, 11, 32, 12, 1], 1, 10) == [1, 11, 12, 21, 32]
