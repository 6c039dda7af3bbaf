"""The organizers' console in the OpenAPI description: the roster, a raised hand answered, the survey."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import (
    CAMPAIGN_ID,
    answer,
    json_answer,
    json_body,
    op,
    path_param,
    query_param,
)
from dialer.web.openapi.schemas import BOOL, INT, NUMBER, STRING, TIME, Schema, nullable, obj

TEAM = query_param("team", "a team's id: that team's volunteers only (a team leader: their own team only)")
STATES = ["waiting", "ringing", "talking", "wrap_up", "away"]

ROSTER_ROW: Schema = obj(
    ["volunteer", "name", "team", "state", "since", "calls", "conversations", "talk_seconds", "hand_raised"],
    volunteer=STRING,
    name=STRING,
    team=nullable(STRING),
    state={"type": "string", "enum": STATES},
    since=TIME,
    calls=INT,
    conversations=INT,
    contact_rate=NUMBER,
    talk_seconds=NUMBER,
    hand_raised=BOOL,
    flags={"type": "array", "items": {"type": "string", "enum": ["idle", "short_calls"]}},
)
SURVEY: Schema = obj(
    ["conversations", "questions"],
    conversations=INT,
    questions={
        "type": "array",
        "items": obj(
            ["key", "text", "answers"],
            key=STRING,
            text=STRING,
            answers={
                "type": "array",
                "items": obj(
                    ["value", "label", "count", "share"], value=STRING, label=STRING, count=INT, share=NUMBER
                ),
            },
        ),
    },
)


HOURS: Schema = {
    "type": "array",
    "items": obj(["hour", "calls", "conversations"], hour=TIME, calls=INT, conversations=INT),
}
HISTORY: Schema = {
    "type": "object",
    "required": ["timezone", "from", "to", "hours"],
    "properties": {"timezone": STRING, "from": STRING, "to": STRING, "hours": HOURS},
}


def console_paths() -> dict[str, dict[str, Any]]:
    tag = "console"
    return {
        "/api/campaigns/{campaign_id}/history": {
            "get": op(
                "history",
                "Calls and conversations per hour over a range of the campaign's days",
                tag=tag,
                role="organizer",
                params=(
                    CAMPAIGN_ID,
                    query_param(
                        "from", "first day, YYYY-MM-DD (default: the campaign's first, within 93 days)"
                    ),
                    query_param("to", "last day, YYYY-MM-DD (default: today, in the campaign's time zone)"),
                ),
                answers={200: json_answer("The hours", HISTORY)},
            ),
        },
        "/api/campaigns/{campaign_id}/roster": {
            "get": op(
                "roster",
                "Who is calling now, with their numbers today",
                tag=tag,
                role="leader",
                params=(CAMPAIGN_ID, TEAM),
                answers={200: json_answer("The roster", {"type": "array", "items": ROSTER_ROW})},
            ),
        },
        "/api/campaigns/{campaign_id}/roster/{volunteer}/hand": {
            "post": op(
                "answerHand",
                "Answer a volunteer's raised hand",
                tag=tag,
                role="leader",
                params=(CAMPAIGN_ID, path_param("volunteer")),
                body=json_body(obj(["raised"], closed=True, raised={"const": False})),
                answers={204: {"description": "The hand is down"}},
            ),
        },
        "/api/campaigns/{campaign_id}/survey": {
            "get": op(
                "survey",
                "What voters said, per script question",
                tag=tag,
                role="leader",
                params=(CAMPAIGN_ID, TEAM),
                answers={200: json_answer("The survey", SURVEY)},
                errors=(409,),
            ),
        },
        "/api/campaigns/{campaign_id}/survey.csv": {
            "get": op(
                "surveyCsv",
                "The survey as CSV",
                tag=tag,
                role="leader",
                params=(CAMPAIGN_ID, TEAM),
                answers={200: answer("question, value, label, count, share", "text/csv")},
                errors=(409,),
            ),
        },
    }
