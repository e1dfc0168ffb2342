import pytest

from linked_list_ops import LinkedList


def test_empty_list():
    ll = LinkedList()
    assert len(ll) == 0
    assert ll.to_list() == []
    assert ll.find(1) == -1
    with pytest.raises(IndexError):
        ll.pop()
    with pytest.raises(IndexError):
        ll.get(0)
    with pytest.raises(ValueError):
        ll.remove(1)


def test_append_and_prepend():
    ll = LinkedList()
    ll.append(2)
    ll.append(3)
    ll.prepend(1)
    assert ll.to_list() == [1, 2, 3]
    assert len(ll) == 3


@pytest.mark.parametrize(
    "index, expected",
    [(0, ["x", 1, 2, 3]), (1, [1, "x", 2, 3]), (2, [1, 2, "x", 3]), (3, [1, 2, 3, "x"])],
)
def test_insert_positions(index, expected):
    ll = LinkedList([1, 2, 3])
    ll.insert(index, "x")
    assert ll.to_list() == expected
    assert len(ll) == 4


def test_insert_into_empty_and_then_append():
    ll = LinkedList()
    ll.insert(0, "a")
    ll.append("b")
    assert ll.to_list() == ["a", "b"]


@pytest.mark.parametrize("index", [-1, 4])
def test_insert_out_of_range(index):
    ll = LinkedList([1, 2, 3])
    with pytest.raises(IndexError):
        ll.insert(index, "x")


def test_get_with_negative_index():
    ll = LinkedList([10, 20, 30])
    assert ll.get(0) == 10
    assert ll.get(2) == 30
    assert ll.get(-1) == 30
    assert ll.get(-3) == 10
    with pytest.raises(IndexError):
        ll.get(3)
    with pytest.raises(IndexError):
        ll.get(-4)


def test_pop_positions():
    ll = LinkedList([1, 2, 3, 4])
    assert ll.pop() == 4
    assert ll.pop(0) == 1
    assert ll.to_list() == [2, 3]
    assert ll.pop(1) == 3
    assert ll.pop(-1) == 2
    assert len(ll) == 0
    ll.append(9)
    assert ll.to_list() == [9]


def test_remove_first_occurrence_only():
    ll = LinkedList([1, 2, 3, 2])
    ll.remove(2)
    assert ll.to_list() == [1, 3, 2]
    assert len(ll) == 3


def test_remove_head_middle_and_tail():
    ll = LinkedList(["a", "b", "c", "d"])
    ll.remove("a")
    assert ll.to_list() == ["b", "c", "d"]
    ll.remove("c")
    assert ll.to_list() == ["b", "d"]
    ll.remove("d")
    assert ll.to_list() == ["b"]
    ll.append("e")
    assert ll.to_list() == ["b", "e"]


def test_remove_missing_keeps_list():
    ll = LinkedList([1, 2])
    with pytest.raises(ValueError):
        ll.remove(5)
    assert ll.to_list() == [1, 2]


def test_find():
    ll = LinkedList([5, 6, 7, 6])
    assert ll.find(5) == 0
    assert ll.find(6) == 1
    assert ll.find(7) == 2
    assert ll.find(8) == -1


@pytest.mark.parametrize("items", [[], [1], [1, 2], [1, 2, 3, 4, 5]])
def test_reverse(items):
    ll = LinkedList(items)
    ll.reverse()
    assert ll.to_list() == items[::-1]
    assert len(ll) == len(items)
    ll.append("end")
    assert ll.to_list() == items[::-1] + ["end"]
