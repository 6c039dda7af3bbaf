"""Preview mode through the volunteer's conference: the page's Call places the voter's call into it.

In preview the browser's leg dials the voter itself (`<Dial>` from /twilio/voice). A volunteer on their own
phone (call me, dial-in), or in a campaign with `preview_conference` on their browser, has a leg that outlives
each conversation, waiting in their own conference (dialer/dialing/twiml.py, dialer/web/conference_leg.py), so
here the server places a REST call to the voter whose answer joins that conference, as the pacer does in power
mode. `POST /api/campaigns/{id}/phone-leg/calls {contact_id}` answers 201 `{call_sid, dialing}`, and from then
on the call is like a browser's: its status callbacks reach the call socket as `call_status`, its result
carries the CallSid, and "hang up" and "Leave voicemail" act on it.

Every guardrail of a browser preview dial holds before anything is placed (own_phone_refusal: the contact held
by this volunteer's batch, the campaign active, DNC, attempts, calling hours in the voter's zone; a person
chooses each call, as in the browser, so cell phones are dialed as there). The dial limits are counted
atomically first, under an id of our own (dial_start.lua); the call is placed, then attached to the carrier's
CallSid (phone_dial_attach.lua); a failed placement gives the dial back (phone_dial_undo.lua). One call at a
time: a key held while placing, and a call still up, refuse another, so two quick clicks never place two
calls.
"""

from __future__ import annotations

import logging
import secrets
from typing import cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.calling_methods import PHONE_LEG_METHODS, CallingMethod
from dialer.campaigns import Campaign
from dialer.dialing.twiml import bridge_twiml, redirect_twiml
from dialer.guardrails import SPOKEN, Refusal
from dialer.models import Mode, Role
from dialer.queue import keys
from dialer.queue.attempts import ATTEMPT_TTL, CALL_TIME_LIMIT, AttemptStore
from dialer.queue.lease import LeaseQueue
from dialer.queue.lua_scripts import run
from dialer.queue.transfer_state import handed_on
from dialer.telephony.base import Carrier, CarrierError, PlaceCall
from dialer.telephony.forms import status_callback_url
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.call_end import is_up
from dialer.web.conference_leg import conference_leg
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError
from dialer.web.own_phone import methods_for, own_phone_refusal
from dialer.web.recording_urls import disclosure_url
from dialer.web.validate import only_string
from dialer.web.webhooks import CALL_OF_CONTACT_TTL, RING_TIMEOUT

log = logging.getLogger("dialer.phone_dial")

PLACING_SECONDS = 30  # longer than the carrier client's own timeout: the key never outlives a stuck request


def _dial_id() -> str:
    # Not a CallSid shape (those start CA): nothing can mistake the counted dial for a carrier's call.
    return "PD" + secrets.token_hex(16)


async def _checked(request: Request) -> tuple[Deps, Carrier, str, Campaign, str]:
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    contact_id = only_string(await read_json_object(request), "contact_id", max_len=64)
    if d.carrier is None:
        raise ApiError(404, "not_found", "No carrier is configured.")
    # A browser's leg reaches its conference only through the Voice SDK (or the simulated carrier), so the
    # campaign's offer is enough here; its phone legs need this server to offer them.
    browser = campaign.preview_conference and CallingMethod.BROWSER in campaign.calling_method
    if not browser and not any(m in PHONE_LEG_METHODS for m in methods_for(d, campaign)):
        raise ApiError(409, "method_not_offered", "This campaign does not offer calling over your phone.")
    if campaign.mode is not Mode.PREVIEW:
        raise ApiError(409, "not_preview", "In power and predictive modes the dialer brings voters to you.")
    # A line of theirs waiting in their conference: their phone (call me, dial-in), or with
    # preview_conference their browser's leg (web/conference_leg.py).
    if await conference_leg(d, campaign, user.id) is None:
        where = "start calling in this browser, or connect your phone" if browser else "connect your phone"
        raise ApiError(409, "phone_not_connected", f"First {where} (call me, or dial in).")
    return d, cast(Carrier, d.carrier), user.id, campaign, contact_id


async def place_into_leg(request: Request) -> Response:
    """`{contact_id}`: call that voter into the volunteer's conference, once every guardrail holds."""
    d, carrier, volunteer, campaign, contact_id = await _checked(request)
    placing = keys.phone_call_placing(campaign.id, volunteer)
    dial_id = _dial_id()
    if not await d.redis.set(placing, dial_id, nx=True, ex=PLACING_SECONDS):
        raise ApiError(409, "already_calling", "A call is being placed for you already.")
    try:
        return await _place(d, carrier, volunteer, campaign, contact_id, dial_id)
    finally:
        await d.redis.delete(placing)


def still_up(attempt: dict[str, str] | None, now: float) -> bool:
    """Whether the volunteer's latest call may still be connected: not reported ended, and younger than
    the carrier's own limit on a call's length."""
    if not attempt or not is_up(attempt):
        return False
    try:
        return now - float(attempt.get("started_at", "")) < CALL_TIME_LIMIT
    except ValueError:
        return True


async def answered_call(d: Deps, campaign_id: str, volunteer: str, contact_id: str) -> str | None:
    """The CallSid of the volunteer's latest call placed here if it is to `contact_id`, answered and still
    up (what a warm transfer hands on, web/api_transfer.py), else None."""
    sid = cast(str | None, await d.redis.get(keys.phone_call(campaign_id, volunteer)))
    attempt = await AttemptStore(d.redis).get(campaign_id, sid) if sid else None
    if attempt is None or attempt.get("volunteer") != volunteer or attempt.get("contact_id") != contact_id:
        return None
    answered = attempt.get("status") == "in-progress" and not attempt.get("voicemail_at")
    return sid if answered and still_up(attempt, d.clock()) else None


async def _place(
    d: Deps, carrier: Carrier, volunteer: str, campaign: Campaign, contact_id: str, dial_id: str
) -> Response:
    attempts = AttemptStore(d.redis)
    current = cast(str | None, await d.redis.get(keys.phone_call(campaign.id, volunteer)))
    # A call handed on to a staff line (web/api_transfer.py) goes on without the volunteer.
    if (
        current
        and still_up(await attempts.get(campaign.id, current), d.clock())
        and not await handed_on(d.redis, campaign.id, current)
    ):
        raise ApiError(409, "already_on_call", "Your current call is still up: hang it up first.")
    refusal = await own_phone_refusal(d, campaign, volunteer, contact_id)
    if refusal is not None:
        status = 404 if refusal is Refusal.UNKNOWN_CONTACT else 409
        raise ApiError(status, refusal.value, SPOKEN[refusal])
    contact = await LeaseQueue(d.redis).contact(campaign.id, contact_id)
    if contact is None:  # deleted between the check and now
        raise ApiError(404, Refusal.UNKNOWN_CONTACT.value, SPOKEN[Refusal.UNKNOWN_CONTACT])
    now = d.clock()
    refused = await attempts.dial(
        campaign.id,
        dial_id,
        contact_id=contact.id,
        volunteer=volunteer,
        phone=contact.phone,
        now=now,
        max_attempts=campaign.max_attempts,
    )
    if refused is not None:  # dialed as often as allowed, or another call to this voter is still live
        raise ApiError(409, refused.value, SPOKEN[refused])
    call = PlaceCall(
        to=contact.phone,
        # The campaign's own number for this voter: nothing in the request can choose another.
        from_=campaign.caller_id_for(contact.phone, contact.state, contact.zip),
        status_callback=status_callback_url(d.settings.base_url, campaign.id, contact.id),
        twiml=_voter_twiml(d, campaign, contact.id, volunteer),
        timeout=RING_TIMEOUT,
    )
    try:
        sid = await carrier.place_call(call)
    except CarrierError as exc:
        await _give_back(d, campaign.id, contact.id, dial_id)
        raise ApiError(502, "carrier_error", f"The carrier could not call the voter: {exc.message}") from None
    except Exception:  # the network, most often
        await _give_back(d, campaign.id, contact.id, dial_id)
        log.exception("could not place a call to contact %s of %s", contact.id, campaign.id)
        raise ApiError(502, "carrier_unreachable", "The carrier could not be reached: try again.") from None
    except BaseException:  # the request was cancelled: the dial is not used either
        await _give_back(d, campaign.id, contact.id, dial_id)
        raise
    await run(
        d.redis,
        "phone_dial_attach",
        [
            keys.attempt(campaign.id, dial_id),
            keys.attempt(campaign.id, sid),
            keys.attempts(campaign.id),
            keys.call_of_contact(campaign.id, volunteer, contact.id),
            keys.phone_call(campaign.id, volunteer),
            keys.contact(campaign.id, contact.id),
        ],
        [dial_id, sid, ATTEMPT_TTL, CALL_OF_CONTACT_TTL],
    )
    log.info("placed call %s to contact %s into %s's phone leg", sid, contact.id, volunteer)
    return JSONResponse({"call_sid": sid, "dialing": True}, status_code=201)


def _voter_twiml(d: Deps, campaign: Campaign, contact_id: str, volunteer: str) -> str:
    """Into the volunteer's conference; a recorded campaign's voter first hears the disclosure, and recording
    starts only after it (web/recording_hooks.py bridges them in then)."""
    disclose = disclosure_url(d.settings.base_url, campaign, contact_id, volunteer)
    return redirect_twiml(disclose) if disclose else bridge_twiml(campaign.id, volunteer)


async def _give_back(d: Deps, campaign_id: str, contact_id: str, dial_id: str) -> None:
    await run(
        d.redis,
        "phone_dial_undo",
        [
            keys.contact(campaign_id, contact_id),
            keys.attempt(campaign_id, dial_id),
            keys.attempts(campaign_id),
        ],
        [dial_id],
    )


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/phone-leg/calls", place_into_leg, methods=["POST"]),
]
