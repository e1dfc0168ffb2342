import random

from binary_heap_pq import PriorityQueue


def test_random_against_sorted_reference():
    rng = random.Random(21)
    for _ in range(30):
        pq = PriorityQueue()
        ref = {}  # item -> (priority, order)
        order = 0
        for _ in range(60):
            op = rng.random()
            if op < 0.45:
                item = rng.randint(0, 30)
                if item in ref:
                    continue
                priority = rng.randint(-10, 10)
                pq.push(item, priority)
                ref[item] = (priority, order)
                order += 1
            elif op < 0.7 and ref:
                item = rng.choice(sorted(ref))
                priority = rng.randint(-10, 10)
                pq.update(item, priority)
                ref[item] = (priority, ref[item][1])
            elif ref:
                best = min(ref, key=lambda k: ref[k])
                assert pq.pop() == (best, ref.pop(best)[0])
            assert len(pq) == len(ref)


def test_update_to_same_priority_keeps_order():
    pq = PriorityQueue()
    pq.push("a", 1)
    pq.push("b", 1)
    pq.update("a", 1)
    assert pq.pop() == ("a", 1)


def test_float_priorities():
    pq = PriorityQueue()
    pq.push("x", 0.5)
    pq.push("y", 0.25)
    pq.push("z", 0.75)
    assert pq.pop() == ("y", 0.25)
    assert pq.pop() == ("x", 0.5)


def test_raise_root_priority_and_negative_priorities():
    pq = PriorityQueue()
    for name, priority in [("a", -5), ("b", -1), ("c", -3), ("d", 0)]:
        pq.push(name, priority)
    pq.update("a", 10)
    assert pq.peek() == ("c", -3)
    assert [pq.pop()[0] for _ in range(4)] == ["c", "b", "d", "a"]
