"""Preview calls through a conference (`preview_conference`) against a real Redis and the Twilio stand-in,
which checks every REST request against Twilio's API description: the browser's `leg=agent` call joins the
volunteer's conference only when the campaign asks for it, each Call places the voter into it with the
phone-leg path, and a coach (listen, then barge) and a warm transfer then join that conference. A direct
browser preview call (the setting off) stays 409 for both, with a message saying how to turn it on; a
phone-leg preview call is coachable with the setting off, its phone leg the one coached."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from dialer.connections import async_client
from dialer.queue import keys
from dialer.queue.roster import Roster
from tests.conftest import ADMIN, bearer
from tests.integration.test_call_me import ACCOUNT, CAMPAIGN_NUMBER, MINE, spoken_code, standin_app
from tests.integration.test_webhooks import PUBLIC_URL, sign
from tests.stores import open_store
from tests.twilio_standin import Recorded, TwilioStandin
from tests.unit.test_transfers import RIDES, SCRIPT

CSV = "id,phone,first_name\nv1,+12025550101,Ann\nv2,+12025550102,Bo\nv3,+12025550103,Cy\n"
CALLS = f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
BROWSER_LEG = "CA" + "b" * 32
COACH_PHONE = "+12025550143"


@dataclass
class World:
    client: TestClient
    standin: TwilioStandin
    url: str
    volunteer: str
    token: str
    organizer: dict[str, str]
    contacts: list[str]

    def me(self) -> dict[str, str]:
        return bearer(self.token)

    def store(self) -> Any:
        return open_store(self.url, decode_responses=True)

    def webhook(self, path_qs: str, form: dict[str, str]) -> Any:
        return self.client.post(path_qs, content=urlencode(form), headers=sign(path_qs, form))

    def setting(self, on: bool) -> None:
        r = self.client.patch("/api/campaigns/pc", json={"preview_conference": on}, headers=ADMIN)
        assert r.status_code == 200 and r.json()["preview_conference"] is on, r.text

    def browser_joins(self) -> Any:
        """What the Voice SDK's connect with leg=agent makes Twilio ask our voice webhook."""
        form = {"AccountSid": ACCOUNT, "CallSid": BROWSER_LEG, "From": f"client:{self.volunteer}", "To": "",
                "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
                "campaign_id": "pc", "leg": "agent"}  # fmt: skip
        return self.webhook("/twilio/voice", form)

    def dial(self, contact_id: str) -> Any:
        return self.client.post("/api/campaigns/pc/phone-leg/calls", json={"contact_id": contact_id},
                                headers=self.me())  # fmt: skip

    def status(self, sid: str, contact_id: str, seq: int, status: str) -> None:
        form = {"AccountSid": ACCOUNT, "CallSid": sid, "CallStatus": status, "SequenceNumber": str(seq),
                "ApiVersion": "2010-04-01"}  # fmt: skip
        r = self.webhook(f"/twilio/status?campaign_id=pc&contact_id={contact_id}", form)
        assert r.status_code == 204, r.text

    def coach(self, mode: str) -> Any:
        body = {"mode": mode, "phone": COACH_PHONE}
        return self.client.post(f"/api/campaigns/pc/roster/{self.volunteer}/coach", json=body,
                                headers=self.organizer)  # fmt: skip

    def transfer(self, contact_id: str) -> Any:
        body = {"contact_id": contact_id, "target": RIDES["name"]}
        return self.client.post("/api/campaigns/pc/transfers", json=body, headers=self.me())

    def voter_calls(self) -> list[Recorded]:
        return [r for r in self.standin.requests if r.path == CALLS and r.get("To") != MINE]

    def participants(self) -> list[Recorded]:
        return [r for r in self.standin.requests if r.path.endswith("/Participants.json")]


async def _on_roster(url: str, volunteer: str) -> None:
    client = async_client(url)
    try:
        await Roster(client, "pc").join(volunteer, state="waiting", name="Vol", team="", now=0.0)
    finally:
        await client.aclose()


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    with standin_app(clean_redis, tmp_path) as (client, standin, _):
        r = client.post("/api/scripts", content=SCRIPT, headers={**ADMIN, "Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        body = {"id": "pc", "name": "PC", "script_id": "rides", "caller_id": CAMPAIGN_NUMBER,
                "mode": "preview", "calling_method": ["browser", "call_me"],
                "transfer_targets": [RIDES]}  # fmt: skip
        r = client.post("/api/campaigns", json=body, headers=ADMIN)
        assert r.status_code == 201 and r.json()["preview_conference"] is False, r.text
        r = client.post(
            "/api/campaigns/pc/contacts", content=CSV, headers={**ADMIN, "Content-Type": "text/csv"}
        )
        assert r.json()["imported"] == 3, r.text
        users = []
        for email in ("v@example.org", "o@example.org"):
            r = client.post(
                "/api/auth/signup", json={"email": email, "name": "V", "password": "long password"}
            )
            users.append(r.json())
        client.cookies.clear()
        organizer = users[1]["user"]["id"]
        assert (
            client.put(f"/api/users/{organizer}/role", json={"role": "organizer"}, headers=ADMIN).status_code
            == 200
        )
        token, volunteer = users[0]["token"], users[0]["user"]["id"]
        batch = client.post("/api/campaigns/pc/batches", headers=bearer(token)).json()
        asyncio.run(_on_roster(clean_redis, volunteer))
        standin.coachable.add(BROWSER_LEG)  # in Twilio's conference once the voice webhook put it there
        yield World(client, standin, clean_redis, volunteer, token, bearer(users[1]["token"]),
                    [c["id"] for c in batch["contacts"]])  # fmt: skip


def test_the_browser_waits_in_its_conference_only_with_the_setting(world: World) -> None:
    w = world
    r = w.browser_joins()
    assert "<Conference" not in r.text and "<Say" in r.text, r.text  # a direct-dial preview campaign
    r = w.dial(w.contacts[0])
    assert r.status_code == 409 and r.json()["error"]["code"] == "phone_not_connected", r.text
    w.setting(True)
    r = w.dial(w.contacts[0])  # the browser has not joined yet: nothing placed
    assert r.status_code == 409 and "browser" in r.json()["error"]["message"], r.text
    assert w.voter_calls() == []
    r = w.browser_joins()
    assert f">dialer-pc-{w.volunteer}</Conference>" in r.text
    assert 'endConferenceOnExit="false"' in r.text  # a reload must not end the voter's call: see below
    r = w.dial(w.contacts[0])
    assert r.status_code == 201, r.text
    (call,) = w.voter_calls()
    assert f">dialer-pc-{w.volunteer}</Conference>" in (call.get("Twiml") or "")
    assert call.get("From") == CAMPAIGN_NUMBER
    # The same one-call-at-a-time rule as a phone leg's.
    again = w.dial(w.contacts[1])
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_on_call"


def test_direct_browser_preview_calls_stay_uncoachable_and_untransferable(world: World) -> None:
    w = world
    r = w.coach("listen")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_coachable"
    assert "preview_conference" in r.json()["error"]["message"]  # says how to turn it on
    r = w.transfer(w.contacts[0])
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_transferable"
    assert "preview_conference" in r.json()["error"]["message"]
    assert w.participants() == []


def test_a_coach_listens_then_barges_into_a_preview_conference_call(world: World) -> None:
    w = world
    w.setting(True)
    w.browser_joins()
    sid = w.dial(w.contacts[0]).json()["call_sid"]
    w.status(sid, w.contacts[0], 1, "in-progress")
    r = w.coach("listen")
    assert r.status_code == 201, r.text
    (create,) = w.participants()
    assert create.path.endswith(f"/Conferences/dialer-pc-{w.volunteer}/Participants.json")
    assert create.get("Muted") == "true"
    r = w.coach("coach")  # heard by the volunteer's browser leg only
    assert r.status_code == 200, r.text
    update = w.standin.requests[-1]
    assert (update.get("Coaching"), update.get("CallSidToCoach")) == ("true", BROWSER_LEG)
    r = w.coach("barge")
    assert r.status_code == 200 and r.json()["mode"] == "barge", r.text
    update = w.standin.requests[-1]
    assert (update.get("Muted"), update.get("Coaching")) == ("false", "false")


def test_a_phone_leg_preview_call_is_coachable_without_the_setting(world: World) -> None:
    w = world
    r = w.client.put("/api/campaigns/pc/call-me/number", json={"phone": MINE}, headers=w.me())
    code = spoken_code(w.standin.requests[-1])
    assert (
        w.client.post(
            "/api/campaigns/pc/call-me/number/verify", json={"code": code}, headers=w.me()
        ).status_code
        == 200
    )
    leg = str(w.client.post("/api/campaigns/pc/call-me", headers=w.me()).json()["call_sid"])
    q = f"?campaign_id=pc&volunteer={w.volunteer}"
    form = {"AccountSid": ACCOUNT, "CallSid": leg, "From": CAMPAIGN_NUMBER, "To": MINE}
    w.webhook(f"/twilio/call-me/answer{q}", {**form, "CallStatus": "in-progress"})
    assert "<Conference" in w.webhook(f"/twilio/call-me/press{q}", {**form, "Digits": "1"}).text
    w.standin.coachable.add(leg)
    r = w.coach("coach")
    assert r.status_code == 201, r.text
    (create,) = w.participants()
    assert (create.get("Coaching"), create.get("CallSidToCoach")) == ("true", leg)  # the phone, not a browser


def test_a_preview_conference_call_is_handed_on_to_a_staff_line(world: World) -> None:
    w = world
    w.setting(True)
    w.browser_joins()
    contact = w.contacts[0]
    sid = w.dial(contact).json()["call_sid"]
    r = w.transfer(contact)
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_on_call"  # not answered yet
    w.status(sid, contact, 1, "in-progress")
    assert w.transfer("v-other").json()["error"]["code"] == "not_on_call"
    r = w.transfer(contact)
    assert r.status_code == 201 and r.json()["status"] == "ringing", r.text
    (create,) = w.participants()
    assert create.path.endswith(f"/Conferences/dialer-pc-{w.volunteer}/Participants.json")
    assert (create.get("To"), create.get("Label")) == (RIDES["phone"], "transfer")
    staff = w.standin.participant(next(iter(w.standin.participants))[1])["call_sid"]
    path = f"/twilio/transfer?campaign_id=pc&call_sid={sid}"
    form = {"AccountSid": ACCOUNT, "CallSid": staff, "CallStatus": "in-progress", "ApiVersion": "2010-04-01",
            "Direction": "outbound-api", "From": CAMPAIGN_NUMBER, "To": RIDES["phone"]}  # fmt: skip
    sent = len(w.standin.requests)
    assert w.webhook(path, form).status_code == 204
    moved = w.standin.requests[sent:]
    assert {r.path.rsplit("/", 1)[1] for r in moved} == {f"{sid}.json", f"{staff}.json"}
    assert all(f"dialer-transfer-{sid}" in (r.get("Twiml") or "") for r in moved)
    # The result is saved without hanging up the voter, who talks with the staff member now.
    batch = w.store().hget(keys.lease_of("pc"), contact)
    result = {"contact_id": contact, "result": "contacted", "idempotency_key": "k1"}
    sent = len(w.standin.requests)
    r = w.client.post(f"/api/batches/{batch}/results", json=result, headers=w.me())
    assert r.status_code == 200, r.text
    assert not [r for r in w.standin.requests[sent:] if r.get("Status") == "completed"]
    # The volunteer is free for the next voter although the handed-on call is still up.
    r = w.dial(w.contacts[1])
    assert r.status_code == 201, r.text


def test_the_simulated_join_is_for_the_simulated_carrier_and_takes_no_fields(world: World) -> None:
    w = world
    r = w.client.post("/api/campaigns/pc/conference-leg", json={"leg": "agent"}, headers=w.me())
    assert r.status_code == 422, r.text
    r = w.client.post("/api/campaigns/pc/conference-leg", headers=w.me())
    assert r.status_code == 409 and r.json()["error"]["code"] == "use_voice_sdk", r.text
    assert w.client.post("/api/campaigns/pc/conference-leg").status_code == 401


def test_a_recorded_conference_call_is_disclosed_then_recorded_then_bridged(world: World) -> None:
    w = world
    body = {
        "preview_conference": True,
        "record_calls": True,
        "recording_disclosure": "This call is recorded.",
    }
    assert w.client.patch("/api/campaigns/pc", json=body, headers=ADMIN).status_code == 200
    w.browser_joins()
    contact = w.contacts[0]
    sid = w.dial(contact).json()["call_sid"]
    (call,) = w.voter_calls()
    twiml = ET.fromstring(call.get("Twiml") or "")
    (redirect,) = list(twiml)  # nothing but the way to the disclosure: no conference before it
    assert redirect.tag == "Redirect" and redirect.get("method") == "POST"
    disclose = (redirect.text or "").removeprefix(PUBLIC_URL)
    assert (
        disclose == f"/twilio/recording/disclose?campaign_id=pc&contact_id={contact}&volunteer={w.volunteer}"
    )
    start = disclose.replace("/disclose?", "/start?")
    form = {"AccountSid": ACCOUNT, "CallSid": sid, "CallStatus": "in-progress", "ApiVersion": "2010-04-01"}
    recordings = f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}/Recordings.json"

    def started() -> list[Recorded]:
        return [r for r in w.standin.requests if r.path == recordings]

    # Asked to start before the disclosure: nothing records, and the voter still reaches the volunteer.
    early = w.webhook(start, form)
    assert f">dialer-pc-{w.volunteer}</Conference>" in early.text and started() == []
    said = w.webhook(disclose, form)
    assert [(v.tag, v.text) for v in ET.fromstring(said.text)] == [
        ("Say", "This call is recorded."), ("Redirect", PUBLIC_URL + start)]  # fmt: skip
    assert started() == []  # still being read
    bridged = w.webhook(start, form)
    assert f">dialer-pc-{w.volunteer}</Conference>" in bridged.text
    (recording,) = started()  # checked against Twilio's description by the stand-in
    assert recording.get("RecordingStatusCallback") == (
        f"{PUBLIC_URL}/twilio/recording/status?campaign_id=pc&contact_id={contact}"
    )
    again = w.webhook(start, form)  # Twilio retrying: bridged again, nothing more recorded
    assert "<Conference" in again.text and len(started()) == 1


def _left(w: World, path_qs: str, leg: str) -> Any:
    """What Twilio posts to the browser leg's conference statusCallback when that leg leaves the room."""
    form = {"AccountSid": ACCOUNT, "ConferenceSid": "CF" + "c" * 32, "CallSid": leg,
            "FriendlyName": f"dialer-pc-{w.volunteer}", "StatusCallbackEvent": "participant-leave",
            "Timestamp": "Sun, 06 Dec 2026 22:00:00 +0000", "SequenceNumber": "3"}  # fmt: skip
    return w.webhook(path_qs, form)


def test_a_reload_mid_call_holds_the_voter_until_the_page_is_back(world: World) -> None:
    """The browser's leg drops with a reload (or a crashed page). It used to end the room
    (endConferenceOnExit) and hang the voter up mid-conversation; now the room stays, the leg's leaving is
    reported, the voter is told to hold (at most a minute, then goodbye: the carrier keeps that limit) and
    the page's next leg takes them back into the conference (found by a new-user walk)."""
    w = world
    w.setting(True)
    room = ET.fromstring(w.browser_joins().text).find("Dial/Conference")
    assert room is not None and room.get("statusCallbackEvent") == "leave"
    callback = room.get("statusCallback") or ""
    assert callback == f"{PUBLIC_URL}/twilio/conference?campaign_id=pc&volunteer={w.volunteer}"
    path_qs = callback.removeprefix(PUBLIC_URL)
    sent = len(w.standin.requests)
    assert _left(w, path_qs, BROWSER_LEG).status_code == 204  # between calls: nobody to hold
    assert w.standin.requests[sent:] == []
    w.browser_joins()
    contact = w.contacts[0]
    sid = w.dial(contact).json()["call_sid"]
    w.status(sid, contact, 1, "in-progress")
    w.store().set(
        keys.call_session("pc", w.volunteer), json.dumps({"contact_id": contact})
    )  # the page's call

    sent = len(w.standin.requests)
    assert _left(w, path_qs, "CA" + "0" * 32).status_code == 204  # not the volunteer's latest leg
    assert w.standin.requests[sent:] == []
    assert _left(w, path_qs, BROWSER_LEG).status_code == 204
    (held,) = w.standin.requests[sent:]
    assert held.path.endswith(f"/Calls/{sid}.json")
    hold = ET.fromstring(held.get("Twiml") or "")
    assert "right back" in (hold.findtext("Say") or "") and hold.find("Hangup") is not None
    pause = hold.find("Pause")
    assert pause is not None and pause.get("length") == "60"

    sent = len(w.standin.requests)
    form = {"AccountSid": ACCOUNT, "CallSid": "CA" + "d" * 32, "From": f"client:{w.volunteer}", "To": "",
            "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
            "campaign_id": "pc", "leg": "agent"}  # fmt: skip
    assert "<Conference" in w.webhook("/twilio/voice", form).text  # the reloaded page's leg
    (back,) = w.standin.requests[sent:]
    assert back.path.endswith(f"/Calls/{sid}.json")
    assert f">dialer-pc-{w.volunteer}</Conference>" in (back.get("Twiml") or "")
    assert w.store().get(keys.held_voter("pc", w.volunteer)) is None
    sent = len(w.standin.requests)
    w.webhook("/twilio/voice", form)  # joined again later: nobody held, nothing moved
    assert w.standin.requests[sent:] == []
    assert _left(w, path_qs, BROWSER_LEG).status_code == 204  # the old leg's late report changes nothing
    assert w.standin.requests[sent:] == []
