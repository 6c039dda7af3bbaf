"""Recorded voicemail through the app: organizers upload, play back, replace and remove it; volunteers and
strangers cannot; Twilio fetches it only by the signed URL the voicemail TwiML carries; preview's "Leave
voicemail" and power mode's machines play it (the Twilio stand-in checks every request against Twilio's
API description), and a machine that gets it is no abandoned call."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.dialing.agents import set_ready
from dialer.dialing.bridge import apply_verdict, dial_counters
from dialer.queue import keys
from dialer.stores.voicemail import VoicemailAudioStore
from dialer.telephony.base import MachineDetection
from dialer.voicemail_audio import check_audio, signed_path
from tests.conftest import ADMIN
from tests.integration.dialing_support import SETTINGS, FakeCarrier, add_contacts, make_campaign, pacer
from tests.integration.test_voicemail_drop import ACCOUNT, CHILD, PARENT, Call, connect
from tests.integration.test_voicemail_drop import call as call  # noqa: F401 (the fixture)
from tests.integration.test_webhooks import NOON_NEW_YORK, PUBLIC_URL, twilio_settings
from tests.stores import open_store
from tests.unit.test_voicemail_audio import MP3_FRAME, WEBM, wav

AUDIO = "/api/campaigns/dc/voicemail/audio"


@dataclass
class Org:
    client: TestClient
    clock: list[float]
    volunteer: dict[str, str]


@pytest.fixture
def org(clean_redis: str, tmp_path: Path) -> Iterator[Org]:
    settings = twilio_settings(clean_redis, tmp_path, twilio_api_base_url="http://127.0.0.1:9")
    clock = [NOON_NEW_YORK]
    open_store(clean_redis).set(keys.script_latest("gotv"), 1)
    with TestClient(create_app(settings, clock=lambda: clock[0]), raise_server_exceptions=False) as client:
        body = {"id": "dc", "name": "DC", "script_id": "gotv", "caller_id": "+12025550199"}
        assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        r = client.post(
            "/api/auth/signup", json={"email": "v@example.org", "name": "V", "password": "long password"}
        )
        client.cookies.clear()
        yield Org(client, clock, {"Authorization": f"Bearer {r.json()['token']}"})


def put(org: Org, data: bytes, content_type: str = "audio/wav") -> dict[str, object]:
    r = org.client.put(AUDIO, content=data, headers={**ADMIN, "Content-Type": content_type})
    return {"status": r.status_code, **r.json()}


def test_an_organizer_uploads_plays_back_replaces_and_removes_it(org: Org) -> None:
    recording = wav(2.0)
    first = put(org, recording)
    assert first["status"] == 201 and first["content_type"] == "audio/wav" and first["seconds"] == 2.0
    assert first["bytes"] == len(recording)
    described = org.client.get("/api/campaigns/dc/voicemail", headers=ADMIN).json()
    assert described["audio"]["id"] == first["id"] and described["message"] is None
    # NOON_NEW_YORK, in ISO 8601 UTC as every time the API answers (the store keeps epoch seconds)
    assert first["uploaded_at"] == described["audio"]["uploaded_at"] == "2026-11-25T17:00:00+00:00"
    played = org.client.get(AUDIO, headers=ADMIN)
    assert played.status_code == 200 and played.content == recording
    assert played.headers["content-type"] == "audio/wav"

    # A file Twilio cannot play is refused, whatever it claims to be, and the stored one stays.
    refused = put(org, WEBM, "audio/wav")
    assert refused["status"] == 415 and refused["error"]["code"] == "unsupported_audio"  # type: ignore[index]
    assert put(org, b"")["status"] == 422
    assert org.client.get(AUDIO, headers=ADMIN).content == recording

    second = put(org, MP3_FRAME, "application/octet-stream")
    assert second["status"] == 201 and second["content_type"] == "audio/mpeg" and second["id"] != first["id"]
    assert org.client.get(AUDIO, headers=ADMIN).headers["content-type"] == "audio/mpeg"

    assert org.client.delete(AUDIO, headers=ADMIN).status_code == 204
    gone = org.client.get(AUDIO, headers=ADMIN)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "no_voicemail_audio"
    assert org.client.get("/api/campaigns/dc/voicemail", headers=ADMIN).json()["audio"] is None
    assert org.client.delete(AUDIO, headers=ADMIN).status_code == 204  # removing twice is no error
    nowhere = org.client.put("/api/campaigns/nope/voicemail/audio", content=wav(), headers=ADMIN)
    assert nowhere.status_code == 404


def test_volunteers_and_strangers_cannot_upload_fetch_or_remove_it(org: Org) -> None:
    put(org, wav())
    for method in ("GET", "DELETE"):
        assert org.client.request(method, AUDIO, headers=org.volunteer).status_code == 403
        assert org.client.request(method, AUDIO).status_code == 401
    assert org.client.get("/api/campaigns/dc/voicemail", headers=org.volunteer).status_code == 403
    other = wav(3.0)
    assert org.client.put(AUDIO, content=other, headers=org.volunteer).status_code == 403
    assert org.client.put(AUDIO, content=other).status_code == 401
    assert org.client.get(AUDIO, headers=ADMIN).content == wav()  # unchanged


def test_twilio_fetches_it_by_the_signed_url_only_while_it_is_current(org: Org, clean_redis: str) -> None:
    recording = wav()
    put(org, recording)

    audio_id = open_store(clean_redis, decode_responses=True).hget(keys.voicemail_audio("dc"), "id")
    path = signed_path("s", "dc", str(audio_id), org.clock[0])  # as the TwiML carries it (see below)
    fetched = org.client.get(path)  # no cookie, no token: Twilio has neither
    assert fetched.status_code == 200 and fetched.content == recording
    assert fetched.headers["content-type"] == "audio/wav"
    forged = re.sub(r"sig=.", "sig=A" if "sig=A" not in path else "sig=B", path)
    assert org.client.get(forged).status_code == 403
    assert org.client.get(path.replace("expires=", "expires=9")).status_code == 403
    assert org.client.get(path.replace("/dc/", "/other/")).status_code == 403
    assert org.client.get(path.split("?")[0]).status_code == 403
    # Digits that str.isdigit() takes and int() does not (a superscript two): 403 too, it was a 500.
    assert org.client.get(re.sub(r"expires=\d+", "expires=%C2%B2", path)).status_code == 403
    org.clock[0] += 3 * 3600  # past its expiry
    assert org.client.get(path).status_code == 403
    org.clock[0] -= 3 * 3600
    put(org, wav(4.0))  # replaced: the old URL names a recording that is no more
    assert org.client.get(path).status_code == 404


def test_leave_voicemail_plays_the_recording_on_the_voters_leg(call: Call) -> None:
    assert call.client.patch("/api/campaigns/dc", json={"voicemail_message": None}, headers=ADMIN).is_success
    recording = wav()
    assert call.client.put(AUDIO, content=recording, headers=ADMIN).status_code == 201
    connect(call)
    r = call.client.post(f"/api/campaigns/dc/calls/{PARENT}/voicemail", headers=call.volunteer())
    assert r.status_code == 202, r.text  # a recording alone is a message to leave
    (update,) = call.standin.requests  # checked against Twilio's description by the stand-in
    assert update.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{CHILD}.json"
    twiml = update.get("Twiml") or ""
    played = re.fullmatch(r".*<Response><Play>([^<]+)</Play><Hangup /></Response>\s*", twiml, re.S)
    assert played is not None, twiml
    url = played.group(1).replace("&amp;", "&")
    assert url.startswith(PUBLIC_URL + "/media/voicemail/dc/")
    call.client.cookies.clear()
    assert call.client.get(url.removeprefix(PUBLIC_URL)).content == recording


@pytest.mark.anyio
async def test_machines_in_power_mode_get_the_recording_and_count_as_no_abandonment(
    redis: aioredis.Redis,
) -> None:
    campaign = await make_campaign(redis)  # no text message: the recording alone
    await add_contacts(redis, campaign.id, 2)  # in a zone where it is midday now, as test_dialing.py
    recording = wav()
    await VoicemailAudioStore(redis).put(campaign.id, recording, check_audio(recording), by="o", now=0.0)
    carrier = FakeCarrier()
    p = pacer(redis, carrier)
    now = time.time()
    await set_ready(redis, campaign.id, "u1", True, now=now, lease_seconds=600)
    await p.dial(campaign, 1, now)
    # The recording is a message to leave: Twilio waits for the greeting's end before we play it.
    assert carrier.placed[0].machine_detection is MachineDetection.DETECT_MESSAGE_END
    assert (await apply_verdict(redis, campaign, carrier.sids[0], "machine", now=now + 9))[0] == "machine"
    await p.wait_for_actions(campaign, 0.1)
    ((sid, twiml),) = carrier.updates
    assert sid == carrier.sids[0] and "<Play>" + SETTINGS.base_url + "/media/voicemail/pw/" in twiml
    assert "<Say>" not in twiml and twiml.rstrip().endswith("<Hangup /></Response>")
    counters = await dial_counters(redis, campaign.id)
    assert (counters.machine, counters.abandoned, counters.live_answers) == (1, 0, 0)
    assert (await p.abandon_overdue(campaign, now + 60)) == 0
    # Removed: machines are only detected again (no message to leave), and nothing is played.
    await VoicemailAudioStore(redis).delete(campaign.id)
    await set_ready(redis, campaign.id, "u2", True, now=now, lease_seconds=600)
    await p.dial(campaign, 1, now)
    assert carrier.placed[-1].machine_detection is MachineDetection.ENABLE
