import random

from token_bucket import TokenBucket


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_random_schedule_against_reference():
    rng = random.Random(29)
    for _ in range(20):
        clock = FakeClock()
        rate = rng.choice([1, 2, 4])
        capacity = rng.randint(1, 6)
        bucket = TokenBucket(rate, capacity, clock)
        tokens = float(capacity)
        for _ in range(50):
            step = rng.choice([0, 0.25, 0.5, 1.0, 3.0])
            clock.now += step
            tokens = min(capacity, tokens + step * rate)
            want = rng.randint(1, capacity)
            granted = bucket.try_acquire(want)
            assert granted == (tokens >= want)
            if granted:
                tokens -= want
            assert bucket.tokens == tokens


def test_fractional_rate():
    clock = FakeClock()
    bucket = TokenBucket(rate=0.5, capacity=1, clock=clock)
    assert bucket.try_acquire()
    clock.now = 1.0
    assert not bucket.try_acquire()
    assert bucket.wait_time() == 1.0
    clock.now = 2.0
    assert bucket.try_acquire()


def test_acquire_succeeds_after_waiting_wait_time():
    clock = FakeClock()
    bucket = TokenBucket(rate=4, capacity=4, clock=clock)
    bucket.try_acquire(4)
    clock.now += bucket.wait_time(3)
    assert bucket.try_acquire(3)
    assert bucket.tokens == 0


def test_keyed_limiter_new_key_starts_full_later():
    from token_bucket import KeyedLimiter

    clock = FakeClock()
    limiter = KeyedLimiter(rate=1, capacity=2, clock=clock)
    assert limiter.allow("a", 2)
    clock.now = 50.0
    assert limiter.allow("b", 2)
    assert not limiter.allow("b")
    assert limiter.allow("a", 2)
