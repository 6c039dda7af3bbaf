"""The JSON API's calling and team operations: batches and results, the browser's calls, the dialing
pool, teams."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.api_paths import BATCH_LINKS, BY_CAMPAIGN, NO_BODY
from dialer.web.openapi.operations import (
    CAMPAIGN_ID,
    json_answer,
    json_body,
    link,
    op,
    path_param,
    query_param,
)
from dialer.web.openapi.schemas import TIME, ref

CALL_LINKS = {
    name: link(name, campaign_id="$request.path.campaign_id", call_sid="$response.body#/call_sid")
    for name in ("getCall", "hangUp")
}
BATCH_ID = path_param("batch_id", description="The batch's id (it names its campaign)")


def calling_paths() -> dict[str, dict[str, Any]]:
    calls = "calling"
    return {
        "/api/campaigns/{campaign_id}/batches": {
            "post": op(
                "takeBatch",
                "Take a batch of contacts (or your open one again)",
                tag=calls,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                answers={
                    200: json_answer("Your open batch", ref("Batch"), BATCH_LINKS),
                    201: json_answer("A new batch", ref("Batch"), BATCH_LINKS),
                },
                errors=(409,),
                description="409 `no_contacts` (`details` say why). Never cached.",
            ),
        },
        "/api/batches/{batch_id}/renew": {
            "post": op(
                "renewBatch",
                "Extend your batch's lease",
                tag=calls,
                role="volunteer",
                params=(BATCH_ID,),
                answers={
                    200: json_answer(
                        "Renewed",
                        {
                            "type": "object",
                            "required": ["expires_at"],
                            "properties": {"expires_at": {"type": "string"}},
                        },
                    )
                },
                errors=(409, 410),
            ),
        },
        "/api/batches/{batch_id}/release": {
            "post": op(
                "releaseBatch",
                "Give back the contacts not yet called",
                tag=calls,
                role="volunteer",
                params=(BATCH_ID,),
                body=json_body(
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {"after_seconds": {"type": "integer", "minimum": 1, "maximum": 600}},
                    },
                    required=False,
                ),
                errors=(409, 410, 422),
                answers={
                    200: json_answer(
                        "Released",
                        {
                            "type": "object",
                            "required": ["released"],
                            "properties": {"released": {"type": "integer"}, "expires_at": TIME},
                        },
                    )
                },
                description="Without a body the contacts not yet called go back to the queue now. With "
                "`{after_seconds}` (a page closing or reloading) the lease ends that soon instead (never "
                "later than it would have): taken again meanwhile, the batch comes back with `called`.",
            ),
        },
        "/api/batches/{batch_id}/results": {
            "post": op(
                "postResult",
                "Record a call's result",
                tag=calls,
                role="volunteer",
                params=(BATCH_ID,),
                body=json_body(ref("Result")),
                answers={200: json_answer("Recorded", ref("Recorded"))},
                errors=(409, 410),
                description="An `idempotency_key` repeated within the batch gives `duplicate: true`. The "
                "batch's holder only: another volunteer's batch is 403 `not_holder`, as renew and release.",
            ),
        },
        "/api/teams": {
            "post": op(
                "createTeam",
                "Create a team (its creator leads it)",
                tag="teams",
                role="leader",
                body=json_body(ref("TeamName")),
                answers={
                    201: json_answer(
                        "Created", ref("Team"), {"getTeam": link("getTeam", team_id=BY_CAMPAIGN)}
                    )
                },
                description="403 `not_an_account` for the admin token.",
            ),
            "get": op(
                "listTeams",
                "Every team",
                tag="teams",
                role="volunteer",
                answers={200: json_answer("Teams", {"type": "array", "items": ref("Team")})},
            ),
        },
        "/api/teams/join": {
            "post": op(
                "joinTeam",
                "Join a team by its code",
                tag="teams",
                role="volunteer",
                body=json_body(ref("JoinCode")),
                answers={
                    200: json_answer(
                        "Joined",
                        {"type": "object", "required": ["team"], "properties": {"team": ref("Team")}},
                    )
                },
            ),
        },
        "/api/teams/membership": {
            "delete": op(
                "leaveTeam", "Leave your team", tag="teams", role="volunteer", answers={204: NO_BODY}
            ),
        },
        "/api/teams/{team_id}": {
            "get": op(
                "getTeam",
                "A team with its members (its leader, organizers)",
                tag="teams",
                role="leader",
                params=(path_param("team_id"), query_param("campaign_id", "adds each member's calls")),
                answers={200: json_answer("The team", ref("TeamDetail"))},
            ),
        },
        "/api/voice/token": {
            "get": op(
                "voiceToken",
                "A voice token for the browser's phone",
                tag=calls,
                role="volunteer",
                answers={200: json_answer("The token", ref("VoiceToken"))},
            ),
        },
        "/api/batches/{batch_id}/skip": {
            "post": op(
                "skipContact",
                "Put a contact of your batch back in the queue uncalled",
                tag=calls,
                role="volunteer",
                params=(BATCH_ID,),
                body=json_body(ref("PlaceCall")),
                answers={200: json_answer("Skipped", ref("Skipped"))},
                errors=(409, 410),
                description="409 `call_in_progress` while the voter is on a call.",
            ),
        },
        "/api/campaigns/{campaign_id}/contacts/{contact_id}/history": {
            "get": op(
                "contactHistory",
                "What earlier callers recorded for this voter, newest first (its holder, organizers)",
                tag=calls,
                role="volunteer",
                params=(CAMPAIGN_ID, path_param("contact_id")),
                answers={200: json_answer("History", {"type": "array", "items": ref("HistoryEntry")})},
            ),
        },
        "/api/campaigns/{campaign_id}/calls": {
            "post": op(
                "placeCall",
                "Place the browser's call (simulated carrier)",
                tag=calls,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                body=json_body(ref("PlaceCall")),
                answers={201: json_answer("Dialing", ref("CallPlaced"), CALL_LINKS)},
                errors=(409, 502),
                description="409 `call_refused` with the reason spoken (`details: [{reason}]`: the rule, "
                "such as `do_not_call`, or `call_in_progress` while another call to the voter is not "
                "yet over), `use_voice_sdk` with Twilio; "
                "502 `carrier_unreachable` when PUBLIC_URL does not lead here.",
            ),
        },
        "/api/campaigns/{campaign_id}/calls/{call_sid}": {
            "get": op(
                "getCall",
                "A call as the carrier last reported it (whoever placed it, organizers)",
                tag=calls,
                role="volunteer",
                params=(CAMPAIGN_ID, path_param("call_sid")),
                answers={200: json_answer("The call", ref("Call"))},
            ),
        },
        "/api/campaigns/{campaign_id}/calls/{call_sid}/hangup": {
            "post": op(
                "hangUp",
                "Hang up your call",
                tag=calls,
                role="volunteer",
                params=(CAMPAIGN_ID, path_param("call_sid")),
                answers={204: NO_BODY},
                errors=(502,),
            ),
        },
        "/api/campaigns/{campaign_id}/calls/{call_sid}/voicemail": {
            "post": op(
                "leaveVoicemail",
                "Preview mode: read the campaign's voicemail message to the voter's machine, then hang up",
                tag=calls,
                role="volunteer",
                params=(CAMPAIGN_ID, path_param("call_sid")),
                answers={
                    202: json_answer(
                        "The message is playing",
                        {
                            "type": "object",
                            "required": ["call_sid", "voicemail"],
                            "properties": {"call_sid": {"type": "string"}, "voicemail": {"const": "playing"}},
                        },
                    )
                },
                errors=(409, 502),
            ),
        },
        "/api/campaigns/{campaign_id}/ready": {
            "post": op(
                "ready",
                "Join or leave the dialing pool (power, predictive)",
                tag=calls,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                body=json_body(ref("Ready")),
                answers={200: json_answer("Your state", ref("ReadyState"))},
                errors=(409,),
            ),
        },
    }
