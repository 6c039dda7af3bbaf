"""The webhooks of a volunteer's "call me" phone leg (dialer/web/call_me.py places it).

/twilio/call-me/answer asks for the 1, /twilio/call-me/press puts the leg in the volunteer's conference
and them in the dialing pool, /twilio/call-me/status follows the leg to its end. Each is signed like every
carrier webhook, names the campaign and volunteer in its signed query, and moves only the leg on record,
only forward (phone_leg.lua): a replay, a late callback or one about an older leg changes nothing.
"""

from __future__ import annotations

import json
import logging
from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.voice_response import VoiceResponse

from dialer.campaigns import Campaign
from dialer.dialing.agents import set_ready
from dialer.dialing.twiml import volunteer_leg_twiml
from dialer.models import CampaignStatus, Mode
from dialer.phone_legs import LegState, leg_state_for, pressed_one
from dialer.queue import keys
from dialer.queue.lua_scripts import run
from dialer.stores.accounts import AccountStore
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import CALL_SID_RE, Carrier
from dialer.telephony.forms import webhook_url
from dialer.web.deps import Deps
from dialer.web.errors import ApiError
from dialer.web.webhooks import _signed_form, _twiml

ANSWER_PATH = "/twilio/call-me/answer"
PRESS_PATH = "/twilio/call-me/press"
STATUS_PATH = "/twilio/call-me/status"
GATHER_SECONDS = 10
LEG_TTL = 12 * 3600
LIVE = (LegState.CALLING, LegState.ANSWERED, LegState.CONNECTED)

log = logging.getLogger("dialer.call_me")


async def leg_of(d: Deps, campaign_id: str, volunteer: str) -> dict[str, str]:
    return cast(dict[str, str], await d.redis.hgetall(keys.phone_leg(campaign_id, volunteer)))


async def advance(d: Deps, campaign_id: str, volunteer: str, sid: str, state: LegState) -> str | None:
    """The state the leg was in when this moved it forward, else None (a replay, late, or another leg)."""
    moved = await run(
        d.redis,
        "phone_leg",
        [keys.phone_leg(campaign_id, volunteer)],
        [sid, state.value, state.rank, repr(d.clock())],
    )
    return None if moved is None else str(moved)


async def replace_leg(d: Deps, campaign_id: str, volunteer: str, sid: str, state: LegState) -> None:
    """A new call becomes the volunteer's leg, in `state`. A leg they had before that may still be up (a
    call-me phone, then a dial-in) is hung up: one phone at a time sits in their conference."""
    leg_key = keys.phone_leg(campaign_id, volunteer)
    old = await leg_of(d, campaign_id, volunteer)
    async with d.redis.pipeline(transaction=True) as pipe:
        pipe.delete(leg_key)
        pipe.hset(
            leg_key,
            mapping={
                "call_sid": sid,
                "state": state.value,
                "rank": str(state.rank),
                "since": repr(d.clock()),
            },
        )
        pipe.expire(leg_key, LEG_TTL)
        await pipe.execute()
    replaced = old.get("call_sid", "")
    if replaced and replaced != sid and old.get("state") in set(LIVE) and d.carrier is not None:
        try:
            await cast(Carrier, d.carrier).hangup(replaced)
        except Exception as exc:  # most often it had ended already; the new leg stands either way
            log.info("could not hang up the replaced leg %s of %s: %s", replaced, volunteer, exc)


async def publish(d: Deps, campaign_id: str, volunteer: str, sid: str, state: LegState) -> None:
    message = {"type": "phone_leg", "volunteer": volunteer, "call_sid": sid, "state": state.value}
    await d.redis.publish(keys.calls_channel(campaign_id), json.dumps(message))


async def _leg_request(request: Request) -> tuple[Deps, Carrier, dict[str, str], Campaign | None, str, str]:
    d, carrier, form = await _signed_form(request)
    sid = form.get("CallSid", "")
    if not CALL_SID_RE.match(sid):
        raise ApiError(400, "malformed_webhook", f"bad CallSid {sid!r}")
    campaign_id = request.query_params.get("campaign_id", "")
    volunteer = request.query_params.get("volunteer", "")
    campaign = await CampaignStore(d.redis).get(campaign_id) if campaign_id and volunteer else None
    return d, carrier, form, campaign, volunteer, sid


async def _current(d: Deps, campaign: Campaign | None, volunteer: str, sid: str) -> bool:
    if campaign is None:
        return False
    leg = await leg_of(d, campaign.id, volunteer)
    return leg.get("call_sid") == sid


async def answer(request: Request) -> Response:
    """The volunteer picked up: ask for the 1 (a voicemail box or a pocket never joins the campaign)."""
    d, carrier, _, campaign, volunteer, sid = await _leg_request(request)
    if campaign is None or not await _current(d, campaign, volunteer, sid):
        return _twiml(carrier.refusal_twiml("This call is no longer needed. Goodbye."))
    if await advance(d, campaign.id, volunteer, sid, LegState.ANSWERED) is not None:
        await publish(d, campaign.id, volunteer, sid, LegState.ANSWERED)
    response = VoiceResponse()
    action = webhook_url(d.settings.base_url, PRESS_PATH, campaign_id=campaign.id, volunteer=volunteer)
    gather = response.gather(num_digits=1, action=action, method="POST", timeout=GATHER_SECONDS)
    gather.say(f"This is the dialer for {campaign.name}. Press 1 to start taking calls.")
    response.say("We did not hear a 1. Goodbye.")
    response.hangup()
    return _twiml(str(response))


async def press(request: Request) -> Response:
    """The Gather's answer: 1 puts the leg in the volunteer's conference (and them in the dialing pool)."""
    d, carrier, form, campaign, volunteer, sid = await _leg_request(request)
    if campaign is None or not await _current(d, campaign, volunteer, sid):
        return _twiml(carrier.refusal_twiml("This call is no longer needed. Goodbye."))
    if not pressed_one(form.get("Digits")):
        return _twiml(carrier.refusal_twiml("We did not hear a 1. Goodbye."))
    if campaign.calling_status is not CampaignStatus.ACTIVE:
        return _twiml(carrier.refusal_twiml("This campaign is not taking calls now. Goodbye."))
    if not await AccountStore(d.redis).may_call(volunteer):  # disabled while their phone rang
        return _twiml(carrier.refusal_twiml("This account may not call now. Goodbye."))
    if await advance(d, campaign.id, volunteer, sid, LegState.CONNECTED) is not None:
        # Once, however often the carrier repeats the request: what the browser's Start taking calls does.
        # In preview nobody is dialed for them: the voter they click is called in (web/phone_dial.py).
        if campaign.mode is not Mode.PREVIEW:
            await set_ready(
                d.redis, campaign.id, volunteer, True, now=d.clock(), lease_seconds=campaign.lease_seconds
            )
        await publish(d, campaign.id, volunteer, sid, LegState.CONNECTED)
    return _twiml(volunteer_leg_twiml(campaign.id, volunteer))


async def status(request: Request) -> Response:
    """The leg's progress; its end takes the volunteer out of the pool, as a closed browser call does."""
    d, _, form, campaign, volunteer, sid = await _leg_request(request)
    if request.query_params.get("purpose") == "verify" or campaign is None:
        return Response(status_code=204)  # a verification call: nothing rides on it
    state = leg_state_for(form.get("CallStatus", ""))
    if state is None:
        raise ApiError(400, "malformed_webhook", f"unknown CallStatus {form.get('CallStatus')!r}")
    if state is LegState.ANSWERED:
        return Response(status_code=204)  # the answer URL's fetch moves the leg; press 1 moves it on
    before = await advance(d, campaign.id, volunteer, sid, state)
    if before is not None:
        if state is LegState.ENDED and before == LegState.CONNECTED and campaign.mode is not Mode.PREVIEW:
            await set_ready(
                d.redis,
                campaign.id,
                volunteer,
                False,
                now=d.clock(),
                lease_seconds=campaign.lease_seconds,
                only_if_ready=True,
            )
        await publish(d, campaign.id, volunteer, sid, state)
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route(ANSWER_PATH, answer, methods=["POST"]),
    Route(PRESS_PATH, press, methods=["POST"]),
    Route(STATUS_PATH, status, methods=["POST"]),
]
