"""A token bucket for outbound call creation (the account's calls-per-second limit).

`TokenBucket.reserve` is pure arithmetic over the time it is given: it books the next free slot and says
how long the caller must wait for it. Booking instead of polling keeps concurrent callers in a fair order
and never lets a burst of them through together. `RateLimiter` adds the clock and the sleeping.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up. Starts full."""

    def __init__(self, rate: float, burst: float = 1.0, now: float = 0.0) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate
        self.burst = burst
        self._tokens = burst
        self._last = now

    def reserve(self, now: float) -> float:
        """Take one token; returns the seconds to wait before using it (0.0 when it is there now).

        The balance may go negative: that is the queue of callers already promised later slots.
        """
        if now > self._last:
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
        self._tokens -= 1.0
        if self._tokens >= 0:
            return 0.0
        return -self._tokens / self.rate


class RateLimiter:
    """A token bucket with a clock and a sleep; `await acquire()` before each rate-limited request."""

    def __init__(
        self,
        rate: float,
        burst: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.bucket = TokenBucket(rate, burst, now=clock())

    async def acquire(self) -> None:
        delay = self.bucket.reserve(self._clock())
        if delay > 0:
            await self._sleep(delay)
