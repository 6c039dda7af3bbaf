"""Recording a power-mode call after the volunteer read the disclosure, through the Twilio adapter (every
REST request checked by the Twilio stand-in against Twilio's API description) and a real Redis.

Compliance: nothing records until the volunteer, talking to that voter, says they read the notice (the
press is the disclosure step, audited); once per call; only their own call; never after the voter hung up;
a carrier refusal leaves the call unrecorded and the button usable again."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from dialer.connections import async_client
from dialer.dialing.bridge import apply_verdict
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.twilio import TwilioCarrier
from tests.conftest import ADMIN, bearer
from tests.integration.test_coaching import ACCOUNT, next_of
from tests.integration.test_transfer import World, agent_state
from tests.integration.test_transfer import world as world  # noqa: F401 (the fixture)
from tests.integration.test_webhooks import sign, twilio_settings
from tests.stores import audit_entries

DISCLOSURE = "This call is recorded so that we can train our volunteers."


def record_on(w: World, on: bool = True) -> None:
    r = w.client.patch("/api/campaigns/rc", json={"record_calls": on, "recording_disclosure": DISCLOSURE},
                       headers=ADMIN)  # fmt: skip
    assert r.status_code == 200, r.text
    w.standin.calls[w.voter]["status"] = "in-progress"  # the voter answered (Twilio records live calls only)


def press(w: World, sid: str | None = None, token: str | None = None, body: Any = None) -> Any:
    path = f"/api/campaigns/rc/calls/{sid or w.voter}/recording"
    headers = bearer(token or w.token)
    if body is None:
        return w.client.post(path, headers=headers)
    return w.client.post(path, json=body, headers=headers)


def run_actions(w: World, tmp_path: Path) -> None:
    """What the pacer (in the worker) does with the queued `record` action: it holds the carrier's handle."""
    settings = twilio_settings(w.url, tmp_path)

    async def once() -> None:
        redis = async_client(w.url)
        try:
            campaign = await CampaignStore(redis).get("rc")
            assert campaign is not None
            carrier = TwilioCarrier(settings, w.standin.client())
            await CampaignPacer(redis, carrier, settings, "rc", scale=1.0).wait_for_actions(campaign, 0.5)
        finally:
            await redis.aclose()

    asyncio.run(once())


def recordings_asked(w: World) -> list[Any]:
    return [r for r in w.standin.requests if r.path.endswith("/Recordings.json")]


def test_the_volunteer_reads_the_notice_then_the_call_records_once(world: World, tmp_path: Path) -> None:
    w, c = world, world.client
    record_on(w)
    c.portal.call(c.app.state.deps.services["call_hub"].ready.wait)  # type: ignore[attr-defined, union-attr]
    with c.websocket_connect(f"/ws/call/rc?token={w.token}") as ws:
        assert ws.receive_json()["type"] == "campaign"
        bridged = next_of(ws, "bridged")
        assert (bridged["call_sid"], bridged["recording"]) == (w.voter, False)
        run_actions(w, tmp_path)
        assert recordings_asked(w) == []  # bridged, recording on: nothing records by itself
        r = press(w)
        assert r.status_code == 202 and r.json() == {"call_sid": w.voter, "recording": "starting"}, r.text
        run_actions(w, tmp_path)
        assert next_of(ws, "recording") == {"type": "recording", "call_sid": w.voter, "contact_id": w.contact,
                                            "status": "started", "message": ""}  # fmt: skip
    (asked,) = recordings_asked(w)
    assert asked.path.endswith(f"/Calls/{w.voter}/Recordings.json")
    callback = asked.get("RecordingStatusCallback") or ""
    assert urlsplit(callback).path == "/twilio/recording/status"
    assert parse_qs(urlsplit(callback).query) == {"campaign_id": ["rc"], "contact_id": [w.contact]}
    # A reload while talking: the page is told the call records.
    with c.websocket_connect(f"/ws/call/rc?token={w.token}") as ws:
        talking = next_of(ws, "talking")
        assert (talking["contact_id"], talking["call_sid"], talking["recording"]) == (
            w.contact,
            w.voter,
            True,
        )
        assert talking["contact"]["id"] == w.contact and talking["contact"]["phone"].startswith("+1")
    # Pressed again (a double click, a reload): nothing new is asked of the carrier.
    again = press(w)
    assert again.status_code == 200 and again.json()["recording"] == "started"
    assert len(recordings_asked(w)) == 1
    (entry,) = [e for e in audit_entries(w.url, "rc") if e["action"] == "recording_start"]
    assert entry["user"] == w.volunteer
    assert entry["detail"] == {
        "contact_id": w.contact,
        "call_sid": w.voter,
        "disclosure": "read by the volunteer",
    }

    # The finished recording arrives as a preview call's does and reaches organizers, under the contact.
    (recording_sid,) = w.standin.recordings  # the one the carrier started
    form = {"AccountSid": ACCOUNT, "CallSid": w.voter, "RecordingSid": recording_sid,
            "RecordingStatus": "completed", "RecordingDuration": "61", "RecordingChannels": "2",
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Recordings/{recording_sid}",
            }  # fmt: skip
    path = f"{urlsplit(callback).path}?{urlsplit(callback).query}"
    assert w.client.post(path, content=urlencode(form), headers=sign(path, form)).status_code == 204
    listed = w.client.get("/api/campaigns/rc/recordings", headers=ADMIN).json()["recordings"]
    assert [(x["sid"], x["contact_id"], x["duration"]) for x in listed] == [(recording_sid, w.contact, 61)]
    assert press(w, token=None).status_code == 200  # still one recording asked for
    assert len(recordings_asked(w)) == 1


def test_nothing_records_without_the_campaign_setting_or_for_anyone_else(world: World) -> None:
    w = world
    assert press(w).status_code == 409 and press(w).json()["error"]["code"] == "not_recorded"
    record_on(w)
    r = w.client.post(
        "/api/auth/signup", json={"email": "o@example.org", "name": "Oh", "password": "long password"}
    )
    w.client.cookies.clear()
    other = r.json()["token"]
    assert press(w, token=other).status_code == 404  # not their call
    assert press(w, sid="CA" + "7" * 32).status_code == 404  # not this volunteer's call
    assert w.client.post(f"/api/campaigns/rc/calls/{w.voter}/recording").status_code == 401
    bad = press(w, body={"contact_id": w.contact})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    assert recordings_asked(w) == []


def test_a_refusal_records_nothing_and_the_volunteer_may_press_again(world: World, tmp_path: Path) -> None:
    w, c = world, world.client
    record_on(w)
    c.portal.call(c.app.state.deps.services["call_hub"].ready.wait)  # type: ignore[attr-defined, union-attr]
    run_actions(w, tmp_path)  # the pacer bridges the voter into the volunteer's conference
    with c.websocket_connect(f"/ws/call/rc?token={w.token}") as ws:
        assert press(w).status_code == 202
        w.standin.fail_next(400, 21220, "Call is not in-progress. Cannot create recording.")
        run_actions(w, tmp_path)
        failed = next_of(ws, "recording")
        assert failed["status"] == "failed" and "Call is not in-progress" in failed["message"], failed
        assert press(w).status_code == 202  # given back: the volunteer presses again
        run_actions(w, tmp_path)
        assert next_of(ws, "recording")["status"] == "started"
    assert len(recordings_asked(w)) == 2  # the refused request, then the one that started
    assert len(w.standin.recordings) == 1


def test_after_the_voter_hung_up_nothing_starts(world: World) -> None:
    w = world
    record_on(w)

    async def hang_up() -> None:
        redis = async_client(w.url)
        try:
            campaign = await CampaignStore(redis).get("rc")
            assert campaign is not None
            await apply_verdict(redis, campaign, w.voter, "end", now=time.time(), final_status="completed")
        finally:
            await redis.aclose()

    asyncio.run(hang_up())
    assert agent_state(w) == "wrap_up"
    r = press(w)
    assert r.status_code == 409 and r.json()["error"]["code"] == "call_not_up", r.text
    assert recordings_asked(w) == []


def test_preview_campaigns_record_by_the_whisper_not_by_the_button(world: World) -> None:
    w = world
    record_on(w)
    assert w.client.patch("/api/campaigns/rc", json={"mode": "preview"}, headers=ADMIN).status_code == 200
    r = press(w)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_dialer_call"
    assert recordings_asked(w) == []
