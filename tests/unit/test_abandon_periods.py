"""The abandonment cap's 30-day periods (16 CFR 310.4(b)(4)(i)): which period a moment is in, the current
period's figures out of the dial counters, the anchor of a campaign that dialed before periods were
counted, and, driven through many periods, that the pacer's own choices never put a period over the cap."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.abandon_periods import (
    PERIOD_SECONDS,
    START_FIELD,
    PeriodFigures,
    current,
    fields,
    legacy_anchor,
    period_index,
)
from dialer.pacing import PacerConfig, risk_threshold

DAY = 86400.0
T0 = 1_780_000_000.0  # a fixed first dial


def test_periods_are_30_days_from_the_first_dial() -> None:
    assert PERIOD_SECONDS == 30 * DAY
    assert period_index(T0, T0) == 0
    assert period_index(T0, T0 + 30 * DAY - 1) == 0
    assert period_index(T0, T0 + 30 * DAY) == 1
    assert period_index(T0, T0 + 95 * DAY) == 3
    assert period_index(T0, T0 - 5) == 0  # a clock set back stays in the first


def test_the_current_figures_are_the_current_period_s_only() -> None:
    counters = {
        "live_answers": "10100",
        "abandoned": "203",
        START_FIELD: repr(T0),
        "p0:live_answers": "10000",
        "p0:abandoned": "200",
        "p1:live_answers": "100",
        "p1:abandoned": "3",
    }
    figures = current(counters, T0 + 31 * DAY)
    assert figures == PeriodFigures(index=1, started_at=T0 + 30 * DAY, live_answers=100, abandoned=3)
    assert figures.abandon_rate == 0.03 and figures.ends_at == T0 + 60 * DAY
    assert current(counters, T0 + 61 * DAY) == PeriodFigures(index=2, started_at=T0 + 60 * DAY)
    assert current({"dials": "0"}, T0) == PeriodFigures()  # never dialed: no period yet


def test_the_lifetime_bank_would_have_let_the_pacer_take_risk_the_period_does_not_allow() -> None:
    """The brief's case: 10,000 answers and 200 drops over the life, 100 and 3 this period, 5 volunteers."""
    assert risk_threshold(10_100, 203, 0.03, 5) > 0
    assert risk_threshold(100, 3, 0.03, 5) == 0.0


def test_a_campaign_from_before_periods_goes_on_as_it_was_in_its_first_30_days() -> None:
    start, seed = legacy_anchor(T0, T0 + 3 * DAY, live_answers=400, abandoned=9)
    assert start == T0 and seed == {"p0:live_answers": 400, "p0:abandoned": 9}
    start, seed = legacy_anchor(T0, T0 + 45 * DAY, live_answers=400, abandoned=9)
    assert start == T0 and seed == {}  # which calls fell in period 1 is unknown: it starts empty
    assert legacy_anchor(0.0, T0, 5, 0)[0] == T0  # creation time unknown: the periods start now


@settings(max_examples=300, deadline=None)
@given(
    start=st.floats(0, 2e9),
    a=st.floats(0, 1e9),
    b=st.floats(0, 1e9),
)
def test_period_index_never_goes_back_and_moves_once_per_30_days(start: float, a: float, b: float) -> None:
    early, late = sorted((start + a, start + b))
    assert period_index(start, early) <= period_index(start, late)
    assert period_index(start, late) - period_index(start, early) <= (late - early) // PERIOD_SECONDS + 1


@settings(max_examples=200, deadline=None)
@given(
    index=st.integers(0, 40),
    answers=st.integers(0, 10**6),
    dropped=st.integers(0, 10**5),
    others=st.dictionaries(st.integers(0, 40), st.tuples(st.integers(0, 10**6), st.integers(0, 10**5))),
)
def test_other_periods_never_change_the_current_figures(
    index: int, answers: int, dropped: int, others: dict[int, tuple[int, int]]
) -> None:
    counters = {START_FIELD: repr(T0), "live_answers": "999999", "abandoned": "0"}
    for i, (a, d) in others.items():
        counters.update(zip(fields(i), (str(a), str(d)), strict=True))
    counters.update(zip(fields(index), (str(answers), str(dropped)), strict=True))
    figures = current(counters, T0 + index * PERIOD_SECONDS + 3600)
    assert (figures.index, figures.live_answers, figures.abandoned) == (index, answers, dropped)


@settings(max_examples=300, deadline=None)
@given(
    volunteers=st.integers(0, PacerConfig().small_pool - 1),
    cap=st.sampled_from([0.03, 0.01, 0.05]),
    steps=st.lists(
        st.tuples(st.floats(0, 20 * DAY), st.sampled_from(["answer", "risk", "risk"])), max_size=300
    ),
)
def test_the_pacer_s_own_drops_never_put_a_period_over_the_cap(
    volunteers: int, cap: float, steps: list[tuple[float, str]]
) -> None:
    """Answers come when they come; a drop the pacer risks happens only when its threshold for the current
    period's figures is above 0, and then happens (the worst case). In a pool too small for the floor, no
    period is ever over the cap, whatever the campaign banked in earlier periods."""
    counters: dict[str, str] = {START_FIELD: repr(T0)}
    now = T0
    for gap, what in steps:
        now += gap
        figures = current(counters, now)
        answers_field, dropped_field = fields(figures.index)
        if what == "answer":
            counters[answers_field] = str(figures.live_answers + 1)
        elif risk_threshold(figures.live_answers, figures.abandoned, cap, volunteers) > 0:
            counters[dropped_field] = str(figures.abandoned + 1)
        after = current(counters, now)
        assert after.abandoned <= cap * after.live_answers
