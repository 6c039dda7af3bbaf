"""Warm transfer: a volunteer hands the voter on to one of the campaign's transfer targets.

`POST /api/campaigns/{id}/transfers {"contact_id", "target"}` (the volunteer talking to that voter, power or
predictive, or preview through their conference: dialer/conference_calls.py) dials the target's staff line
into the volunteer's conference (Conference Participants, as for coaches): volunteer, voter and staff member
talk together. `POST /twilio/transfer` is the staff leg's signed status callback: when the staff member
answers, the voter and the staff member are moved into a room of their own (Calls update with a
`<Conference>`), the dialer counts the volunteer's conversation as over (they are free for the next voter) and
saving the volunteer's result no longer hangs the voter up; when the staff line fails, the volunteer still has
the voter. The volunteer's page gets `{"type": "transfer", "contact_id", "target", "status":
"ringing"|"answered"|"failed"}`.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.voice_response import Dial, VoiceResponse

from dialer.campaigns import Campaign
from dialer.conference_calls import NOT_TRANSFERABLE
from dialer.dialing.agents import AgentState, agent
from dialer.dialing.bridge import apply_verdict, time_scale
from dialer.dialing.twiml import conference_name
from dialer.models import Mode, Role
from dialer.queue import audit, keys
from dialer.queue.transfer_state import Transfers
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import CarrierError
from dialer.telephony.forms import webhook_url
from dialer.telephony.participants import participants_for
from dialer.telephony.signing import SIGNATURE_HEADER
from dialer.transfers import JoinStaff, TransferStatus, find_target, handoff_room, next_status
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_body, read_json_object
from dialer.web.conference_leg import bridged
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError
from dialer.web.phone_dial import answered_call
from dialer.web.webhooks import check_webhook, signed_form

log = logging.getLogger("dialer.transfer")

TRANSFER_PATH = "/twilio/transfer"
FORM_LIMIT = 64 * 1024


def handoff_twiml(room: str) -> str:
    """The voter's and the staff member's legs after the answer: their own room, ended by either leaving."""
    response = VoiceResponse()
    dial = Dial()
    dial.conference(room, beep=False, start_conference_on_enter=True, end_conference_on_exit=True)
    response.append(dial)
    return str(response)


async def announce(d: Deps, campaign_id: str, state: dict[str, str], status: str) -> None:
    message = {"type": "transfer", "volunteer": state["volunteer"], "contact_id": state["contact_id"],
               "target": state["target"], "status": status}  # fmt: skip
    await d.redis.publish(keys.calls_channel(campaign_id), json.dumps(message))


def _problem(path: str, message: str) -> ApiError:
    return ApiError(422, "validation_error", message, [{"path": path, "message": message}])


async def start_transfer(request: Request) -> Response:
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    body = await read_json_object(request)
    for extra in sorted(set(body) - {"contact_id", "target"}):
        raise _problem(extra, f"unknown field {extra!r}; send {{contact_id, target}}")
    contact_id, wanted = body.get("contact_id"), body.get("target")
    if not isinstance(contact_id, str) or not contact_id or len(contact_id) > 64:
        raise _problem("contact_id", "contact_id must be the id of the voter on the line")
    if not isinstance(wanted, str) or not wanted.strip():
        raise _problem("target", "target is required: the name of one of this campaign's transfer targets")
    target = find_target(campaign.transfer_targets, wanted)
    if target is None:
        raise _problem("target", f"{wanted!r} is not one of this campaign's transfer targets")
    d = deps(request)
    if not await bridged(d, campaign, user.id):
        raise ApiError(409, "not_transferable", NOT_TRANSFERABLE)
    voter = await _voter(d, campaign, user.id, contact_id)
    if voter is None:
        raise ApiError(409, "not_on_call", "You are not talking to that voter now.")
    participants = participants_for(d.carrier, d.services)
    if participants is None:
        raise ApiError(409, "not_connected", "No carrier is configured.")
    transfers = Transfers(d.redis, campaign.id)
    if not await transfers.claim(voter, volunteer=user.id, contact_id=contact_id, target=target.name,
                                 phone=target.phone, now=d.clock()):  # fmt: skip
        state = await transfers.get(voter)
        if state.get("target") == target.name:  # a repeat of the same request: what it started
            return JSONResponse({"contact_id": contact_id, "target": target.name, "status": state["status"]})
        raise ApiError(409, "transfer_in_progress", "This voter is already being handed on.")
    callback = webhook_url(d.settings.base_url, TRANSFER_PATH, campaign_id=campaign.id, call_sid=voter)
    join = JoinStaff(conference_name(campaign.id, user.id), target.phone, campaign.caller_id, callback)
    try:
        joined = await participants.join(join)
    except CarrierError as exc:
        await transfers.release(voter)  # nothing kept: the volunteer may try again
        raise ApiError(502, "carrier_error", exc.message) from None
    await transfers.fill(voter, joined.call_sid, joined.conference_sid)
    await audit.record(d.redis, campaign.id, user=user.id, name=user.name, action="transfer_start",
                       detail={"contact_id": contact_id, "target": target.name, "call_sid": voter},
                       now=d.clock())  # fmt: skip
    await announce(d, campaign.id, await transfers.get(voter), TransferStatus.RINGING)
    body_out = {"contact_id": contact_id, "target": target.name, "status": TransferStatus.RINGING}
    return JSONResponse(body_out, status_code=201)


async def _voter(d: Deps, campaign: Campaign, volunteer: str, contact_id: str) -> str | None:
    """The CallSid of the voter the volunteer is talking to, if it is `contact_id`: the one the dialer
    bridged (power, predictive), or the preview call placed into their conference (web/phone_dial.py)."""
    if campaign.mode is Mode.PREVIEW:
        return await answered_call(d, campaign.id, volunteer, contact_id)
    on_line = await agent(d.redis, campaign.id, volunteer)
    if on_line is None or on_line.state is not AgentState.TALKING or on_line.contact_id != contact_id:
        return None
    return on_line.call_sid


async def transfer_status(request: Request) -> Response:
    """The staff leg's signed status callback; a state moves once, forward only."""
    d = deps(request)
    carrier = check_webhook(d, request.headers.get("content-type", ""))
    raw = await read_body(request, FORM_LIMIT)
    path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    form = signed_form(carrier, raw, path_qs, request.headers.get(SIGNATURE_HEADER))
    staff, reported = form.get("CallSid", ""), form.get("CallStatus", "")
    campaign_id, voter = request.query_params.get("campaign_id", ""), request.query_params.get("call_sid", "")
    if not staff or not reported or not campaign_id or not voter:
        raise ApiError(400, "malformed_webhook", "CallSid, CallStatus, campaign_id and call_sid are needed.")
    transfers = Transfers(d.redis, campaign_id)
    state = await transfers.get(voter)
    new = next_status(state.get("status", ""), reported) if state.get("staff_sid") == staff else None
    if new is None or not await transfers.advance(voter, staff, TransferStatus.RINGING, new):
        return Response(status_code=204)  # a repeat, a late callback, another leg: nothing changes
    campaign = await CampaignStore(d.redis).get(campaign_id)
    # Who handed which voter to whom, and how it ended: on the campaign's audit log beside coaching.
    seconds = max(0.0, d.clock() - float(state.get("started") or d.clock()))
    detail = {"contact_id": state.get("contact_id", ""), "target": state.get("target", ""), "call_sid": voter,
              "seconds": round(seconds, 1)}  # fmt: skip
    await audit.record(d.redis, campaign_id, user=state.get("volunteer", ""), name="",
                       action=f"transfer_{new}", detail=detail, now=d.clock())  # fmt: skip
    if new == TransferStatus.ANSWERED and campaign is not None:
        await hand_on(d, campaign, voter, staff)
    await announce(d, campaign_id, state, new)
    return Response(status_code=204)


async def hand_on(d: Deps, campaign: Campaign, voter: str, staff: str) -> None:
    """The staff member answered: voter and staff go on in their own room, the volunteer is free."""
    room = handoff_twiml(handoff_room(voter))
    for leg in (voter, staff):
        try:
            await d.carrier.update_call(leg, twiml=room)
        except CarrierError as exc:
            log.warning("could not move %s into the transfer room: %s", leg, exc.message)
    if campaign.mode is Mode.PREVIEW:
        return  # the volunteer saves the result and calls the next voter (web/phone_dial.py lets them)
    # For the dialer the volunteer's conversation is over: wrap-up, then the next voter.
    await apply_verdict(d.redis, campaign, voter, "end", now=d.clock(), scale=time_scale(d.settings),
                        final_status="completed")  # fmt: skip


routes: list[BaseRoute] = [Route(TRANSFER_PATH, transfer_status, methods=["POST"])]
api_routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/transfers", start_transfer, methods=["POST"]),
]
