"""Recording a power or predictive call, after the volunteer has read the disclosure to the voter.

In preview mode the voter hears the campaign's `recording_disclosure` before being connected (a whisper,
web/recording_hooks.py). The dialer's voters cannot: a recorded notice played before a volunteer is on the
line counts against the abandonment rule (connected to a live person within 2 seconds of the greeting's end).
So the volunteer, connected at once, reads the notice themselves and then presses "Start recording" on their
page: `POST /api/campaigns/{id}/calls/{call_sid}/recording` on the voter they are talking to. That press is
the disclosure step (the volunteer's word that the voter heard it, audited with who and when); only after it
does the pacer ask the carrier to record the voter's leg (`Calls/{CallSid}/Recordings.json`, the
conference's audio as the voter hears it; dialer/dialing/record_call.py), once per call; the page hears
`recording` started or failed on its socket, and the finished recording arrives at /twilio/recording/status
as a preview call's does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.campaigns import Campaign
from dialer.dialing.agents import Agent, AgentState, agent
from dialer.models import Mode, Role
from dialer.queue import audit, keys
from dialer.stores.recordings import RecordingStore
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import JSON_LIMIT, parse_json, read_body
from dialer.web.deps import deps
from dialer.web.errors import ApiError

NOT_YOURS = "No call of yours with that CallSid."


async def recording_started(redis: aioredis.Redis, campaign: Campaign, call_sid: str) -> bool:
    """Whether the dialer's call `call_sid` records (the page shows it after a reload)."""
    if not campaign.record_calls or not call_sid:
        return False
    return bool((await RecordingStore(redis).call_steps(campaign.id, call_sid)).get("started_at"))


async def still_talking(
    redis: aioredis.Redis, campaign: Campaign, talking: Agent, contacts: Mapping[str, Any]
) -> dict[str, Any]:
    """What a page reloaded mid-call hears after its step: the voter (as `bridged` gives it), their line,
    and whether it records."""
    recording = await recording_started(redis, campaign, talking.call_sid)
    return {"type": "talking", "contact_id": talking.contact_id, "call_sid": talking.call_sid,
            "contact": contacts.get(talking.contact_id), "recording": recording}  # fmt: skip


async def start_recording(request: Request) -> Response:
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    raw = await read_body(request, JSON_LIMIT)
    if (parse_json(raw) if raw.strip() else {}) != {}:
        raise ApiError(422, "validation_error", "Starting a recording takes no fields.",
                       [{"path": "", "message": "send no body, or {}"}])  # fmt: skip
    d = deps(request)
    sid = request.path_params["call_sid"]
    on_line = await agent(d.redis, campaign.id, user.id)
    if campaign.mode is Mode.PREVIEW:
        raise ApiError(409, "not_dialer_call", "In preview mode each voter hears the recording notice before "
                       "being connected, and recording starts by itself.")  # fmt: skip
    talking = on_line is not None and on_line.state is AgentState.TALKING and on_line.call_sid == sid
    if not talking and await d.redis.hget(keys.dial_line(campaign.id, sid), "volunteer") != user.id:
        raise ApiError(404, "not_found", NOT_YOURS)
    if not campaign.record_calls:
        raise ApiError(409, "not_recorded", "This campaign does not record calls.")
    if not talking or on_line is None:
        raise ApiError(409, "call_not_up", "The voter is no longer on the line: nothing to record.")
    store = RecordingStore(d.redis)
    now = d.clock()
    await store.step(campaign.id, sid, "disclosed", now)  # the volunteer's word: they read the notice
    if not await store.step(campaign.id, sid, "started", now):  # a repeat (a double click, a reload)
        steps = await store.call_steps(campaign.id, sid)
        return JSONResponse(
            {"call_sid": sid, "recording": "started" if steps.get("recording_sid") else "starting"}
        )
    # The pacer holds the carrier's handle on the lines it placed: it starts the recording, as it hangs up.
    await d.redis.rpush(keys.dial_actions(campaign.id), f"record|{sid}|{user.id}")
    detail = {"contact_id": on_line.contact_id, "call_sid": sid, "disclosure": "read by the volunteer"}
    await audit.record(d.redis, campaign.id, user=user.id, name=user.name, action="recording_start",
                       detail=detail, now=now)  # fmt: skip
    return JSONResponse({"call_sid": sid, "recording": "starting"}, status_code=202)


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/calls/{call_sid}/recording", start_recording, methods=["POST"]),
]
