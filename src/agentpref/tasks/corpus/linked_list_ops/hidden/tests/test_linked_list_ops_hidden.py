import random

from linked_list_ops import LinkedList


def test_random_against_python_list():
    rng = random.Random(31)
    for _ in range(30):
        ll = LinkedList()
        ref = []
        for _ in range(50):
            op = rng.random()
            value = rng.randint(0, 5)
            if op < 0.3:
                ll.append(value)
                ref.append(value)
            elif op < 0.5:
                index = rng.randint(0, len(ref))
                ll.insert(index, value)
                ref.insert(index, value)
            elif op < 0.65 and ref:
                index = rng.randint(-len(ref), len(ref) - 1)
                assert ll.pop(index) == ref.pop(index)
            elif op < 0.8:
                if value in ref:
                    ll.remove(value)
                    ref.remove(value)
            elif op < 0.9:
                ll.reverse()
                ref.reverse()
            else:
                assert ll.find(value) == (ref.index(value) if value in ref else -1)
            assert ll.to_list() == ref
            assert len(ll) == len(ref)


def test_none_values():
    ll = LinkedList([None, 1])
    assert ll.find(None) == 0
    ll.remove(None)
    assert ll.to_list() == [1]


def test_reverse_twice_restores():
    ll = LinkedList(range(6))
    ll.reverse()
    ll.reverse()
    assert ll.to_list() == list(range(6))


def test_single_element_pop_then_rebuild():
    ll = LinkedList(["only"])
    assert ll.pop(0) == "only"
    assert ll.to_list() == []
    ll.insert(0, "b")
    ll.insert(0, "a")
    ll.insert(2, "c")
    ll.reverse()
    assert [ll.get(i) for i in range(3)] == ["c", "b", "a"]
    assert ll.find("a") == 2
