"""The carrier webhooks of a recorded call, each signature-checked like every webhook (403, nothing changed):

1. `/twilio/recording/disclose`: the voter answered; their leg's whisper (`<Number url>`), or for a call
   placed into a volunteer's conference its own TwiML's `<Redirect>`, is the disclosure `<Say>` and then a
   `<Redirect>` to
2. `/twilio/recording/start`, which Twilio asks only once the disclosure has been read: recording starts
   here (the carrier's REST API), once per call, and never for a call that was not sent the disclosure.
   Its empty answer ends the whisper and the voter is connected (a conference call: it bridges the voter
   into the volunteer's conference, named in the signed query, whatever happened to the recording).
3. `/twilio/recording/status`: Twilio's RecordingStatusCallback; the finished recording's metadata is kept
   once (retries change nothing), and only for a recording this server started.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from twilio.twiml.voice_response import VoiceResponse

from dialer.campaigns import Campaign
from dialer.dialing.twiml import bridge_twiml
from dialer.stores.campaigns import CampaignStore
from dialer.stores.recordings import RecordingStore, StepOutOfOrder, new_recording
from dialer.telephony.base import CALL_SID_RE, CarrierError
from dialer.telephony.recording import disclosure_twiml, recorder
from dialer.telephony.twilio_rest import RECORDING_SID_RE
from dialer.web.body import read_body
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError
from dialer.web.recording_urls import DISCLOSE_PATH, START_PATH, STATUS_PATH, start_url, status_url
from dialer.web.webhooks import FORM_LIMIT, TWIML, check_webhook, signed_form

log = logging.getLogger("dialer.recording")


def _connect(campaign_id: str = "", volunteer: str = "") -> Response:
    """The voter is connected now: an empty whisper ends it, or a call placed into a volunteer's conference
    (the signed query names the volunteer) is bridged there."""
    if campaign_id and volunteer:
        return Response(bridge_twiml(campaign_id, volunteer), media_type=TWIML)
    return Response(str(VoiceResponse()), media_type=TWIML)


async def _signed(request: Request) -> tuple[Deps, dict[str, str], Campaign | None, str]:
    d = deps(request)
    carrier = check_webhook(d, request.headers.get("content-type", ""))
    raw = await read_body(request, FORM_LIMIT)
    path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    form = signed_form(carrier, raw, path_qs, request.headers.get("X-Twilio-Signature"))
    if not CALL_SID_RE.match(form.get("CallSid", "")):
        raise ApiError(400, "malformed_webhook", "CallSid is missing or malformed.")
    campaign_id = request.query_params.get("campaign_id", "")
    campaign = await CampaignStore(d.redis).get(campaign_id) if campaign_id else None
    return d, form, campaign, request.query_params.get("contact_id", "")


async def disclose(request: Request) -> Response:
    d, form, campaign, contact_id = await _signed(request)
    volunteer = request.query_params.get("volunteer", "")
    if campaign is None or not campaign.record_calls:
        # Not recorded: nothing to disclose, nothing will record.
        return _connect(campaign.id if campaign else "", volunteer)
    await RecordingStore(d.redis).step(campaign.id, form["CallSid"], "disclosed", d.clock())
    then = start_url(d.settings.base_url, campaign.id, contact_id, volunteer or None)
    return Response(disclosure_twiml(campaign.recording_disclosure, then), media_type=TWIML)


async def start(request: Request) -> Response:
    d, form, campaign, contact_id = await _signed(request)
    call_sid = form["CallSid"]
    rec = recorder(d.carrier)
    volunteer = request.query_params.get("volunteer", "")
    if campaign is None or not campaign.record_calls or rec is None:
        return _connect(campaign.id if campaign else "", volunteer)
    store = RecordingStore(d.redis)
    try:
        if not await store.step(campaign.id, call_sid, "started", d.clock()):
            return _connect(campaign.id, volunteer)  # a retried request: the recording already started
    except StepOutOfOrder:
        log.warning("refused to record call %s: its voter was never sent the disclosure", call_sid)
        return _connect(campaign.id, volunteer)
    try:
        sid = await rec.start_recording(call_sid, status_url(d.settings.base_url, campaign.id, contact_id))
    except CarrierError as exc:
        log.warning("carrier refused to record call %s: %s", call_sid, exc)
        return _connect(campaign.id, volunteer)
    await store.note_started(campaign.id, call_sid, sid)
    return _connect(campaign.id, volunteer)


async def recording_status(request: Request) -> Response:
    d, form, campaign, contact_id = await _signed(request)
    sid = form.get("RecordingSid", "")
    if not RECORDING_SID_RE.match(sid):
        raise ApiError(400, "malformed_webhook", "RecordingSid is missing or malformed.")
    if campaign is None or not contact_id:
        return Response(status_code=204)  # signed, about nothing we know: acknowledged, not retried
    store = RecordingStore(d.redis)
    steps = await store.call_steps(campaign.id, form["CallSid"])
    if steps.get("recording_sid") != sid:
        log.warning("ignored recording %s of call %s: not one this server started", sid, form["CallSid"])
        return Response(status_code=204)
    kept = new_recording(
        form, contact_id=contact_id, now=d.clock(), retention_days=campaign.recording_retention_days
    )
    if kept is not None:
        await store.keep(campaign.id, kept)
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route(DISCLOSE_PATH, disclose, methods=["POST"]),
    Route(START_PATH, start, methods=["POST"]),
    Route(STATUS_PATH, recording_status, methods=["POST"]),
]
