"""The volunteer's side of a call: a voice token for the browser, and the simulated phone's dial button.

With Twilio the browser's Voice SDK places the call itself (Twilio then asks /twilio/voice). With the
simulated carrier the page asks us to place it: the carrier then does exactly what Twilio would, posting a
signed /twilio/voice request and the status callbacks to this server.
"""

from __future__ import annotations

import html
import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.calling_methods import places_calls
from dialer.conference_calls import browser_in_conference
from dialer.guardrails import SPOKEN, may_play_recorded_message
from dialer.models import Mode, Role
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.queue.lease import LeaseQueue
from dialer.stores.voicemail import has_voicemail, voicemail_twiml_for
from dialer.telephony.base import CarrierError
from dialer.telephony.simulated import SimulatedCarrier, VoiceWebhookFailed
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import JSON_LIMIT, parse_json, read_body, read_json_object
from dialer.web.call_end import call_view, hang_up_leg, is_up
from dialer.web.conference_hold import leg_left
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.validate import only_string

OWN_PHONE_ONLY = "This campaign calls from volunteers' own phones: the server places no calls for it."


async def voice_token(request: Request) -> Response:
    user = await require_user(request, Role.VOLUNTEER)
    carrier = deps(request).carrier
    if carrier is None:
        raise ApiError(404, "not_found", "No carrier is configured.")
    try:
        token = carrier.voice_token(user.id)
    except ValueError as exc:  # e.g. TWILIO_TWIML_APP_SID missing
        raise ApiError(503, "carrier_not_configured", str(exc)) from None
    kind = "simulated" if isinstance(carrier, SimulatedCarrier) else "twilio"
    return JSONResponse({"identity": user.id, "token": token, "carrier": kind})


RULE_SPOKEN = {spoken: refusal.value for refusal, spoken in SPOKEN.items()}


async def place_simulated_call(request: Request) -> Response:
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    carrier = deps(request).carrier
    if not isinstance(carrier, SimulatedCarrier):
        raise ApiError(409, "use_voice_sdk", "With Twilio the browser places calls through the Voice SDK.")
    if not places_calls(campaign.calling_method, campaign.mode):
        raise ApiError(409, "method_not_offered", OWN_PHONE_ONLY)
    contact_id = only_string(await read_json_object(request), "contact_id", max_len=64)
    try:
        call = await carrier.connect_client(user.id, contact_id, campaign.id)
    except VoiceWebhookFailed as failed:
        # The simulated carrier calls this server back at PUBLIC_URL, as Twilio would: a PUBLIC_URL that
        # does not lead here is a gateway problem, said plainly rather than as a 500.
        what = "could not reach" if failed.status is None else f"got {failed.status} from"
        raise ApiError(
            502,
            "carrier_unreachable",
            f"The simulated phone carrier {what} {failed.url}; check that PUBLIC_URL leads to this server.",
        ) from None
    if call.dialed is None:
        spoken = re.search(r"<Say[^>]*>(.*?)</Say>", call.twiml, re.S)
        reason = html.unescape(spoken.group(1)) if spoken else "The server refused to dial this contact."
        # Which rule refused it, for the page to offer the way on (on the do-not-call list: record so).
        rule = RULE_SPOKEN.get(reason)
        raise ApiError(409, "call_refused", reason, [{"reason": rule}] if rule else None)
    # The leg the carrier dialed, so that the volunteer can hang it up (its callbacks may not be in yet).
    await deps(request).redis.hset(
        keys.attempt(campaign.id, call.call_sid), "leg_sid", call.dialed.spec.call_sid
    )
    return JSONResponse({"call_sid": call.call_sid, "dialing": True}, status_code=201)


async def join_simulated_conference(request: Request) -> Response:
    """The simulated browser's leg into the volunteer's own conference (what the Voice SDK's `leg=agent`
    connect does with Twilio): the carrier asks /twilio/voice, which answers with the conference and
    remembers the leg. Preview campaigns with `preview_conference` place each voter into it."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    raw = await read_body(request, JSON_LIMIT)
    if (parse_json(raw) if raw.strip() else {}) != {}:
        raise ApiError(422, "validation_error", "Joining your conference takes no fields.",
                       [{"path": "", "message": "send no body, or {}"}])  # fmt: skip
    carrier = deps(request).carrier
    if not isinstance(carrier, SimulatedCarrier):
        raise ApiError(
            409, "use_voice_sdk", "With Twilio the browser joins its conference through the Voice SDK."
        )
    if not browser_in_conference(campaign.mode, campaign.preview_conference):
        raise ApiError(409, "no_conference", "This campaign's calls do not run through a conference: "
                       "press Call to call each voter from your browser.")  # fmt: skip
    try:
        call = await carrier.connect_client(user.id, "", campaign.id, leg="agent")
    except VoiceWebhookFailed as failed:
        what = "could not reach" if failed.status is None else f"got {failed.status} from"
        raise ApiError(
            502, "carrier_unreachable", f"The simulated phone carrier {what} {failed.url}."
        ) from None
    if "<Conference" not in call.twiml:
        spoken = re.search(r"<Say[^>]*>(.*?)</Say>", call.twiml, re.S)
        reason = html.unescape(spoken.group(1)) if spoken else "This campaign does not use a conference."
        raise ApiError(409, "no_conference", reason)
    return JSONResponse({"call_sid": call.call_sid}, status_code=201)


async def leave_conference(request: Request) -> Response:
    """The simulated browser's leg leaves the volunteer's conference as their page goes (a reload, a closed
    tab): what Twilio reports of a Voice SDK leg whose page went (web/conference_hold.py). A voter on the
    line is held for the page's next leg."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    if not isinstance(d.carrier, SimulatedCarrier):
        raise ApiError(
            409, "use_voice_sdk", "With Twilio the browser's leg leaves its conference through the Voice SDK."
        )
    await leg_left(d, campaign, user.id, request.path_params["call_sid"])
    return Response(status_code=204)


async def get_call(request: Request) -> Response:
    """One call as the carrier last reported it: for the volunteer who placed it, and organizers."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    attempt = await AttemptStore(deps(request).redis).get(campaign.id, request.path_params["call_sid"])
    if attempt is None or not (attempt.get("volunteer") == user.id or user.role.includes(Role.ORGANIZER)):
        raise ApiError(404, "not_found", "No call of yours with that CallSid.")
    return JSONResponse(call_view(attempt))


async def hang_up(request: Request) -> Response:
    """The volunteer ends their call: the carrier hangs up the voter's leg (its final callbacks follow)."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    attempt = await AttemptStore(d.redis).get(campaign.id, request.path_params["call_sid"])
    if attempt is None or attempt.get("volunteer") != user.id:
        raise ApiError(404, "not_found", "No call of yours with that CallSid.")
    if d.carrier is None:
        raise ApiError(404, "not_found", "No carrier is configured.")
    try:
        await hang_up_leg(d, campaign.id, attempt)
    except CarrierError as exc:
        raise ApiError(502, "carrier_error", f"The carrier refused to hang up: {exc.message}") from None
    return Response(status_code=204)


async def leave_voicemail(request: Request) -> Response:
    """Preview mode: the volunteer heard the beep. The campaign's voicemail message (its recording, else its
    text read aloud) is played on the voter's leg (the carrier hangs up after it) and the volunteer's own
    leg is let go; the page then records `voicemail`, which does not cut the message short."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    sid = request.path_params["call_sid"]
    attempt = await AttemptStore(d.redis).get(campaign.id, sid)
    if attempt is None or attempt.get("volunteer") != user.id or d.carrier is None:
        raise ApiError(404, "not_found", "No call of yours with that CallSid.")
    if campaign.mode is not Mode.PREVIEW:
        raise ApiError(
            409, "not_preview", "In power and predictive modes machines get the message by themselves."
        )
    if not await has_voicemail(d.redis, campaign):
        raise ApiError(409, "no_voicemail_message", "This campaign has no voicemail message to leave.")
    contact = await LeaseQueue(d.redis).contact(campaign.id, attempt.get("contact_id") or "")
    if contact is not None and not may_play_recorded_message(contact.phone_type, campaign.cell_consent):
        raise ApiError(
            409,
            "cell_without_consent",
            "This voter's number is a cell phone and the campaign has no consent to leave recorded messages "
            "on cells: say a message yourself, or hang up.",
        )
    leg = attempt.get("leg_sid")
    if not leg or not is_up(attempt):
        raise ApiError(
            409, "call_not_up", "The call is not connected: there is nobody to leave a message with."
        )
    message = await voicemail_twiml_for(
        d.redis, campaign, base_url=d.settings.base_url, secret=d.secret_key, now=d.clock()
    )
    await d.redis.hset(keys.attempt(campaign.id, sid), "voicemail_at", str(d.clock()))
    try:
        await d.carrier.update_call(leg, twiml=message)
    except CarrierError as exc:
        await d.redis.hdel(keys.attempt(campaign.id, sid), "voicemail_at")
        raise ApiError(
            502, "carrier_error", f"The carrier refused to play the message: {exc.message}"
        ) from None
    return JSONResponse({"call_sid": sid, "voicemail": "playing"}, status_code=202)


routes: list[BaseRoute] = [
    Route("/api/voice/token", voice_token, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/calls", place_simulated_call, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/conference-leg", join_simulated_conference, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/conference-leg/{call_sid}", leave_conference, methods=["DELETE"]),
    Route("/api/campaigns/{campaign_id}/calls/{call_sid}", get_call, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/calls/{call_sid}/hangup", hang_up, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/calls/{call_sid}/voicemail", leave_voicemail, methods=["POST"]),
]
