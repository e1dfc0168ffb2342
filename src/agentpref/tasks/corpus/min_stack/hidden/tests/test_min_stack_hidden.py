import random

from min_stack import MinStack


def test_random_against_list_reference():
    rng = random.Random(5)
    for _ in range(40):
        stack = MinStack()
        reference = []
        for _ in range(40):
            if reference and rng.random() < 0.4:
                assert stack.pop() == reference.pop()
            else:
                value = rng.randint(-10, 10)
                stack.push(value)
                reference.append(value)
            assert len(stack) == len(reference)
            if reference:
                assert stack.get_min() == min(reference)
                assert stack.get_max() == max(reference)
                assert stack.top() == reference[-1]


def test_works_with_strings():
    stack = MinStack(["pear", "apple", "zebra"])
    assert stack.get_min() == "apple"
    assert stack.get_max() == "zebra"


def test_errors_after_emptying():
    stack = MinStack([1])
    stack.pop()
    try:
        stack.get_min()
    except IndexError:
        pass
    else:
        raise AssertionError("expected IndexError")


def test_floats():
    stack = MinStack([1.5, -0.5, 2.25])
    assert stack.get_min() == -0.5
    assert stack.pop_many(1) == [2.25]
    assert stack.get_max() == 1.5
