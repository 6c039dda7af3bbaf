"""The periods the abandonment cap is measured over (pure: no I/O, time passed in).

The FTC's Telemarketing Sales Rule (16 CFR 310.4(b)(4)(i)) allows "no more than three percent of all calls
answered by a person, measured over the duration of a single calling campaign, if less than 30 days, or
separately over each successive 30-day period or portion thereof". Measured over a campaign's whole life,
a long campaign banks drops: 10,000 answers and 200 drops let the pacer spend about 55 more in one day. So
the pacer plans with the figures of the current period only: periods of 30 days from the campaign's first
dial (`start`), each answer counted in the period it came in and its drop, if it is dropped, in the same
one. The lifetime figures are kept as well, and shown as such.

In Redis (dialing/periods.py) a period's counts are fields of the campaign's dial counters, named by
`fields`; Lua (dial_event.lua, dial_abandon.lua) reads the same `start` and PERIOD_SECONDS.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

PERIOD_SECONDS = 30 * 86400  # dial_event.lua and dial_abandon.lua use the same number
START_FIELD = "period_start"  # when the campaign first dialed (epoch seconds), in its dial counters


def period_index(start: float, now: float) -> int:
    """Which 30-day period of a campaign first dialed at `start` holds `now` (0 for the first; a clock set
    back before `start` stays in the first)."""
    return max(0, math.floor((now - start) / PERIOD_SECONDS))


def fields(index: int) -> tuple[str, str]:
    """The dial counters' fields holding period `index`'s live answers and abandoned calls."""
    return f"p{index}:live_answers", f"p{index}:abandoned"


@dataclass(frozen=True)
class PeriodFigures:
    """The current period's live answers and abandoned calls (`started_at` None: never dialed)."""

    index: int = 0
    started_at: float | None = None
    live_answers: int = 0
    abandoned: int = 0

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.live_answers if self.live_answers else 0.0

    @property
    def ends_at(self) -> float | None:
        return None if self.started_at is None else self.started_at + PERIOD_SECONDS


def current(counters: Mapping[str, str], now: float) -> PeriodFigures:
    """The current period's figures from a campaign's dial counters (as HGETALL answers them)."""
    raw_start = counters.get(START_FIELD)
    if raw_start is None:
        return PeriodFigures()
    start = float(raw_start)
    index = period_index(start, now)
    answers, abandoned = fields(index)
    return PeriodFigures(
        index=index,
        started_at=start + index * PERIOD_SECONDS,
        live_answers=int(counters.get(answers) or 0),
        abandoned=int(counters.get(abandoned) or 0),
    )


def legacy_anchor(
    created_at: float, now: float, live_answers: int, abandoned: int
) -> tuple[float, dict[str, int]]:
    """For a campaign that dialed before periods were counted (lifetime counters only): the `start` to
    give it and the period counts to seed. Its first dial is unknown but not before its creation, so its
    periods run from `created_at` (`now` if that is unknown or in the future). Still in its first period,
    every call it made is in that period: the lifetime counts are the period's, exactly, and the pacer goes
    on as it was. Past it, which calls fell in the current period is unknown: it starts empty, and the
    pacer plans as for a new campaign (no drop it has not earned in a small pool) until it earns answers."""
    start = created_at if 0 < created_at <= now else now
    if period_index(start, now) > 0:
        return start, {}
    answers_field, abandoned_field = fields(0)
    return start, {answers_field: live_answers, abandoned_field: abandoned}
