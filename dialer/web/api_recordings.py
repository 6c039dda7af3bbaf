"""Call recordings for organizers only: the list (a campaign's, or one contact's), the audio (proxied from
the carrier with the account's credentials, so the browser never needs them), and deletion (one, or all of
a contact's), which asks the carrier to delete the recording too."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.recording_consent import ALL_PARTY_STATES
from dialer.stores.recordings import Recording, RecordingStore, delete_recording
from dialer.telephony.base import CarrierError
from dialer.telephony.recording import recorder
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.deps import deps
from dialer.web.errors import ApiError


async def _found(request: Request) -> tuple[str, Recording]:
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    rec = await RecordingStore(deps(request).redis).get(campaign.id, request.path_params["recording_sid"])
    if rec is None:
        raise ApiError(404, "not_found", "No such recording (it may have expired).")
    return campaign.id, rec


async def list_recordings(request: Request) -> Response:
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    contact_id = request.query_params.get("contact_id") or None
    found = await RecordingStore(deps(request).redis).listed(campaign.id, contact_id)
    return JSONResponse({"recordings": [r.to_json() for r in found]})


async def recording_audio(request: Request) -> Response:
    _, rec = await _found(request)
    rec_port = recorder(deps(request).carrier)
    if rec_port is None:
        raise ApiError(404, "not_found", "No carrier is configured to fetch recordings from.")
    try:
        audio, content_type = await rec_port.recording_audio(rec.sid)
    except CarrierError as exc:
        raise ApiError(
            502, "carrier_error", f"The carrier did not give the recording: {exc.message}"
        ) from None
    return Response(audio, media_type=content_type, headers={"Cache-Control": "no-store"})


async def remove_recording(request: Request) -> Response:
    campaign_id, rec = await _found(request)
    d = deps(request)
    if not await delete_recording(RecordingStore(d.redis), recorder(d.carrier), campaign_id, rec):
        raise ApiError(502, "carrier_error", "The carrier did not delete the recording; try again.")
    return Response(status_code=204)


async def remove_contact_recordings(request: Request) -> Response:
    """Every recording of one voter, deleted here and at the carrier (when their contact is deleted, or on
    their request)."""
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    store = RecordingStore(d.redis)
    deleted = 0
    for rec in await store.listed(campaign.id, request.path_params["contact_id"]):
        deleted += await delete_recording(store, recorder(d.carrier), campaign.id, rec)
    left = len(await store.listed(campaign.id, request.path_params["contact_id"]))
    return JSONResponse({"deleted": deleted, "left": left})


async def consent_states(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    states = [{"code": s.code, "name": s.name, "note": s.note} for s in ALL_PARTY_STATES]
    return JSONResponse({"all_party_consent": states})


routes: list[BaseRoute] = [
    Route("/api/recording-consent/states", consent_states, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/recordings", list_recordings, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/recordings/{recording_sid}/audio", recording_audio, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/recordings/{recording_sid}", remove_recording, methods=["DELETE"]),
    Route(
        "/api/campaigns/{campaign_id}/contacts/{contact_id}/recordings",
        remove_contact_recordings,
        methods=["DELETE"],
    ),
]
