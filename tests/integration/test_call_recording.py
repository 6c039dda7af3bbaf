"""Recording with consent through the Twilio adapter: signed webhooks as Twilio sends them, every REST
request checked by the Twilio stand-in against Twilio's API description.

Compliance: the voter's leg gets the disclosure before anything records, recording starts only when
Twilio asks after the disclosure was read, once, and never for a call that was not sent it; forged or
replayed webhooks change nothing; recordings reach organizers only, expire, and are deleted with the
contact, at Twilio too."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

from dialer.connections import async_client
from dialer.queue import keys
from dialer.recording_consent import DAY
from dialer.stores.recordings import expire_recordings
from dialer.telephony.twilio import TwilioCarrier
from tests.conftest import ADMIN
from tests.integration.test_voicemail_drop import ACCOUNT, CHILD, Call, connect
from tests.integration.test_voicemail_drop import call as call  # noqa: F401 (the fixture)
from tests.integration.test_webhooks import NOON_NEW_YORK, PUBLIC_URL, sign, twilio_settings
from tests.stores import open_store

DISCLOSURE = "This call is recorded so that we can train our volunteers."


def hook(call: Call, path: str, form: dict[str, str], *, forged: bool = False):  # type: ignore[no-untyped-def]
    headers = sign(path, form)
    if forged:
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    return call.client.post(path, content=urlencode(form), headers=headers)


def leg(**extra: str) -> dict[str, str]:
    return {"AccountSid": ACCOUNT, "CallSid": CHILD, "CallStatus": "in-progress", **extra}


def recording_form(sid: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT, "CallSid": CHILD, "RecordingSid": sid, "RecordingStatus": "completed",
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}",
        "RecordingDuration": "42", "RecordingChannels": "2", **extra,
    }  # fmt: skip


def recorded(call: Call) -> tuple[str, str, str]:
    """Recording switched on; the volunteer's browser calls; returns the contact and the whisper's paths."""
    r = call.client.patch(
        "/api/campaigns/dc",
        json={"record_calls": True, "recording_disclosure": DISCLOSURE, "recording_retention_days": 30},
        headers=ADMIN,
    )
    assert r.status_code == 200 and r.json()["record_calls"] is True, r.text
    contact = connect(call)
    voice = call.client.post("/twilio/voice", content=urlencode(call.voice(contact)), headers=sign(
        "/twilio/voice", call.voice(contact)))  # fmt: skip
    number = ET.fromstring(voice.text).find("Dial/Number")
    assert number is not None and number.get("url", "").startswith(PUBLIC_URL + "/twilio/recording/disclose?")
    assert ET.fromstring(voice.text).find("Dial").get("record") is None  # type: ignore[union-attr]
    disclose = number.get("url", "").removeprefix(PUBLIC_URL)
    start = disclose.replace("/disclose?", "/start?")
    return contact, disclose, start


def test_recording_starts_only_after_the_disclosure_and_once(call: Call) -> None:
    contact, disclose, start = recorded(call)
    # Twilio asking to start before the voter was sent the disclosure: nothing records.
    early = hook(call, start, leg())
    assert early.status_code == 200 and "<Response />" in early.text
    assert call.standin.requests == []

    # A forged disclosure request changes nothing either.
    assert hook(call, disclose, leg(), forged=True).status_code == 403
    assert hook(call, start, leg()).status_code == 200 and call.standin.requests == []

    whisper = hook(call, disclose, leg())
    assert whisper.status_code == 200
    verbs = list(ET.fromstring(whisper.text))
    assert [(v.tag, v.text) for v in verbs] == [("Say", DISCLOSURE), ("Redirect", PUBLIC_URL + start)]
    assert call.standin.requests == []  # the disclosure is being read: still nothing records

    assert hook(call, start, leg(), forged=True).status_code == 403
    assert call.standin.requests == []
    assert "<Response />" in hook(call, start, leg()).text  # the voter is connected now
    (started,) = call.standin.requests  # checked against Twilio's description by the stand-in
    assert (started.method, started.path) == (
        "POST",
        f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{CHILD}/Recordings.json",
    )
    assert started.get("RecordingStatusCallback") == (
        f"{PUBLIC_URL}/twilio/recording/status?campaign_id=dc&contact_id={contact}"
    )
    assert started.getall("RecordingStatusCallbackEvent") == ["completed"]
    # Replayed: Twilio retrying the request starts nothing more.
    assert hook(call, start, leg()).status_code == 200 and len(call.standin.requests) == 1
    assert hook(call, disclose, leg()).status_code == 200 and len(call.standin.requests) == 1


def test_recordings_are_kept_once_for_organizers_only_and_deleted_with_the_contact(call: Call) -> None:
    contact, disclose, start = recorded(call)
    hook(call, disclose, leg())
    hook(call, start, leg())
    sid = next(iter(call.standin.recordings))
    status = f"/twilio/recording/status?campaign_id=dc&contact_id={contact}"

    assert hook(call, status, recording_form(sid), forged=True).status_code == 403
    assert call.client.get("/api/campaigns/dc/recordings", headers=ADMIN).json() == {"recordings": []}
    # A recording this server did not start (signed, but for another RecordingSid) is not kept.
    other = "RE" + "9" * 32
    assert hook(call, status, recording_form(other)).status_code == 204
    assert call.client.get("/api/campaigns/dc/recordings", headers=ADMIN).json() == {"recordings": []}
    for _ in range(2):  # Twilio retries its callback: kept once
        assert hook(call, status, recording_form(sid)).status_code == 204
    (kept,) = call.client.get("/api/campaigns/dc/recordings", headers=ADMIN).json()["recordings"]
    # NOON_NEW_YORK, and 30 days on: ISO 8601 UTC, as every time the API answers.
    assert kept == {
        "sid": sid, "call_sid": CHILD, "contact_id": contact, "duration": 42, "channels": 2,
        "created_at": "2026-11-25T17:00:00+00:00", "expires_at": "2026-12-25T17:00:00+00:00",
    }  # fmt: skip
    mine = call.client.get(f"/api/campaigns/dc/recordings?contact_id={contact}", headers=ADMIN).json()
    assert [r["sid"] for r in mine["recordings"]] == [sid]

    # Organizers only: a volunteer (even the one who made the call) and strangers cannot reach it.
    audio = f"/api/campaigns/dc/recordings/{sid}/audio"
    for path in ("/api/campaigns/dc/recordings", audio):
        assert call.client.get(path, headers=call.volunteer()).status_code == 403
        assert call.client.get(path).status_code == 401
    assert (
        call.client.delete(f"/api/campaigns/dc/recordings/{sid}", headers=call.volunteer()).status_code == 403
    )
    fetched = call.client.get(audio, headers=ADMIN)  # proxied from Twilio with the account's credentials
    assert fetched.status_code == 200 and fetched.headers["content-type"].startswith("audio/")
    assert fetched.headers["cache-control"] == "no-store"
    media = call.standin.requests[-1]
    assert (media.method, media.path) == ("GET", f"/2010-04-01/Accounts/{ACCOUNT}/Recordings/{sid}.wav")

    # Deleted with the contact: at Twilio (DELETE per the spec) and here.
    r = call.client.delete(f"/api/campaigns/dc/contacts/{contact}/recordings", headers=ADMIN)
    assert r.status_code == 200 and r.json() == {"deleted": 1, "left": 0}
    deleted = call.standin.requests[-1]
    assert (deleted.method, deleted.path) == (
        "DELETE",
        f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{CHILD}/Recordings/{sid}.json",
    )
    assert call.client.get("/api/campaigns/dc/recordings", headers=ADMIN).json() == {"recordings": []}
    assert call.client.get(audio, headers=ADMIN).status_code == 404
    assert not open_store(call.url).exists(keys.recording("dc", sid))


def test_the_worker_deletes_recordings_when_they_expire(call: Call, tmp_path) -> None:  # type: ignore[no-untyped-def]
    contact, disclose, start = recorded(call)
    hook(call, disclose, leg())
    hook(call, start, leg())
    sid = next(iter(call.standin.recordings))
    hook(call, f"/twilio/recording/status?campaign_id=dc&contact_id={contact}", recording_form(sid))
    settings = twilio_settings(call.url, tmp_path, twilio_api_base_url="https://twilio-standin.test")

    async def expire(now: float) -> int:
        client = async_client(call.url)
        carrier = TwilioCarrier(settings, call.standin.client())
        try:
            return await expire_recordings(client, carrier, now)
        finally:
            await client.aclose()
            await carrier.aclose()

    before = len(call.standin.requests)
    assert asyncio.run(expire(NOON_NEW_YORK + 30 * DAY - 1)) == 0  # a second early: kept
    assert len(call.standin.requests) == before
    assert asyncio.run(expire(NOON_NEW_YORK + 30 * DAY)) == 1
    assert call.standin.requests[-1].method == "DELETE" and sid in call.standin.requests[-1].path
    assert call.client.get("/api/campaigns/dc/recordings", headers=ADMIN).json() == {"recordings": []}
    assert not open_store(call.url).exists(keys.RECORDING_CAMPAIGNS)  # nothing left to look at


def test_an_unrecorded_campaign_discloses_nothing_and_never_records(call: Call) -> None:
    contact = connect(call)
    voice = call.client.post(
        "/twilio/voice",
        content=urlencode(call.voice(contact)),
        headers=sign("/twilio/voice", call.voice(contact)),
    )
    assert re.search(r"<Number[^>]*\surl=", voice.text) is None
    path = f"/twilio/recording/disclose?campaign_id=dc&contact_id={contact}"
    assert "<Say" not in hook(call, path, leg()).text
    assert "<Response />" in hook(call, path.replace("disclose", "start"), leg()).text
    assert call.standin.requests == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"record_calls": "yes"}, "record_calls"),
        ({"recording_disclosure": "  "}, "recording_disclosure"),
        ({"recording_retention_days": 0}, "recording_retention_days"),
        ({"recording_retention_days": 400}, "recording_retention_days"),
    ],
)
def test_bad_recording_settings_are_refused_and_change_nothing(
    call: Call,
    body: dict[str, object],
    problem: str,
) -> None:
    r = call.client.patch("/api/campaigns/dc", json=body, headers=ADMIN)
    assert r.status_code == 422 and [d["path"] for d in r.json()["error"]["details"]] == [problem]
    campaign = call.client.get("/api/campaigns/dc", headers=ADMIN).json()
    assert campaign["record_calls"] is False and campaign["recording_retention_days"] == 30
