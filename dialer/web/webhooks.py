"""Carrier webhooks: /twilio/voice, /twilio/status, /twilio/amd, /twilio/conference.

Each one is checked against X-Twilio-Signature for PUBLIC_URL + path + query before anything else (403 and
no change otherwise), parsed by the carrier, and answered quickly: the voice webhook decides whether to dial
(the browser's contact_id is untrusted), the status and AMD callbacks are applied once each and only forward
(one Lua script), and progress is published to the volunteer's call socket.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dialer.calling_hours import local_day
from dialer.calling_methods import places_calls
from dialer.campaigns import Campaign
from dialer.conference_calls import browser_in_conference
from dialer.dialing.twiml import browser_leg_twiml
from dialer.guardrails import SPOKEN, DialFacts, Refusal, check_dial
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.queue.coach_sessions import CoachSessions
from dialer.queue.lease import LeaseQueue
from dialer.stores.accounts import AccountStore
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import Carrier, MalformedWebhook, VoiceRequest
from dialer.telephony.forms import status_callback_url
from dialer.telephony.signing import SIGNATURE_HEADER
from dialer.web.body import read_body
from dialer.web.conference_hold import CONFERENCE_PATH, LEFT, left_url, leg_back, leg_left
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError
from dialer.web.recording_urls import disclosure_url

log = logging.getLogger("dialer.webhooks")

FORM_LIMIT = 64 * 1024
RING_TIMEOUT = 30  # seconds a voter's phone rings before no-answer (at least 15, per the guardrails)
TWIML = "application/xml"
CALL_OF_CONTACT_TTL = 24 * 3600
OWN_PHONE_SPOKEN = "This campaign calls from your own phone. No call was placed."
ACCOUNT_DISABLED = "This account may not call now. No call was placed."


def check_webhook(d: Deps, content_type: str) -> Carrier:
    """Before reading the body: 404 without a carrier, 415 for anything but a form."""
    carrier: Carrier | None = d.carrier
    if carrier is None:
        raise ApiError(404, "not_found", "No carrier is configured.")
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise ApiError(415, "unsupported_media_type", "Carrier webhooks are form-encoded.")
    return carrier


def signed_form(carrier: Carrier, raw: bytes, path_qs: str, signature: str | None) -> dict[str, str]:
    """The webhook's form, once its X-Twilio-Signature checks out: 400 for a form that is not UTF-8,
    403 for a bad signature."""
    try:
        form = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
    except UnicodeDecodeError:
        raise ApiError(400, "bad_request", "The form is not UTF-8.") from None
    if not carrier.validate(path_qs, form, signature):
        log.warning("rejected webhook with a bad signature on %s", path_qs)
        raise ApiError(403, "invalid_signature", "The X-Twilio-Signature does not match this request.")
    return form


async def _signed_form(request: Request) -> tuple[Deps, Carrier, dict[str, str]]:
    d = deps(request)
    carrier = check_webhook(d, request.headers.get("content-type", ""))
    raw = await read_body(request, FORM_LIMIT)
    path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return d, carrier, signed_form(carrier, raw, path_qs, request.headers.get(SIGNATURE_HEADER))


class CampaignCache:
    """Campaigns as status and AMD callbacks see them, read from Redis at most once a second each.

    Four or more callbacks arrive per dial; each read the campaign (a hash and its JSON values) only to
    learn its time zone and dialing settings. A second's staleness is harmless there: a callback reports
    what already happened to a call placed under the earlier settings. The voice webhook, which decides
    whether to dial at all (a paused campaign must refuse at once), always reads afresh."""

    def __init__(self, redis: Any, clock: Callable[[], float], ttl: float = 1.0, size: int = 1000) -> None:
        self.store = CampaignStore(redis)
        self.clock, self.ttl, self.size = clock, ttl, size
        self._entries: dict[str, tuple[float, Campaign | None]] = {}

    async def get(self, campaign_id: str) -> Campaign | None:
        now = self.clock()
        hit = self._entries.get(campaign_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        campaign = await self.store.get(campaign_id)
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[campaign_id] = (now + self.ttl, campaign)
        return campaign


def _campaigns(d: Deps) -> CampaignCache:
    cache = d.services.get("callback_campaigns")
    if cache is None:
        cache = d.services["callback_campaigns"] = CampaignCache(d.redis, time.monotonic)
    assert isinstance(cache, CampaignCache)
    return cache


def _twiml(body: str) -> Response:
    return Response(body, media_type=TWIML)


async def voice(request: Request) -> Response:
    d, carrier, form = await _signed_form(request)
    try:
        call = carrier.parse_voice(form, dict(request.query_params))
    except MalformedWebhook as exc:
        raise ApiError(400, "malformed_webhook", str(exc)) from None
    if call.params.get("leg") == "agent":
        # The TwiML App has one voice URL: a volunteer's browser joining their own conference to wait for
        # voters (power and predictive modes) comes here too, marked by the custom parameter leg=agent.
        return await agent_answer(d, carrier, call)
    now = d.clock()
    campaign = await CampaignStore(d.redis).get(call.campaign_id) if call.campaign_id else None
    if call.identity is None or campaign is None or call.contact_id is None:
        return _twiml(carrier.refusal_twiml(SPOKEN[Refusal.UNKNOWN_CONTACT]))
    if not await AccountStore(d.redis).may_call(call.identity):  # its Voice SDK token outlives it an hour
        return _twiml(carrier.refusal_twiml(ACCOUNT_DISABLED))
    if not places_calls(campaign.calling_method, campaign.mode):
        return _twiml(carrier.refusal_twiml(OWN_PHONE_SPOKEN))
    queue = LeaseQueue(d.redis)
    contact = await queue.contact(campaign.id, call.contact_id)
    if contact is None:
        return _twiml(carrier.refusal_twiml(SPOKEN[Refusal.UNKNOWN_CONTACT]))
    held = await queue.holds(campaign.id, call.identity, contact.id, now)
    on_dnc = bool(await d.redis.sismember(keys.DNC, contact.phone))
    facts = DialFacts(
        campaign_status=campaign.calling_status,
        calling_hours=campaign.calling_hours.window(),
        max_attempts=campaign.max_attempts,
        cell_consent=campaign.cell_consent,
        held=held,
        on_dnc=on_dnc,
        timezone=contact.timezone or campaign.default_timezone,
        attempts=contact.attempts,
        phone_type=contact.phone_type,
        server_dialed=False,
    )
    refusal = check_dial(facts, now)
    if refusal is not None:
        log.info("refused call %s to contact %s: %s", call.call_sid, contact.id, refusal.value)
        return _twiml(carrier.refusal_twiml(SPOKEN[refusal]))
    refused = await AttemptStore(d.redis).dial(
        campaign.id,
        call.call_sid,
        contact_id=contact.id,
        volunteer=call.identity,
        phone=contact.phone,
        now=now,
        max_attempts=campaign.max_attempts,
    )
    if refused is not None:  # dialed as often as allowed, or another call to this voter is still live
        log.info("refused call %s to contact %s: %s", call.call_sid, contact.id, refused.value)
        return _twiml(carrier.refusal_twiml(SPOKEN[refused]))
    # The volunteer's latest call to this contact: its result carries the CallSid and ends it if still up.
    await d.redis.set(
        keys.call_of_contact(campaign.id, call.identity, contact.id), call.call_sid, ex=CALL_OF_CONTACT_TTL
    )
    callback = status_callback_url(d.settings.base_url, campaign.id, contact.id)
    # The campaign's own number for this voter: nothing in the browser's request can choose another.
    caller_id = campaign.caller_id_for(contact.phone, contact.state, contact.zip)
    # Recorded campaigns: the voter hears the disclosure before being connected (web/recording_hooks.py).
    whisper = disclosure_url(d.settings.base_url, campaign, contact.id)
    return _twiml(
        carrier.dial_twiml(contact.phone, caller_id, callback, timeout=RING_TIMEOUT, whisper_url=whisper)
    )


async def agent_answer(d: Deps, carrier: Carrier, call: VoiceRequest) -> Response:
    """The volunteer's browser leg in power and predictive modes, and in preview with preview_conference:
    their own conference, to wait in (dialer/conference_calls.py)."""
    campaign = await CampaignStore(d.redis).get(call.campaign_id) if call.campaign_id else None
    if (
        call.identity is None
        or campaign is None
        or not browser_in_conference(campaign.mode, campaign.preview_conference)
    ):
        return _twiml(carrier.refusal_twiml("This campaign does not dial for you. Goodbye."))
    if not await AccountStore(d.redis).may_call(call.identity):
        return _twiml(carrier.refusal_twiml(ACCOUNT_DISABLED))
    # The leg a coach whispers to (Twilio's CallSidToCoach): see web/api_coach.py.
    await CoachSessions(d.redis, campaign.id).remember_leg(call.identity, call.call_sid)
    # A page reloaded mid-call finds its voter held (web/conference_hold.py): the room outlives the leg.
    await leg_back(d, campaign, call.identity)
    left = left_url(d.settings.base_url, campaign.id, call.identity)
    return _twiml(browser_leg_twiml(campaign.id, call.identity, left))


async def apply_callback(d: Deps, form: dict[str, str], query: dict[str, str], amd: bool) -> None:
    """A signed status or AMD callback, applied once and only forward (web/webhook_lane.py runs it too)."""
    carrier: Carrier = d.carrier
    try:
        event = carrier.parse_amd(form, query) if amd else carrier.parse_status(form, query)
    except MalformedWebhook as exc:
        raise ApiError(400, "malformed_webhook", str(exc)) from None
    campaign = await _campaigns(d).get(event.campaign_id) if event.campaign_id else None
    if campaign is None:
        # Signed by the carrier but about nothing we know: acknowledge so it is not retried forever.
        log.warning("callback for unknown campaign %r (CallSid %s)", event.campaign_id, event.call_sid)
        return
    now = d.clock()
    await AttemptStore(d.redis).apply(campaign.id, event, now, day=local_day(campaign.default_timezone, now))
    pacer_hook = d.services.get("call_event")
    if pacer_hook is not None:
        await pacer_hook(event, campaign)


async def _callback(request: Request, amd: bool) -> Response:
    d, _, form = await _signed_form(request)
    await apply_callback(d, form, dict(request.query_params), amd)
    return Response(status_code=204)


async def status(request: Request) -> Response:
    return await _callback(request, amd=False)


async def amd(request: Request) -> Response:
    return await _callback(request, amd=True)


async def conference(request: Request) -> Response:
    """The conference status callback of a volunteer's browser leg (statusCallbackEvent `leave`)."""
    d, _, form = await _signed_form(request)
    campaign_id, volunteer = request.query_params.get("campaign_id"), request.query_params.get("volunteer")
    campaign = await _campaigns(d).get(campaign_id) if campaign_id else None
    if form.get("StatusCallbackEvent") == LEFT and campaign is not None and volunteer:
        await leg_left(d, campaign, volunteer, form.get("CallSid", ""))
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/twilio/voice", voice, methods=["POST"]),
    Route(CONFERENCE_PATH, conference, methods=["POST"]),
    Route("/twilio/status", status, methods=["POST"]),
    Route("/twilio/amd", amd, methods=["POST"]),
]
