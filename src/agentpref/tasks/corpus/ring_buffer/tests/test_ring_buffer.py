import pytest

from ring_buffer import RingBuffer


@pytest.mark.parametrize("capacity", [0, -3])
def test_invalid_capacity(capacity):
    with pytest.raises(ValueError):
        RingBuffer(capacity)


def test_empty_buffer():
    buf = RingBuffer(3)
    assert len(buf) == 0
    assert list(buf) == []
    assert not buf.is_full()
    with pytest.raises(IndexError):
        buf.popleft()
    with pytest.raises(IndexError):
        buf.pop()
    with pytest.raises(IndexError):
        buf[0]


def test_fifo_order():
    buf = RingBuffer(3)
    buf.extend([1, 2, 3])
    assert buf.is_full()
    assert buf.popleft() == 1
    assert buf.popleft() == 2
    assert list(buf) == [3]


def test_full_without_overwrite_raises():
    buf = RingBuffer(2)
    buf.extend(["a", "b"])
    with pytest.raises(OverflowError):
        buf.append("c")
    assert list(buf) == ["a", "b"]


def test_overwrite_drops_oldest():
    buf = RingBuffer(3, overwrite=True)
    buf.extend([1, 2, 3, 4, 5])
    assert list(buf) == [3, 4, 5]
    assert len(buf) == 3
    assert buf.popleft() == 3


def test_wraparound_after_popleft():
    buf = RingBuffer(3)
    buf.extend([1, 2, 3])
    assert buf.popleft() == 1
    assert buf.popleft() == 2
    buf.append(4)
    buf.append(5)
    assert list(buf) == [3, 4, 5]
    assert [buf[i] for i in range(3)] == [3, 4, 5]


def test_pop_newest():
    buf = RingBuffer(3)
    buf.extend([1, 2, 3])
    buf.popleft()
    buf.append(4)
    assert buf.pop() == 4
    assert buf.pop() == 3
    assert list(buf) == [2]


def test_indexing_with_negative_index():
    buf = RingBuffer(4, overwrite=True)
    buf.extend([10, 20, 30, 40, 50])
    assert buf[0] == 20
    assert buf[-1] == 50
    assert buf[-4] == 20
    assert buf[3] == 50


@pytest.mark.parametrize("index", [2, 5, -3])
def test_index_out_of_range(index):
    buf = RingBuffer(4)
    buf.extend(["x", "y"])
    with pytest.raises(IndexError):
        buf[index]


def test_capacity_one_overwrite():
    buf = RingBuffer(1, overwrite=True)
    buf.append("a")
    buf.append("b")
    assert list(buf) == ["b"]
    assert buf[0] == "b"


def test_clear_resets():
    buf = RingBuffer(2)
    buf.extend([1, 2])
    buf.popleft()
    buf.clear()
    assert len(buf) == 0
    buf.extend([7, 8])
    assert list(buf) == [7, 8]
