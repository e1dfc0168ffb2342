import random

import pytest

from binary_heap_pq import PriorityQueue


def drain(pq):
    out = []
    while len(pq):
        out.append(pq.pop())
    return out


def test_empty_queue():
    pq = PriorityQueue()
    assert len(pq) == 0
    with pytest.raises(IndexError):
        pq.pop()
    with pytest.raises(IndexError):
        pq.peek()


def test_single_item():
    pq = PriorityQueue()
    pq.push("a", 3)
    assert pq.peek() == ("a", 3)
    assert len(pq) == 1
    assert pq.pop() == ("a", 3)
    assert len(pq) == 0
    assert "a" not in pq


@pytest.mark.parametrize(
    "priorities",
    [[5, 3, 8, 1, 9, 2], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1], [7, -3, 0, -8, 4, 4, 12, -1, 6, 2]],
)
def test_pops_in_priority_order(priorities):
    pq = PriorityQueue()
    for index, priority in enumerate(priorities):
        pq.push(f"item{index}", priority)
    assert [p for _, p in drain(pq)] == sorted(priorities)


def test_ties_pop_in_insertion_order():
    pq = PriorityQueue()
    for name in ["x", "y", "z", "w"]:
        pq.push(name, 1)
    assert [item for item, _ in drain(pq)] == ["x", "y", "z", "w"]


def test_ties_mixed_with_other_priorities():
    pq = PriorityQueue()
    pq.push("late", 2)
    pq.push("a", 1)
    pq.push("b", 1)
    pq.push("c", 0)
    assert [item for item, _ in drain(pq)] == ["c", "a", "b", "late"]


def test_duplicate_push_rejected():
    pq = PriorityQueue()
    pq.push("a", 1)
    with pytest.raises(KeyError):
        pq.push("a", 2)


def test_peek_does_not_remove():
    pq = PriorityQueue()
    pq.push("b", 2)
    pq.push("a", 1)
    assert pq.peek() == ("a", 1)
    assert len(pq) == 2


def test_update_lowers_priority():
    pq = PriorityQueue()
    pq.push("a", 5)
    pq.push("b", 3)
    pq.push("c", 4)
    pq.update("a", 1)
    assert pq.priority("a") == 1
    assert pq.pop() == ("a", 1)


def test_update_raises_priority():
    pq = PriorityQueue()
    pq.push("a", 1)
    pq.push("b", 3)
    pq.push("c", 4)
    pq.update("a", 10)
    assert [item for item, _ in drain(pq)] == ["b", "c", "a"]


def test_update_missing_item():
    pq = PriorityQueue()
    with pytest.raises(KeyError):
        pq.update("nope", 1)


def test_contains_and_reuse_after_pop():
    pq = PriorityQueue()
    pq.push("a", 1)
    assert "a" in pq
    pq.pop()
    assert "a" not in pq
    pq.push("a", 2)
    assert pq.peek() == ("a", 2)


def test_interleaved_operations_against_brute_force():
    rng = random.Random(2024)
    pq = PriorityQueue()
    ref = {}  # item -> (priority, push order)
    for order in range(400):
        op = rng.random()
        if op < 0.45 or not ref:
            item = f"job{order}"
            priority = rng.randint(-20, 20)
            pq.push(item, priority)
            ref[item] = (priority, order)
        elif op < 0.75:
            item = rng.choice(sorted(ref))
            priority = rng.randint(-20, 20)
            pq.update(item, priority)
            ref[item] = (priority, ref[item][1])
        else:
            best = min(ref, key=lambda k: ref[k])
            assert pq.pop() == (best, ref.pop(best)[0])
        assert len(pq) == len(ref)
        if ref:
            best = min(ref, key=lambda k: ref[k])
            assert pq.peek() == (best, ref[best][0])
    drained = [pq.pop() for _ in range(len(pq))]
    assert drained == [(k, ref[k][0]) for k in sorted(ref, key=lambda k: ref[k])]
