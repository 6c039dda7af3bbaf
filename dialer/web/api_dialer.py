"""Power and predictive dialing over HTTP: a volunteer joins or leaves the dialing pool, organizers read the
dialer's numbers, and the carrier fetches TwiML for server-dialed voters and volunteers' conference legs.

`POST /api/campaigns/{id}/ready` `{ready: true|false}` (volunteer) -> 200 `{state, call_sid, contact_id}`:
`ready` (waiting for a voter), `bridged` (a voter was already waiting and is now yours; the call socket gets
`bridged` too) or `away`. A ready volunteer repeats the call at least every minute as a sign of life, as
`{ready: true, alive: true}`: then a voter bridged to them meanwhile is kept (`talking`), where a plain
`ready: true` ends the call they are on.
`GET /api/campaigns/{id}/dialer` (organizer) -> the mode, dial ratio, abandonment and volunteers' wait.
`POST /twilio/outbound` and `POST /twilio/agent` are carrier webhooks, signed like the others.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.dialing import twiml
from dialer.dialing.agents import set_ready
from dialer.dialing.stats import dialer_numbers
from dialer.models import Role
from dialer.queue.roster import Roster
from dialer.roster import VolunteerState
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import MalformedWebhook
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.webhooks import _signed_form, _twiml, agent_answer


async def ready(request: Request) -> Response:
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    body = await read_json_object(request)
    # Each problem at its own path: `{"ready": true, "redy": 1}` was told that ready must be true or false.
    problems = [{"path": name, "message": "unknown field"} for name in sorted(set(body) - {"ready", "alive"})]
    if not isinstance(body.get("ready"), bool):
        problems.insert(0, {"path": "ready", "message": "must be true or false"})
    if problems:
        raise ApiError(422, "validation_error", 'Send {"ready": true} or {"ready": false}.', problems)
    alive = body.get("alive", False)
    if not isinstance(alive, bool) or (alive and body["ready"] is not True):
        raise ApiError(422, "validation_error", "`alive` is a waiting page's heartbeat, with ready: true.",
                       [{"path": "alive", "message": "true (with ready: true) or false"}])  # fmt: skip
    wants = bool(body["ready"])
    if wants and not campaign.mode.server_dials:
        raise ApiError(409, "not_dialing", "This campaign is in preview mode: take a batch and call instead.")
    if wants and campaign.refusal is not None:
        raise ApiError(409, "campaign_paused", campaign.refusal)
    d = deps(request)
    reply = await set_ready(
        d.redis, campaign.id, user.id, wants, now=d.clock(), lease_seconds=campaign.lease_seconds, alive=alive
    )
    roster = Roster(d.redis, campaign.id)
    if reply.state in ("ready", "away") and await roster.on_roster(user.id):
        # Taking calls or stepping away (power and predictive): the organizers' roster says so.
        shown = VolunteerState.WAITING if reply.state == "ready" else VolunteerState.AWAY
        await roster.set_state(user.id, shown.value, d.clock())
    return JSONResponse(reply.to_json())


async def dialer_stats(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    d = deps(request)
    return JSONResponse(await dialer_numbers(d.redis, campaign, d.clock()))


async def outbound(request: Request) -> Response:
    """The first TwiML of an answered server-dialed voter: silence while AMD decides, then (only if the
    server never moves the call on) who called."""
    d, carrier, form = await _signed_form(request)
    campaign_id = request.query_params.get("campaign_id") or form.get("campaign_id")
    campaign = await CampaignStore(d.redis).get(campaign_id) if campaign_id else None
    if campaign is None:
        return _twiml(twiml.voicemail_twiml(None))
    return _twiml(twiml.hold_twiml(campaign.name, campaign.caller_id))


async def agent_leg(request: Request) -> Response:
    """The volunteer's browser leg in power and predictive modes: their own conference, to wait in."""
    d, carrier, form = await _signed_form(request)
    try:
        call = carrier.parse_voice(form, dict(request.query_params))
    except MalformedWebhook as exc:
        raise ApiError(400, "malformed_webhook", str(exc)) from None
    return await agent_answer(d, carrier, call)


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/ready", ready, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/dialer", dialer_stats, methods=["GET"]),
    Route("/twilio/outbound", outbound, methods=["POST"]),
    Route("/twilio/agent", agent_leg, methods=["POST"]),
]
