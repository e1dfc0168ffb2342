import pytest

from token_bucket import KeyedLimiter, TokenBucket


class FakeClock:
    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.mark.parametrize("rate, capacity", [(0, 5), (-1, 5), (1, 0), (1, -2)])
def test_invalid_parameters(rate, capacity):
    with pytest.raises(ValueError):
        TokenBucket(rate, capacity, FakeClock())


def test_smallest_valid_parameters():
    clock = FakeClock(50.0)
    bucket = TokenBucket(rate=0.5, capacity=1, clock=clock)
    assert bucket.try_acquire()
    assert not bucket.try_acquire()
    clock.advance(2)
    assert bucket.try_acquire()


def test_refill_with_clock_not_starting_at_zero():
    clock = FakeClock(1000.0)
    bucket = TokenBucket(rate=1, capacity=10, clock=clock)
    bucket.try_acquire(10)
    clock.advance(2)
    assert bucket.tokens == 2
    clock.advance(3)
    assert bucket.tokens == 5
    assert bucket.try_acquire(5)
    clock.advance(1)
    assert bucket.tokens == 1


def test_starts_full():
    bucket = TokenBucket(rate=1, capacity=5, clock=FakeClock())
    assert bucket.tokens == 5


def test_burst_up_to_capacity_then_refused():
    bucket = TokenBucket(rate=1, capacity=3, clock=FakeClock())
    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    assert bucket.tokens == 0


def test_acquire_whole_capacity_at_once():
    bucket = TokenBucket(rate=1, capacity=3, clock=FakeClock())
    assert bucket.try_acquire(3)
    assert not bucket.try_acquire(1)


def test_refill_over_time():
    clock = FakeClock()
    bucket = TokenBucket(rate=2, capacity=4, clock=clock)
    assert bucket.try_acquire(4)
    clock.advance(0.5)
    assert bucket.tokens == 1
    assert bucket.try_acquire(1)
    assert not bucket.try_acquire(1)
    clock.advance(1.0)
    assert bucket.tokens == 2


def test_refill_is_capped_at_capacity():
    clock = FakeClock()
    bucket = TokenBucket(rate=10, capacity=3, clock=clock)
    bucket.try_acquire(1)
    clock.advance(100)
    assert bucket.tokens == 3
    assert bucket.try_acquire(3)
    assert not bucket.try_acquire(1)


def test_failed_acquire_takes_nothing():
    clock = FakeClock()
    bucket = TokenBucket(rate=1, capacity=4, clock=clock)
    bucket.try_acquire(3)
    assert not bucket.try_acquire(2)
    assert bucket.tokens == 1
    assert bucket.try_acquire(1)


@pytest.mark.parametrize("tokens", [0, -1, 6])
def test_invalid_requests(tokens):
    bucket = TokenBucket(rate=1, capacity=5, clock=FakeClock())
    with pytest.raises(ValueError):
        bucket.try_acquire(tokens)
    with pytest.raises(ValueError):
        bucket.wait_time(tokens)


def test_wait_time():
    clock = FakeClock()
    bucket = TokenBucket(rate=4, capacity=8, clock=clock)
    assert bucket.wait_time(8) == 0.0
    assert bucket.wait_time() == 0.0
    assert bucket.wait_time(3) == 0.0
    bucket.try_acquire(8)
    assert bucket.wait_time() == 0.25
    assert bucket.wait_time(1) == 0.25
    assert bucket.wait_time(8) == 2.0
    clock.advance(0.5)
    assert bucket.wait_time(2) == 0.0
    assert bucket.wait_time(3) == 0.25


def test_clock_going_backwards_adds_nothing():
    clock = FakeClock(10.0)
    bucket = TokenBucket(rate=1, capacity=2, clock=clock)
    bucket.try_acquire(2)
    clock.now = 5.0
    assert bucket.tokens == 0
    clock.now = 11.0
    assert bucket.tokens == 1


def test_keyed_limiter_separate_buckets():
    clock = FakeClock()
    limiter = KeyedLimiter(rate=1, capacity=2, clock=clock)
    assert limiter.allow("a")
    assert limiter.allow("a")
    assert not limiter.allow("a")
    assert limiter.allow("b")
    assert len(limiter) == 2
    clock.advance(1)
    assert limiter.allow("a")
    assert not limiter.allow("a")
