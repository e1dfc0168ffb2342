import pytest

from min_stack import MinStack


def test_empty_stack_errors():
    stack = MinStack()
    assert len(stack) == 0
    for method in (stack.pop, stack.top, stack.get_min, stack.get_max):
        with pytest.raises(IndexError):
            method()


def test_push_top_pop():
    stack = MinStack()
    stack.push(3)
    stack.push(7)
    assert stack.top() == 7
    assert len(stack) == 2
    assert stack.pop() == 7
    assert stack.top() == 3
    assert stack.pop() == 3
    assert len(stack) == 0


def test_single_element():
    stack = MinStack([5])
    assert stack.get_min() == 5
    assert stack.get_max() == 5
    assert stack.top() == 5


def test_min_tracks_pushes_and_pops():
    stack = MinStack()
    stack.push(5)
    stack.push(3)
    stack.push(4)
    assert stack.get_min() == 3
    stack.push(1)
    assert stack.get_min() == 1
    stack.pop()
    assert stack.get_min() == 3
    stack.pop()
    stack.pop()
    assert stack.get_min() == 5


def test_max_tracks_pushes_and_pops():
    stack = MinStack([2, 8, 6])
    assert stack.get_max() == 8
    stack.push(9)
    assert stack.get_max() == 9
    stack.pop()
    assert stack.get_max() == 8
    stack.pop()
    stack.pop()
    assert stack.get_max() == 2


def test_duplicates_of_minimum():
    stack = MinStack([2, 1, 1])
    stack.pop()
    assert stack.get_min() == 1
    stack.pop()
    assert stack.get_min() == 2


def test_negative_numbers():
    stack = MinStack([-1, -5, 3, -2])
    assert stack.get_min() == -5
    assert stack.get_max() == 3


@pytest.mark.parametrize(
    "items, low, high",
    [([4, 2, 3], 2, 4), ([1, 2, 3], 1, 3), ([3, 2, 1], 1, 3), ([9, 4, 6, 5], 4, 9)],
)
def test_min_max_after_pushes(items, low, high):
    stack = MinStack(items)
    assert stack.get_min() == low
    assert stack.get_max() == high
    assert stack.to_list() == items


def test_pop_many_order():
    stack = MinStack([1, 2, 3, 4])
    assert stack.pop_many(2) == [4, 3]
    assert stack.to_list() == [1, 2]
    assert stack.pop_many(0) == []


def test_pop_many_everything():
    stack = MinStack([1, 2, 3])
    assert stack.pop_many(3) == [3, 2, 1]
    assert len(stack) == 0


@pytest.mark.parametrize("count", [-1, 4])
def test_pop_many_invalid(count):
    stack = MinStack([1, 2, 3])
    with pytest.raises(ValueError):
        stack.pop_many(count)
    assert stack.to_list() == [1, 2, 3]


def test_clear():
    stack = MinStack([3, 1])
    stack.clear()
    assert len(stack) == 0
    stack.push(10)
    assert stack.get_min() == 10
