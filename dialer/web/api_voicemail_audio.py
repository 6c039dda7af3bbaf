"""A campaign's recorded voicemail message: organizers upload (or record in the browser), play back and
remove it; Twilio fetches it by the signed URL the voicemail TwiML carries (no cookie: the URL is the key).

The upload is judged by its bytes (dialer/voicemail_audio.py), never by its name or declared type; a refused
file leaves whatever was stored before untouched.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.campaigns import ID_RE
from dialer.models import Role
from dialer.stores.voicemail import VoicemailAudioStore
from dialer.voicemail_audio import MAX_BYTES, AudioRejected, check_audio, verify
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_body
from dialer.web.deps import deps
from dialer.web.errors import ApiError

NO_AUDIO = "This campaign has no recorded voicemail message."


async def upload_audio(request: Request) -> Response:
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    data = await read_body(request, MAX_BYTES)
    try:
        audio = check_audio(data)
    except AudioRejected as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    d = deps(request)
    meta = await VoicemailAudioStore(d.redis).put(campaign.id, data, audio, by=user.id, now=d.clock())
    return JSONResponse(meta, status_code=201)


async def describe_audio(request: Request) -> Response:
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    meta = await VoicemailAudioStore(deps(request).redis).meta(campaign.id)
    return JSONResponse({"audio": meta, "message": campaign.voicemail_message})


async def play_audio(request: Request) -> Response:
    """The recording, for an organizer's player on the settings page."""
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    found = await VoicemailAudioStore(deps(request).redis).audio(campaign.id)
    if found is None:
        raise ApiError(404, "no_voicemail_audio", NO_AUDIO)
    meta, data = found
    return Response(data, media_type=meta["content_type"], headers={"Cache-Control": "no-store"})


async def remove_audio(request: Request) -> Response:
    """Machines get the text message again (or nothing, without one); removing twice is no error."""
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    await VoicemailAudioStore(deps(request).redis).delete(campaign.id)
    return Response(status_code=204)


async def fetch_signed(request: Request) -> Response:
    """Twilio's `<Play>` fetch: only by a URL we signed, before it expires, for the recording stored now."""
    campaign_id, audio_id = request.path_params["campaign_id"], request.path_params["audio_id"]
    d = deps(request)
    query = request.query_params
    ok = ID_RE.match(campaign_id) and verify(
        d.secret_key, campaign_id, audio_id, query.get("expires", ""), query.get("sig", ""), d.clock()
    )
    if not ok:
        raise ApiError(403, "bad_signature", "This link is not valid or has expired.")
    found = await VoicemailAudioStore(d.redis).audio(campaign_id)
    if found is None or found[0]["id"] != audio_id:
        raise ApiError(404, "no_voicemail_audio", "This recording was replaced or removed.")
    meta, data = found
    return Response(data, media_type=meta["content_type"], headers={"Cache-Control": "private, max-age=3600"})


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/voicemail", describe_audio, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/voicemail/audio", upload_audio, methods=["PUT"]),
    Route("/api/campaigns/{campaign_id}/voicemail/audio", play_audio, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/voicemail/audio", remove_audio, methods=["DELETE"]),
    Route("/media/voicemail/{campaign_id}/{audio_id}", fetch_signed, methods=["GET"]),
]
