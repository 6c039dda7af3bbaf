""" "Call me": the volunteer's session runs over a call from us to their own verified phone.

The volunteer gives their number once (`PUT .../call-me/number`): a call from the campaign's number reads
them a 6-digit code, which they type on the page (`POST .../call-me/number/verify`); only then is it stored
on their account, and pages only ever show it masked. `POST .../call-me` rings that number and no other
(the request names none). They answer, press 1 (`<Gather numDigits=1>`), and their leg joins their own
conference (dialer/dialing/twiml.py), where the dialer brings voters in exactly as for the browser's leg;
pressing 1 also puts them in the dialing pool. Their leg ending (they hung up) takes them out of the pool,
as closing the browser's call does. The call socket hears `{"type": "phone_leg", "state", "call_sid"}`.

The leg's webhooks are in dialer/web/call_me_hooks.py.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.voice_response import VoiceResponse

from dialer.calling_methods import CallingMethod
from dialer.campaigns import Campaign
from dialer.models import Role
from dialer.phone_legs import (
    CODE_TRIES,
    CODE_TTL,
    CodeCheck,
    LegState,
    Verification,
    check_code,
    code_digest,
    mask,
    new_code,
    spoken_code,
    valid_code_shape,
)
from dialer.phones import parse_phone
from dialer.queue import keys
from dialer.queue.lua_scripts import run
from dialer.staff_lines import staff_line_problem
from dialer.telephony.base import Carrier, CarrierError, PlaceCall
from dialer.telephony.forms import webhook_url
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import parse_json, read_body, read_json_object
from dialer.web.call_me_hooks import ANSWER_PATH, LIVE, STATUS_PATH, leg_of, publish, replace_leg
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError
from dialer.web.own_phone import methods_for
from dialer.web.validate import only_string

log = logging.getLogger("dialer.call_me")

RING_SECONDS = 30
VERIFY_CALLS_PER_HOUR = 5  # verification calls one account may have placed: no calling strangers in bulk
VERIFY_CALLS_PER_NUMBER = 3  # ... and one number may receive, from all accounts: no ringing one person anew
VERIFY_CALLS_PER_CAMPAIGN = 200  # ... and one campaign places in an hour, whoever asks, to whichever numbers
# Calls to a volunteer's own phone an account may have placed in an hour: enough to drop and rejoin through
# a call day; more is a phone rung in a loop (a bill, and a way to harass whoever holds the number).
CALL_ME_PER_HOUR = 30
TOO_MANY_CALLS = "We called your phone too often this hour: use the browser, or try again later."
OWN_NUMBER = "must be a valid US or Canadian number, not toll-free or premium rate, without an extension"


def _carrier(d: Deps) -> Carrier:
    if d.carrier is None:
        raise ApiError(404, "not_found", "No carrier is configured.")
    return cast(Carrier, d.carrier)


async def _offering(request: Request, role: Role = Role.VOLUNTEER) -> tuple[Deps, Any, Campaign]:
    user = await require_user(request, role)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    if CallingMethod.CALL_ME not in methods_for(d, campaign):
        raise ApiError(409, "method_not_offered", "This campaign does not offer calls to your own phone.")
    return d, user, campaign


def _is_live(leg: dict[str, str]) -> bool:
    return bool(leg) and leg.get("state") in set(LIVE)


def _rang_out(leg: dict[str, str], now: float) -> bool:
    """A leg still ringing long after its ring timeout: its final callback was lost, so it does not block."""
    return leg.get("state") == LegState.CALLING and float(leg.get("since") or 0) < now - 4 * RING_SECONDS


async def status_view(request: Request) -> Response:
    """What the page shows: the verified number (masked), a number being verified, and the leg."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    number = await d.redis.hget(keys.user_phone(user.id), "e164")
    checking = await d.redis.hget(keys.phone_check(user.id), "phone")
    leg = await leg_of(d, campaign.id, user.id)
    return JSONResponse(
        {
            "offered": CallingMethod.CALL_ME in methods_for(d, campaign),
            "number": mask(str(number)) if number else None,
            "verifying": mask(str(checking)) if checking else None,
            "leg": {"call_sid": leg["call_sid"], "state": leg.get("state")} if leg else None,
        }
    )


async def _hour_count(d: Deps, key: str) -> int:
    """One more on the counter `key` for this hour of the injected clock, counted and given its expiry in
    one transaction (a crash between the two would leave a counter that never expires: a lasting lock-out)."""
    hourly = f"{key}:{int(d.clock() // 3600)}"
    async with d.redis.pipeline(transaction=True) as pipe:
        pipe.incr(hourly)
        pipe.expire(hourly, 7200)
        count, _ = await pipe.execute()
    return int(count)


async def start_verification(request: Request) -> Response:
    """`{phone}`: place a call that reads a code to that number; the number is kept only once confirmed."""
    d, user, campaign = await _offering(request)
    raw = only_string(await read_json_object(request), "phone", max_len=40)
    phone = parse_phone(raw)
    if phone is None or phone.toll_free or phone.extension or staff_line_problem(phone.e164) is not None:
        raise ApiError(
            422,
            "validation_error",
            "Give a US or Canadian phone number that we can call.",
            [{"path": "phone", "message": OWN_NUMBER}],
        )
    carrier = _carrier(d)
    if await _hour_count(d, keys.ratelimit("phone-verify", user.id)) > VERIFY_CALLS_PER_HOUR:
        raise ApiError(429, "too_many_verifications", "Too many verification calls: try again in an hour.")
    # Sign-ups are free, so the number called is limited too, whoever asks.
    if await _hour_count(d, keys.ratelimit("phone-verify-to", phone.e164)) > VERIFY_CALLS_PER_NUMBER:
        raise ApiError(429, "too_many_verifications", "That number was sent codes too often: try in an hour.")
    # ... and so is the whole campaign's hour (many accounts, many numbers: its bill, its caller ID's name).
    if await _hour_count(d, keys.ratelimit("phone-verify-campaign", campaign.id)) > VERIFY_CALLS_PER_CAMPAIGN:
        raise ApiError(429, "too_many_verifications", "Too many verification calls this hour: try later.")
    code = new_code(secrets.randbelow)
    response = VoiceResponse()
    response.pause(length=1)
    response.say(spoken_code(code))
    response.hangup()
    callback = webhook_url(
        d.settings.base_url, STATUS_PATH, campaign_id=campaign.id, volunteer=user.id, purpose="verify"
    )
    try:
        await carrier.place_call(
            PlaceCall(
                to=phone.e164,
                from_=campaign.caller_id,
                status_callback=callback,
                twiml=str(response),
                status_callback_events=("completed",),
                timeout=RING_SECONDS,
            )
        )
    except CarrierError as exc:
        raise ApiError(
            502, "carrier_error", f"The carrier could not call that number: {exc.message}"
        ) from None
    expires = d.clock() + CODE_TTL
    digest = code_digest(code, d.secret_key.encode())
    key = keys.phone_check(user.id)
    async with d.redis.pipeline(transaction=True) as pipe:
        pipe.delete(key)
        pipe.hset(
            key,
            mapping={
                "phone": phone.e164,
                "digest": digest,
                "expires_at": repr(expires),
                "tries_left": str(CODE_TRIES),
            },
        )
        pipe.expire(key, int(CODE_TTL) + 60)
        await pipe.execute()
    return JSONResponse({"verifying": mask(phone.e164), "expires_in": int(CODE_TTL)}, status_code=202)


CODE_ERRORS = {
    CodeCheck.WRONG: (422, "That is not the code we read to you."),
    CodeCheck.EXPIRED: (409, "The code has expired: ask for a new call."),
    CodeCheck.NO_TRIES: (409, "Too many wrong codes: ask for a new call."),
}


async def verify(request: Request) -> Response:
    """`{code}`: the code read to the number; right, the number becomes the account's own."""
    d, user, _ = await _offering(request)
    entered = only_string(await read_json_object(request), "code", max_len=16)
    if not valid_code_shape(entered):
        raise ApiError(
            422,
            "validation_error",
            "The code is 6 digits.",
            [{"path": "code", "message": "must be 6 digits"}],
        )
    key = keys.phone_check(user.id)
    # The try is taken before the comparison, atomically: parallel guesses cannot share one try.
    row = await run(d.redis, "phone_code_try", [key], [])
    if not row:
        if await d.redis.exists(key):
            await d.redis.delete(key)
            raise ApiError(409, CodeCheck.NO_TRIES.value, CODE_ERRORS[CodeCheck.NO_TRIES][1])
        raise ApiError(409, "no_verification", "No number is waiting for a code: give your number first.")
    phone, digest, expires_at, tries_left = (str(v) for v in row)
    pending = Verification(phone, digest, float(expires_at), int(tries_left))
    outcome, kept = check_code(pending, entered, d.clock(), d.secret_key.encode())
    if outcome is CodeCheck.VERIFIED:
        async with d.redis.pipeline(transaction=False) as pipe:
            pipe.hset(
                keys.user_phone(user.id), mapping={"e164": pending.phone, "verified_at": repr(d.clock())}
            )
            pipe.delete(key)
            await pipe.execute()
        return JSONResponse({"number": mask(pending.phone)})
    if kept is None:
        await d.redis.delete(key)
    status, message = CODE_ERRORS[outcome]
    raise ApiError(status, outcome.value, message)


async def call_me(request: Request) -> Response:
    """Ring the account's own verified number (the request names none) for this campaign."""
    d, user, campaign = await _offering(request)
    raw = await read_body(request, 1024)
    body = parse_json(raw) if raw.strip() else {}
    if body != {}:
        raise ApiError(
            422,
            "validation_error",
            "Call me takes no fields: only your verified number is called.",
            [{"path": "", "message": "send no body, or {}"}],
        )
    if campaign.refusal is not None:
        raise ApiError(409, "campaign_paused", campaign.refusal)
    number = cast(str | None, await d.redis.hget(keys.user_phone(user.id), "e164"))
    if not number:
        raise ApiError(409, "no_verified_number", "Give and verify your phone number first.")
    carrier = _carrier(d)
    # One leg at a time: two requests at once must not ring the phone twice.
    placing = keys.phone_leg_placing(campaign.id, user.id)
    claimed = await d.redis.set(placing, "1", nx=True, ex=30)
    if not claimed:
        raise ApiError(409, "already_calling", "We are already calling you.")
    try:
        if _is_live(leg := await leg_of(d, campaign.id, user.id)) and not _rang_out(leg, d.clock()):
            raise ApiError(409, "already_on_phone", "Your phone is already connected (or ringing).")
        if await _hour_count(d, keys.ratelimit("call-me", user.id)) > CALL_ME_PER_HOUR:
            raise ApiError(429, "too_many_calls", TOO_MANY_CALLS)
        query = {"campaign_id": campaign.id, "volunteer": user.id}
        try:
            sid = await carrier.place_call(
                PlaceCall(
                    to=number,
                    from_=campaign.caller_id,
                    url=webhook_url(d.settings.base_url, ANSWER_PATH, **query),
                    status_callback=webhook_url(d.settings.base_url, STATUS_PATH, **query),
                    timeout=RING_SECONDS,
                )
            )
        except CarrierError as exc:
            raise ApiError(502, "carrier_error", f"The carrier could not call you: {exc.message}") from None
        await replace_leg(d, campaign.id, user.id, sid, LegState.CALLING)
    finally:
        await d.redis.delete(placing)
    await publish(d, campaign.id, user.id, sid, LegState.CALLING)
    return JSONResponse(
        {"call_sid": sid, "state": LegState.CALLING.value, "number": mask(number)}, status_code=201
    )


async def hang_up_phone(request: Request) -> Response:
    """The volunteer ends their phone leg from the page (the carrier's final callback does the rest)."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    leg = await leg_of(d, campaign.id, user.id)
    if not _is_live(leg):
        raise ApiError(404, "not_found", "Your phone is not connected to this campaign.")
    try:
        await _carrier(d).hangup(leg["call_sid"])
    except CarrierError as exc:
        raise ApiError(502, "carrier_error", f"The carrier refused to hang up: {exc.message}") from None
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/call-me", status_view, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/call-me", call_me, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/call-me", hang_up_phone, methods=["DELETE"]),
    Route("/api/campaigns/{campaign_id}/call-me/number", start_verification, methods=["PUT"]),
    Route("/api/campaigns/{campaign_id}/call-me/number/verify", verify, methods=["POST"]),
]
