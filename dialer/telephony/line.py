"""The line to one contact as the volunteer's script sees it (pure: statuses in, a state out).

Carrier callbacks arrive late and out of order, and a volunteer may call a contact again after a busy line;
`next_line` folds one status of one call into what is known, so that a late "completed" of an earlier call
never closes the line of the redial, and the script's answers open only once a voter is on the line.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dialer.telephony.base import CallStatus

WAITING_STATUSES = frozenset({CallStatus.QUEUED, CallStatus.INITIATED, CallStatus.RINGING})
FINAL_STATUSES = frozenset(s for s in CallStatus if s.is_final)


class Line(enum.StrEnum):
    """Where the call to one contact is, as far as this volunteer's answers are concerned."""

    DIALING = "dialing"  # placed, not answered yet: nobody to talk to
    CONNECTED = "connected"  # the voter is on the line
    TALKED = "talked"  # the voter was on the line, the call has ended: answers may still be noted
    UNANSWERED = "unanswered"  # ended without anyone answering

    @property
    def heard_voter(self) -> bool:
        return self in (Line.CONNECTED, Line.TALKED)


@dataclass(frozen=True)
class LineState:
    call_sid: str
    line: Line


def next_line(known: LineState | None, status: str, call_sid: str) -> LineState | None:
    """The line after a carrier status for `call_sid`, or None when the status changes nothing: a late
    callback of an earlier call (a redial started since) must not move the line of the current one."""
    if known is not None and call_sid and call_sid != known.call_sid:
        # Another call to the same contact: a new one starting takes over; news of an old one is ignored.
        if status not in WAITING_STATUSES and status != "in-progress":
            return None
        known = None
    sid = call_sid or (known.call_sid if known else "")
    if status in WAITING_STATUSES:
        if known is not None and known.line is not Line.DIALING:
            return None  # a status older than what is known
        return LineState(sid, Line.DIALING)
    if status == "in-progress":
        if known is not None and known.line in (Line.TALKED, Line.UNANSWERED):
            return None
        return LineState(sid, Line.CONNECTED)
    if status in FINAL_STATUSES:
        heard = known is not None and known.line.heard_voter
        return LineState(sid, Line.TALKED if heard else Line.UNANSWERED)
    return None
