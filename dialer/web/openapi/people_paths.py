"""The operations behind the organizers' People, Teams and Do-not-call pages, campaign copies and filters,
and the join link's QR code (docs/API-additions.md, "People, teams and the do-not-call list")."""

from __future__ import annotations

from typing import Any

from dialer.models import CampaignStatus, Mode
from dialer.web.openapi.operations import CAMPAIGN_ID, answer, json_answer, json_body, op, path_param
from dialer.web.openapi.schemas import BOOL, INT, STRING, TIME, Schema, nullable, obj, ref

USER_ID = path_param("user_id", description="The user's id")
TEAM_ID = path_param("team_id", description="The team's id")
NO_BODY = {"description": "Nothing"}


def query(name: str, schema: Schema, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _limit(high: int) -> dict[str, Any]:
    return query("limit", {"type": "integer", "minimum": 1, "maximum": high}, f"Page size (1-{high})")


def stream_page(cursor: str) -> tuple[dict[str, Any], ...]:
    """`?before=<entry id>&limit=`: a page of a log kept as a Redis stream, older than the entry `before`."""
    return (query("before", {"type": "string", "pattern": "^[0-9]{1,20}-[0-9]{1,20}$"}, cursor), _limit(500))


CAMPAIGN_FILTERS = (
    query("status", {"enum": [s.value for s in CampaignStatus]}, "Only campaigns in this state"),
    query("mode", {"enum": [m.value for m in Mode]}, "Only campaigns in this dialing mode"),
    query("archived", {"enum": ["0", "1", "all"]}, "0 (default): not archived; 1: archived; all: both"),
    query("q", {"type": "string", "maxLength": 200}, "Names containing this (any case)"),
)
USER_ROW = obj(
    ["id", "email", "name", "role", "disabled", "team", "last_seen", "calls", "campaigns"],
    id=STRING,
    email=STRING,
    name=STRING,
    role=STRING,
    disabled=BOOL,
    team=nullable(obj(["id", "name"], id=STRING, name=STRING)),
    last_seen=nullable(TIME),
    calls=INT,
    campaigns={"type": "array", "items": obj(["id", "name", "calls"], id=STRING, name=STRING, calls=INT)},
)
NEXT = nullable(STRING)
HISTORY_ENTRY = obj(
    ["at", "user", "name", "action", "detail"],
    at=TIME,
    user={**STRING, "description": "Who did it: a user id, `admin` (the admin token) or `cli`"},
    name=STRING,
    action={
        "type": "string",
        "description": "password_reset_link, password_reset_used, password_changed, password_set, "
        "role_changed, disabled, enabled (more may come)",
    },
    detail={
        "type": "object",
        "description": "Depends on the action: expires_at, sessions_ended, before/after",
    },
)
AUDIT_ENTRY = obj(
    ["id", "action", "by", "by_name", "at"], id=STRING, action=STRING, by=STRING, by_name=STRING, at=TIME
)


def people_paths() -> dict[str, dict[str, Any]]:
    dnc = "do-not-call list"
    return {
        "/api/users": {
            "get": op(
                "searchUsers",
                "Find people by the start of a word of their name or email, a page at a time",
                tag="people",
                role="organizer",
                params=(
                    query("q", {"type": "string", "maxLength": 100}, "The start of a name word or the email"),
                    query("cursor", {"type": "string", "maxLength": 400}, "`next` of the previous page"),
                    _limit(100),
                ),
                answers={
                    200: json_answer(
                        "A page",
                        obj(
                            ["users", "next", "total"],
                            users={"type": "array", "items": USER_ROW},
                            next=NEXT,
                            total=INT,
                        ),
                    )
                },
            ),
        },
        "/api/users/{user_id}": {
            "get": op(
                "getUser",
                "One person: team, calls per campaign, last seen",
                tag="people",
                role="organizer",
                params=(USER_ID,),
                answers={200: json_answer("The person", USER_ROW)},
            ),
        },
        "/api/users/{user_id}/disabled": {
            "put": op(
                "setDisabled",
                "Disable an account (its tokens, sockets, calls and batches end at once) or enable it again",
                tag="people",
                role="organizer",
                params=(USER_ID,),
                body=json_body(obj(["disabled"], closed=True, disabled=BOOL)),
                answers={200: json_answer("The person", USER_ROW)},
                description="Organizers: volunteers' and leaders' accounts; admins: anyone's; not your own.",
            ),
        },
        "/api/users/{user_id}/history": {
            "get": op(
                "userHistory",
                "What was done to the account and by whom: password links and changes, role, disabled",
                tag="people",
                role="organizer",
                params=(USER_ID,),
                answers={
                    200: json_answer(
                        "The newest 50 entries, newest first",
                        obj(["entries"], entries={"type": "array", "items": HISTORY_ENTRY}),
                    )
                },
            ),
        },
        "/api/users/{user_id}/leader": {
            "put": op(
                "setLeader",
                "Make a volunteer a team leader (true) or a leader a volunteer again (false)",
                tag="people",
                role="organizer",
                params=(USER_ID,),
                body=json_body(obj(["leader"], closed=True, leader=BOOL)),
                answers={200: json_answer("The person", USER_ROW)},
                description="Volunteers' and leaders' accounts only, not your own; other roles: admins.",
            ),
        },
        "/api/dnc": {
            "get": op(
                "listDnc",
                "The list's size and a page of its numbers in order; a whole number or a prefix searches it",
                tag=dnc,
                role="organizer",
                params=(
                    query("q", {"type": "string", "maxLength": 40}, "A number, or how numbers start"),
                    query("after", {"type": "string", "maxLength": 20}, "`next` of the previous page"),
                    _limit(500),
                ),
                answers={
                    200: json_answer(
                        "A page",
                        obj(
                            ["count", "phones", "next"],
                            count=INT,
                            phones={"type": "array", "items": STRING},
                            next=NEXT,
                        ),
                    )
                },
            ),
        },
        "/api/dnc.csv": {
            "get": op(
                "exportDnc",
                "The whole list as CSV (one `phone` column), streamed",
                tag=dnc,
                role="organizer",
                answers={200: answer("CSV", "text/csv")},
            ),
        },
        "/api/dnc/removals": {
            "post": op(
                "removeDncWithReason",
                "Take a number off the list, saying why (audited)",
                tag=dnc,
                role="organizer",
                body=json_body(
                    obj(
                        ["phone", "reason"],
                        closed=True,
                        phone={"type": "string", "minLength": 1, "maxLength": 40},
                        reason={"type": "string", "minLength": 1, "maxLength": 500},
                    )
                ),
                answers={
                    200: json_answer(
                        "Removed",
                        obj(["phone", "removed", "audit_id"], phone=STRING, removed=BOOL, audit_id=STRING),
                    )
                },
                description="404 `not_listed` when the number is not on the list.",
            ),
        },
        "/api/dnc/audit": {
            "get": op(
                "dncAudit",
                "Who added or removed numbers, when and why; newest first",
                tag=dnc,
                role="organizer",
                params=stream_page("`next`"),
                answers={
                    200: json_answer(
                        "A page",
                        obj(["entries", "next"], entries={"type": "array", "items": AUDIT_ENTRY}, next=NEXT),
                    )
                },
            ),
        },
        "/api/campaigns/{campaign_id}/duplicate": {
            "post": op(
                "duplicateCampaign",
                "A new campaign with this one's settings and script, and no contacts",
                tag="campaigns",
                role="organizer",
                params=(CAMPAIGN_ID,),
                body=json_body(
                    obj(
                        [],
                        closed=True,
                        id={"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$"},
                        name={"type": "string", "minLength": 1, "maxLength": 200},
                    )
                ),
                answers={201: json_answer("The copy", ref("Campaign"))},
                errors=(409,),
            ),
        },
        "/api/teams/{team_id}": {
            "patch": op(
                "updateTeam",
                "Rename a team, set or clear its goal of calls per campaign (its leader, organizers); "
                "hand it to another team leader, who joins it (organizers)",
                tag="teams",
                role="leader",
                params=(TEAM_ID,),
                body=json_body(
                    obj(
                        [],
                        closed=True,
                        name={"type": "string", "minLength": 1, "maxLength": 80},
                        goal=nullable({"type": "integer", "minimum": 1, "maximum": 10_000_000}),
                        leader={"type": "string", "minLength": 1},
                    )
                ),
                answers={200: json_answer("The team", ref("Team"))},
                errors=(403, 409),
            ),
        },
        "/api/teams/{team_id}/members/{user_id}": {
            "put": op(
                "moveMember",
                "Put a person in this team (out of their old one)",
                tag="teams",
                role="organizer",
                params=(TEAM_ID, USER_ID),
                answers={
                    200: json_answer("Moved", obj(["team", "user_id"], team=ref("Team"), user_id=STRING))
                },
            ),
        },
    }


def organize_pages() -> dict[str, dict[str, Any]]:
    """The People, Teams and Do-not-call pages and the join link's QR code (web/pages_organize.py)."""
    from dialer.web.openapi.other_paths import _page  # the pages' shared shape

    qr = _page(
        "joinQr", "The campaign's join link as a QR code (SVG)", role="organizer", params=(CAMPAIGN_ID,)
    )
    qr["responses"]["200"] = answer("The QR code", "image/svg+xml")
    return {
        "/people": {"get": _page("peoplePage", "People: search, roles, disable", role="organizer")},
        "/teams": {"get": _page("teamsPage", "Teams (a leader: their own)", role="leader")},
        "/dnc": {"get": _page("dncPage", "The do-not-call list", role="organizer")},
        "/campaigns/{campaign_id}/join.svg": {"get": qr},
    }


def campaign_filters() -> tuple[dict[str, Any], ...]:
    return CAMPAIGN_FILTERS
