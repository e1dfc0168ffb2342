"""Token-bucket rate limiter driven by an injected clock (a function returning seconds)."""


class TokenBucket:
    """Holds up to ``capacity`` tokens and gains ``rate`` tokens per second; starts full."""

    def __init__(self, rate, capacity, clock):
        if rate <= 0 or capacity <= 0:
            raise ValueError("rate and capacity must be positive")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._tokens = float(capacity)
        self._last = clock()

    def _refill(self):
        now = self._clock()
        elapsed = now - self._last
        if elapsed > 0:  # a clock that goes backwards adds nothing
            self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
            self._last = now

    def _check(self, tokens):
        if tokens <= 0:
            raise ValueError("must request a positive number of tokens")
        if tokens > self.capacity:
            raise ValueError("request exceeds the bucket capacity")

    @property
    def tokens(self):
        self._refill()
        return self._tokens

    def try_acquire(self, tokens=1):
        """Take ``tokens`` if they are all there; returns whether it succeeded."""
        self._check(tokens)
        self._refill()
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    def wait_time(self, tokens=1):
        """Seconds until ``tokens`` tokens will be available (0.0 if they are now)."""
        self._check(tokens)
        self._refill()
        missing = tokens - self._tokens
        return 0.0 if missing <= 0 else missing / self.rate


class KeyedLimiter:
    """One independent token bucket per key (client, IP, ...), created on first use."""

    def __init__(self, rate, capacity, clock):
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._buckets = {}

    def allow(self, key, tokens=1):
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.rate, self.capacity, self._clock)
        return bucket.try_acquire(tokens)

    def __len__(self):
        return len(self._buckets)
