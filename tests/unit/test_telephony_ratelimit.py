from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.telephony.ratelimit import RateLimiter, TokenBucket


class FakeClock:
    """Time that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    # A hair under the window: slots booked exactly 1/rate apart touch both ends of a closed window.
    return max(bisect.bisect_left(ordered, t + window - 1e-9) - i for i, t in enumerate(ordered))


def test_a_full_bucket_lets_a_burst_through_then_paces() -> None:
    bucket = TokenBucket(rate=2.0, burst=3.0, now=0.0)
    delays = [bucket.reserve(0.0) for _ in range(5)]
    assert delays == [0.0, 0.0, 0.0, 0.5, 1.0]


def test_tokens_come_back_with_time_but_never_beyond_the_burst() -> None:
    bucket = TokenBucket(rate=1.0, burst=2.0, now=0.0)
    assert [bucket.reserve(0.0), bucket.reserve(0.0)] == [0.0, 0.0]
    assert bucket.reserve(100.0) == 0.0
    assert bucket.reserve(100.0) == 0.0
    assert bucket.reserve(100.0) == 1.0


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1.0), (-1.0, 1.0), (1.0, 0.5)])
def test_nonsense_limits_are_refused(rate: float, burst: float) -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate, burst)


@settings(max_examples=200)
@given(
    rate=st.sampled_from([1.0, 5.0, 30.0]),
    gaps=st.lists(st.floats(min_value=0.0, max_value=0.5), min_size=1, max_size=200),
)
def test_granted_slots_never_exceed_the_rate(rate: float, gaps: list[float]) -> None:
    bucket = TokenBucket(rate=rate, burst=1.0, now=0.0)
    now, granted = 0.0, []
    for gap in gaps:
        now += gap
        granted.append(now + bucket.reserve(now))
    # With burst 1, any one-second window holds at most `rate` calls (one more only at the very edge).
    assert max_in_window(granted, 1.0) <= rate
    # And slots are handed out in the order they were asked for.
    assert granted == sorted(granted)


@pytest.mark.anyio
async def test_the_limiter_sleeps_until_the_booked_slot() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5.0, clock=clock, sleep=clock.sleep)
    started = clock.now
    for _ in range(11):
        await limiter.acquire()
    assert clock.now - started == pytest.approx(2.0)
    assert len(clock.sleeps) == 10 and all(s == pytest.approx(0.2) for s in clock.sleeps)
