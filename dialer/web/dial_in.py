"""Dial-in: the volunteer calls the campaign's inbound number and types the PIN their call page shows.

`POST /api/campaigns/{id}/dial-in/pin` gives the volunteer a 6-digit PIN (dialer/phone_legs.py): valid 10
minutes, single use, good for this campaign only; a new one revokes the old (dial_in_pin.lua). The inbound
number's voice URL is `/twilio/dial-in?campaign_id=<id>`: it answers with a `<Gather>` for the PIN; a wrong
PIN is logged and audited and asked again, the third wrong one hangs up. The right one makes the call the
volunteer's leg, as "call me" does (dialer/web/call_me_hooks.py): their conference, the dialing pool, and
`phone_leg` on their call socket. The number's status callback, `/twilio/dial-in/status?campaign_id=<id>`,
ends the leg (and takes them out of the pool) when they hang up.

Every webhook is signed like the others. Each PIN round's action URL carries its attempt number, and the
round's outcome is kept per CallSid, so a repeated delivery is answered the same and counts nothing again.
"""

from __future__ import annotations

import logging
import secrets
from typing import cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.voice_response import VoiceResponse

from dialer.calling_methods import CallingMethod
from dialer.campaigns import Campaign
from dialer.dialing.agents import set_ready
from dialer.dialing.twiml import volunteer_leg_twiml
from dialer.models import CampaignStatus, Mode, Role
from dialer.phone_legs import (
    PIN_TRIES,
    PIN_TTL,
    LegState,
    PinStep,
    after_pin,
    leg_state_for,
    new_pin,
    pin_owner,
    pin_record,
    valid_code_shape,
)
from dialer.queue import audit, keys
from dialer.queue.lua_scripts import run
from dialer.stores.accounts import AccountStore
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import CALL_SID_RE, Carrier
from dialer.telephony.forms import webhook_url
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.call_me_hooks import advance, publish, replace_leg
from dialer.web.deps import Deps, deps
from dialer.web.dial_in_limits import give_back, take_try
from dialer.web.disabled_calls import end_dial_in_pin
from dialer.web.errors import ApiError
from dialer.web.own_phone import methods_for
from dialer.web.webhooks import _signed_form, _twiml

log = logging.getLogger("dialer.dial_in")

VOICE_PATH = "/twilio/dial-in"
PIN_PATH = "/twilio/dial-in/pin"
STATUS_PATH = "/twilio/dial-in/status"
CALL_TTL = 12 * 3600
GATHER_SECONDS = 15
GOODBYE = "Goodbye."


async def issue_pin(request: Request) -> Response:
    """A new PIN for the volunteer in this campaign (their previous one stops working)."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    if CallingMethod.DIAL_IN not in methods_for(d, campaign) or not campaign.inbound_number:
        raise ApiError(409, "method_not_offered", "This campaign does not offer dialing in.")
    expires = d.clock() + PIN_TTL
    for _ in range(20):  # another volunteer's live PIN is drawn again
        pin = new_pin(secrets.randbelow)
        issued = await run(
            d.redis,
            "dial_in_pin",
            [keys.dial_in_pin_of(campaign.id, user.id), keys.dial_in_pin(campaign.id, pin)],
            [keys.dial_in_pin(campaign.id, ""), pin, pin_record(user.id, expires), int(PIN_TTL) + 60],
        )
        if issued:
            if not await AccountStore(d.redis).may_call(user.id):  # disabled meanwhile: it ended none
                await end_dial_in_pin(d, campaign.id, user.id)
                raise ApiError(403, "account_disabled", "This account is disabled; ask an organizer.")
            body = {"pin": pin, "number": campaign.inbound_number, "expires_in": int(PIN_TTL)}
            return JSONResponse(body, status_code=201, headers={"Cache-Control": "no-store"})
    raise ApiError(503, "busy", "Could not draw a free PIN; try again.")


# ---- the inbound call's webhooks ---------------------------------------------------------------------------


async def _inbound(request: Request) -> tuple[Deps, Carrier, dict[str, str], Campaign | None, str]:
    d, carrier, form = await _signed_form(request)
    sid = form.get("CallSid", "")
    if not CALL_SID_RE.match(sid):
        raise ApiError(400, "malformed_webhook", f"bad CallSid {sid!r}")
    campaign_id = request.query_params.get("campaign_id", "")
    campaign = await CampaignStore(d.redis).get(campaign_id) if campaign_id else None
    return d, carrier, form, campaign, sid


def _taking_calls(d: Deps, campaign: Campaign | None, to: str) -> bool:
    return (
        campaign is not None
        and campaign.inbound_number == to
        and CallingMethod.DIAL_IN in methods_for(d, campaign)
        and campaign.calling_status is CampaignStatus.ACTIVE  # an archived campaign takes none
    )


def _ask_pin(d: Deps, campaign: Campaign, attempt: int, intro: str) -> str:
    response = VoiceResponse()
    action = webhook_url(d.settings.base_url, PIN_PATH, campaign_id=campaign.id, attempt=str(attempt))
    gather = response.gather(num_digits=6, action=action, method="POST", timeout=GATHER_SECONDS)
    gather.say(intro)
    response.say(f"We did not get a PIN. {GOODBYE}")
    response.hangup()
    return str(response)


async def voice(request: Request) -> Response:
    """A call to the campaign's inbound number: ask for the PIN."""
    d, carrier, form, campaign, _ = await _inbound(request)
    if campaign is None or not _taking_calls(d, campaign, form.get("To", "")):
        return _twiml(carrier.refusal_twiml(f"This number is not taking calls now. {GOODBYE}"))
    intro = f"This is the dialer for {campaign.name}. Enter the 6-digit PIN shown on your call page."
    return _twiml(_ask_pin(d, campaign, 1, intro))


async def pin_entered(request: Request) -> Response:
    """The N-th PIN of a call: the right one connects, a wrong one is asked again, the third hangs up."""
    d, carrier, form, campaign, sid = await _inbound(request)
    raw_attempt = request.query_params.get("attempt", "")
    if campaign is None or not raw_attempt.isdigit() or not 1 <= int(raw_attempt) <= PIN_TRIES:
        return _twiml(carrier.refusal_twiml(GOODBYE))
    attempt = int(raw_attempt)
    call_key = keys.dial_in_call(campaign.id, sid)
    done = cast(dict[str, str], await d.redis.hgetall(call_key))
    volunteer = done.get("volunteer")
    if volunteer:  # already connected: a repeated delivery is answered the same
        return _twiml(volunteer_leg_twiml(campaign.id, volunteer))
    seen = done.get(f"a{attempt}")
    if seen is not None:  # this round was answered already: the same answer again, nothing counted
        step = PinStep(seen)
    elif not _taking_calls(d, campaign, form.get("To", "")):
        return _twiml(carrier.refusal_twiml(f"This number is not taking calls now. {GOODBYE}"))
    elif not await take_try(d.redis, campaign.id, form.get("From", ""), d.clock()):
        return _twiml(await _locked(d, carrier, campaign, call_key, attempt, form))
    else:
        digits = form.get("Digits", "")
        record = (
            await d.redis.getdel(keys.dial_in_pin(campaign.id, digits)) if valid_code_shape(digits) else None
        )
        owner = pin_owner(cast(str | None, record), d.clock())
        if owner is not None:
            await give_back(d.redis, campaign.id, form.get("From", ""), d.clock())
            if not await AccountStore(d.redis).may_call(owner):  # disabled since the PIN was given
                return _twiml(await _refused(d, carrier, campaign, call_key, attempt, form, owner))
        step = after_pin(owner, attempt)
        async with d.redis.pipeline(transaction=True) as pipe:
            pipe.hset(call_key, f"a{attempt}", step.value)
            if owner is not None:
                pipe.hset(call_key, "volunteer", owner)
            pipe.expire(call_key, CALL_TTL)
            await pipe.execute()
        if owner is not None:
            return _twiml(await _connect(d, campaign, owner, sid))
        log.warning(
            "wrong dial-in PIN on call %s to campaign %s (try %d of %d)", sid, campaign.id, attempt, PIN_TRIES
        )
        await audit.record(
            d.redis,
            campaign.id,
            user="",
            name="dial-in caller",
            action="dial_in_wrong_pin",
            detail={
                "call_sid": sid,
                "from": form.get("From", ""),
                "attempt": attempt,
                "hung_up": step is PinStep.HANG_UP,
            },
            now=d.clock(),
        )
    if step is PinStep.HANG_UP:
        return _twiml(carrier.refusal_twiml(f"That PIN is not right. {GOODBYE}"))
    return _twiml(_ask_pin(d, campaign, attempt + 1, "That PIN is not right. Enter the PIN again."))


async def _end_round(d: Deps, call_key: str, attempt: int) -> None:
    """This round of PIN entry ends the call: a repeat of its request (a carrier retry) hangs up too."""
    async with d.redis.pipeline(transaction=True) as pipe:
        pipe.hset(call_key, f"a{attempt}", PinStep.HANG_UP.value)
        pipe.expire(call_key, CALL_TTL)
        await pipe.execute()


async def _locked(
    d: Deps, carrier: Carrier, campaign: Campaign, call_key: str, attempt: int, form: dict[str, str]
) -> str:
    """Too many wrong PINs lately (dialer/web/dial_in_limits.py): this round is not compared, and ends."""
    await _end_round(d, call_key, attempt)
    sid = form.get("CallSid", "")
    log.warning("dial-in PIN not compared on call %s to campaign %s: too many wrong PINs", sid, campaign.id)
    detail = {"call_sid": sid, "from": form.get("From", ""), "attempt": attempt}
    await audit.record(d.redis, campaign.id, user="", name="dial-in caller", action="dial_in_locked",
                       detail=detail, now=d.clock())  # fmt: skip
    return carrier.refusal_twiml(f"Too many wrong PINs were entered lately. {GOODBYE}")


async def _refused(
    d: Deps,
    carrier: Carrier,
    campaign: Campaign,
    call_key: str,
    attempt: int,
    form: dict[str, str],
    owner: str,
) -> str:
    """The right PIN of an account disabled since it was given: used up, audited, and the call hung up."""
    await _end_round(d, call_key, attempt)
    sid = form.get("CallSid", "")
    log.warning("dial-in PIN of disabled account %s on call %s to campaign %s", owner, sid, campaign.id)
    detail = {"call_sid": sid, "from": form.get("From", ""), "volunteer": owner, "reason": "account_disabled"}
    await audit.record(d.redis, campaign.id, user="", name="dial-in caller", action="dial_in_refused",
                       detail=detail, now=d.clock())  # fmt: skip
    return carrier.refusal_twiml(f"This account may not call now. {GOODBYE}")


async def _connect(d: Deps, campaign: Campaign, volunteer: str, sid: str) -> str:
    """The call becomes the volunteer's leg: their conference, and the dialing pool."""
    await replace_leg(d, campaign.id, volunteer, sid, LegState.CONNECTED)
    if campaign.mode is not Mode.PREVIEW:  # preview: the voter they click is called in (web/phone_dial.py)
        await set_ready(
            d.redis, campaign.id, volunteer, True, now=d.clock(), lease_seconds=campaign.lease_seconds
        )
    await publish(d, campaign.id, volunteer, sid, LegState.CONNECTED)
    return volunteer_leg_twiml(campaign.id, volunteer)


async def status(request: Request) -> Response:
    """The inbound number's status callback: a connected caller hanging up leaves the dialing pool."""
    d, _, form, campaign, sid = await _inbound(request)
    if campaign is None:
        return Response(status_code=204)
    state = leg_state_for(form.get("CallStatus", ""))
    if state is None:
        raise ApiError(400, "malformed_webhook", f"unknown CallStatus {form.get('CallStatus')!r}")
    volunteer = cast(str | None, await d.redis.hget(keys.dial_in_call(campaign.id, sid), "volunteer"))
    if state is not LegState.ENDED or not volunteer:
        return Response(status_code=204)  # a caller who never gave a right PIN is nobody's leg
    before = await advance(d, campaign.id, volunteer, sid, LegState.ENDED)
    if before == LegState.CONNECTED:
        await set_ready(
            d.redis,
            campaign.id,
            volunteer,
            False,
            now=d.clock(),
            lease_seconds=campaign.lease_seconds,
            only_if_ready=True,
        )
    if before is not None:
        await publish(d, campaign.id, volunteer, sid, LegState.ENDED)
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/dial-in/pin", issue_pin, methods=["POST"]),
    Route(VOICE_PATH, voice, methods=["POST"]),
    Route(PIN_PATH, pin_entered, methods=["POST"]),
    Route(STATUS_PATH, status, methods=["POST"]),
]
