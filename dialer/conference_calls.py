"""Which calls run through the volunteer's own conference (pure: no I/O).

A coach (dialer/coaching.py) and a transfer's staff line (dialer/transfers.py) join a call by joining the
volunteer's conference (dialer/dialing/twiml.py `conference_name`), so only calls bridged there can have
them. Power and predictive calls always are: the volunteer's line waits in the conference and each
answered voter is brought in. A preview call is when the volunteer's line is their own phone (call me,
dial-in: the server calls the chosen voter into the conference, dialer/web/phone_dial.py), or when the
campaign's `preview_conference` is on: the browser's leg joins the conference when the volunteer starts, as
in power mode, and each Call places the voter into it the same way. Otherwise a preview browser call is a
direct `<Dial><Number>` from /twilio/voice, with no conference for anyone to join.
"""

from __future__ import annotations

from dialer.models import Mode

SETTING = "preview_conference"
_HOW = (
    "an organizer can turn on \u201cPreview calls through a conference\u201d (preview_conference) in the "
    "campaign's settings, or the volunteer can call over their own phone (call me, dial-in)."
)
NOT_COACHABLE = (
    "This volunteer's preview call goes straight from their browser to the voter, with no conference a "
    f"coach can join: {_HOW}"
)
NOT_TRANSFERABLE = (
    "Your preview call goes straight from your browser to the voter, with no conference a staff line can "
    f"join: {_HOW}"
)


def browser_in_conference(mode: Mode, preview_conference: bool) -> bool:
    """Whether the volunteer's browser leg waits in their conference (`leg=agent` on /twilio/voice)."""
    return mode is not Mode.PREVIEW or preview_conference


def through_conference(mode: Mode, *, preview_conference: bool, phone_leg: bool) -> bool:
    """Whether the volunteer's calls are bridged through their conference: `phone_leg` when their line is
    their own phone (call me, dial-in) connected to it."""
    return phone_leg or browser_in_conference(mode, preview_conference)
