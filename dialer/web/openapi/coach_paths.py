"""Listen-in, coach and barge in the OpenAPI description (web/api_coach.py)."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import CAMPAIGN_ID, answer, json_answer, json_body, op, path_param
from dialer.web.openapi.other_paths import _webhook
from dialer.web.openapi.schemas import BOOL, STRING, TIME, Schema, nullable, obj

MODES = ["listen", "coach", "barge"]
SESSION: Schema = obj(
    ["mode", "coach", "name", "since", "joined"],
    mode=nullable({"type": "string", "enum": MODES}),
    coach=nullable(STRING),
    name=nullable(STRING),
    since=nullable(TIME),
    joined=BOOL,
)
JOIN: Schema = obj(
    ["mode"],
    closed=True,
    mode={"type": "string", "enum": MODES},
    phone={"type": "string", "pattern": r"^\+[1-9][0-9]{7,14}$"},
)
WHO = (
    "The campaign's organizers coach anyone; a team leader only their own team's volunteers (404 for others)."
)


def coach_paths() -> dict[str, dict[str, Any]]:
    tag = "console"
    params = (CAMPAIGN_ID, path_param("volunteer"))
    return {
        "/api/campaigns/{campaign_id}/roster/{volunteer}/coach": {
            "post": op(
                "coach",
                "Join a volunteer's call to listen, coach (heard by them only) or barge; or switch mode",
                tag=tag,
                role="leader",
                params=params,
                body=json_body(JOIN),
                answers={
                    201: json_answer("Joined: the coach's line is being dialed", SESSION),
                    200: json_answer("Switched (or already in that mode)", SESSION),
                },  # fmt: skip
                errors=(409, 429, 502),
                description=f"{WHO} Without `phone` the coach is reached in their browser (client:<id>); "
                "`phone` is a US or Canadian line (premium-rate or abroad: 422), at most 30 an hour per "
                "coach (then 429 `too_many_coach_calls`). "
                "409 `coach_busy` (another coach is on), `not_coachable` (a preview campaign), "
                "`not_connected` (the volunteer's line is not in their conference), `coach_joining`; "
                "502 `carrier_error` (nothing is kept).",
            ),
            "get": op(
                "coachSession",
                "Who is coaching this volunteer, in which mode",
                tag=tag,
                role="leader",
                params=params,
                answers={200: json_answer("The session (mode null: none)", SESSION)},
            ),
            "delete": op(
                "coachLeave",
                "Leave (the coach, or an organizer ending another's session)",
                tag=tag,
                role="leader",
                params=params,
                answers={204: answer("Left; audited with its length")},
            ),
        },
        "/twilio/coach": {
            "post": _webhook(
                "twilioCoach",
                "A coach leg's status callback: its end ends the session once",
                {204: answer("Applied")},
            )  # fmt: skip
        },
    }
