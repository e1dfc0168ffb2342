import random
from collections import deque

import pytest

from ring_buffer import RingBuffer


@pytest.mark.parametrize("overwrite", [False, True])
def test_random_against_deque(overwrite):
    rng = random.Random(3)
    for _ in range(30):
        capacity = rng.randint(1, 5)
        buf = RingBuffer(capacity, overwrite=overwrite)
        ref = deque()
        for step in range(50):
            op = rng.random()
            if op < 0.5:
                if len(ref) == capacity and not overwrite:
                    with pytest.raises(OverflowError):
                        buf.append(step)
                else:
                    if len(ref) == capacity:
                        ref.popleft()
                    ref.append(step)
                    buf.append(step)
            elif op < 0.75 and ref:
                assert buf.popleft() == ref.popleft()
            elif ref:
                assert buf.pop() == ref.pop()
            assert list(buf) == list(ref)
            assert len(buf) == len(ref)
            assert buf.is_full() == (len(ref) == capacity)
            for i in range(-len(ref), len(ref)):
                assert buf[i] == ref[i]


def test_overwrite_many_rounds():
    buf = RingBuffer(3, overwrite=True)
    buf.extend(range(100))
    assert list(buf) == [97, 98, 99]


def test_stores_none_items():
    buf = RingBuffer(2)
    buf.append(None)
    assert len(buf) == 1
    assert buf.popleft() is None


def test_extend_stops_at_first_overflow():
    buf = RingBuffer(2)
    with pytest.raises(OverflowError):
        buf.extend([1, 2, 3, 4])
    assert list(buf) == [1, 2]
