"""The line to one contact: carrier statuses of one or more calls folded into one state."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialer.telephony.base import CallStatus
from dialer.telephony.line import Line, LineState, next_line


def fold(events: list[tuple[str, str]]) -> LineState | None:
    known: LineState | None = None
    for status, sid in events:
        moved = next_line(known, status, sid)
        known = moved if moved is not None else known
    return known


def test_a_call_rings_is_answered_and_ends() -> None:
    assert fold([("ringing", "A")]) == LineState("A", Line.DIALING)
    assert fold([("ringing", "A"), ("in-progress", "A")]) == LineState("A", Line.CONNECTED)
    assert fold([("ringing", "A"), ("in-progress", "A"), ("completed", "A")]) == LineState("A", Line.TALKED)
    assert fold([("ringing", "A"), ("busy", "A")]) == LineState("A", Line.UNANSWERED)


def test_late_callbacks_never_move_the_line_back() -> None:
    assert fold([("in-progress", "A"), ("ringing", "A")]) == LineState("A", Line.CONNECTED)
    assert fold([("no-answer", "A"), ("ringing", "A")]) == LineState("A", Line.UNANSWERED)
    assert fold([("completed", "A"), ("in-progress", "A")]) == LineState("A", Line.UNANSWERED)


def test_a_redial_takes_over_and_the_first_calls_late_news_is_ignored() -> None:
    events = [("ringing", "A"), ("busy", "A"), ("ringing", "B"), ("completed", "A"), ("in-progress", "B")]
    assert fold(events) == LineState("B", Line.CONNECTED)


@given(st.lists(st.tuples(st.sampled_from([s.value for s in CallStatus] + ["bogus"]), st.sampled_from("AB"))))
def test_only_an_answered_call_lets_the_voter_be_heard(events: list[tuple[str, str]]) -> None:
    known = fold(events)
    if known is not None and known.line.heard_voter:
        assert ("in-progress", known.call_sid) in events
