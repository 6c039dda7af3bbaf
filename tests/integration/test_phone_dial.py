"""Preview mode over the volunteer's phone leg: the page's Call makes the server call the voter into the
volunteer's conference (dialer/web/phone_dial.py). Every REST request goes to the Twilio stand-in, which
checks it against Twilio's API description; every guardrail refuses before anything is placed; the dial
limits are counted before placing and given back when the carrier refuses; two clicks place one call."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from dialer.queue import keys
from dialer.web.phone_dial import CALL_TIME_LIMIT, still_up
from tests.conftest import ADMIN
from tests.integration.test_call_me import ACCOUNT, CAMPAIGN_NUMBER, MINE, spoken_code, standin_app
from tests.integration.test_webhooks import NOON_NEW_YORK, PUBLIC_URL, sign
from tests.stores import open_store
from tests.twilio_standin import Recorded, TwilioStandin

THREE_AM_NEW_YORK = NOON_NEW_YORK - 9 * 3600
CSV = "id,phone,first_name\nv1,+12025550101,Ann\nv2,+12025550102,Bo\nv3,+12025550103,Cy\nv4,+12025550104,Di\n"
CALLS = f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
MESSAGE = "Hi, this is the campaign. Please vote on Tuesday."


@dataclass
class World:
    client: TestClient
    standin: TwilioStandin
    token: str
    volunteer: str
    url: str
    clock: list[float]
    contacts: list[str]  # the ids of the contacts in the volunteer's batch
    leg_sid: str = ""

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def webhook(self, path_qs: str, form: dict[str, str]) -> Any:
        return self.client.post(path_qs, content=urlencode(form), headers=sign(path_qs, form))

    def store(self) -> Any:
        return open_store(self.url, decode_responses=True)

    def dial(self, contact_id: str) -> Any:
        return self.client.post(
            "/api/campaigns/dc/phone-leg/calls", json={"contact_id": contact_id}, headers=self.auth()
        )

    def voter_calls(self) -> list[Recorded]:
        return [r for r in self.standin.requests if r.path == CALLS and r.get("To") != MINE]

    def status(self, sid: str, contact_id: str, seq: int, status: str, **more: str) -> None:
        form = {
            "AccountSid": ACCOUNT,
            "CallSid": sid,
            "CallStatus": status,
            "SequenceNumber": str(seq),
            "ApiVersion": "2010-04-01",
            **more,
        }
        r = self.webhook(f"/twilio/status?campaign_id=dc&contact_id={contact_id}", form)
        assert r.status_code == 204, r.text


def leg_form(sid: str, **more: str) -> dict[str, str]:
    return {"AccountSid": ACCOUNT, "CallSid": sid, "From": CAMPAIGN_NUMBER, "To": MINE, **more}


def connect_phone(w: World) -> str:
    """Verify the volunteer's number, ring it, answer and press 1: their leg is in their conference."""
    r = w.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=w.auth())
    assert r.status_code == 202, r.text
    code = spoken_code(w.standin.requests[-1])
    r = w.client.post("/api/campaigns/dc/call-me/number/verify", json={"code": code}, headers=w.auth())
    assert r.status_code == 200, r.text
    sid = str(w.client.post("/api/campaigns/dc/call-me", headers=w.auth()).json()["call_sid"])
    q = f"?campaign_id=dc&volunteer={w.volunteer}"
    assert w.webhook(f"/twilio/call-me/answer{q}", leg_form(sid, CallStatus="in-progress")).status_code == 200
    r = w.webhook(f"/twilio/call-me/press{q}", leg_form(sid, Digits="1"))
    assert f">dialer-dc-{w.volunteer}</Conference>" in r.text
    # Preview: nobody is dialed for them, so they do not join the power dialer's pool.
    assert w.store().hget(keys.dial_agent("dc", w.volunteer), "state") is None
    w.leg_sid = sid
    return sid


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    with standin_app(clean_redis, tmp_path) as (client, standin, clock):
        body = {
            "id": "dc",
            "name": "DC",
            "script_id": "gotv",
            "caller_id": CAMPAIGN_NUMBER,
            "mode": "preview",
            "batch_size": 2,
            "calling_method": ["browser", "call_me"],
            "voicemail_message": MESSAGE,
        }
        r = client.post("/api/campaigns", json=body, headers=ADMIN)
        assert r.status_code == 201, r.text
        r = client.post(
            "/api/campaigns/dc/contacts", content=CSV, headers={**ADMIN, "Content-Type": "text/csv"}
        )
        assert r.json()["imported"] == 4, r.text
        signed = client.post(
            "/api/auth/signup", json={"email": "a@example.org", "name": "A", "password": "long password"}
        ).json()
        client.cookies.clear()
        token = signed["token"]
        batch = client.post("/api/campaigns/dc/batches", headers={"Authorization": f"Bearer {token}"}).json()
        held = [c["id"] for c in batch["contacts"]]
        yield World(client, standin, token, signed["user"]["id"], clean_redis, clock, held)


def test_call_places_the_voter_into_the_volunteers_conference(world: World) -> None:
    connect_phone(world)
    contact = world.contacts[0]
    r = world.dial(contact)
    assert r.status_code == 201, r.text
    sid = r.json()["call_sid"]
    assert r.json() == {"call_sid": sid, "dialing": True}
    (call,) = world.voter_calls()  # checked against Twilio's description by the stand-in
    phone = world.store().hget(keys.contact("dc", contact), "phone")
    assert call.get("To") == phone and call.get("From") == CAMPAIGN_NUMBER
    assert call.get("StatusCallback") == f"{PUBLIC_URL}/twilio/status?campaign_id=dc&contact_id={contact}"
    assert call.get("Url") is None and call.get("Timeout") == "30"
    twiml = call.get("Twiml") or ""
    assert f">dialer-dc-{world.volunteer}</Conference>" in twiml and 'endConferenceOnExit="false"' in twiml
    # The attempt is the carrier's CallSid, counted once; the result will carry it.
    attempt = world.store().hgetall(keys.attempt("dc", sid))
    assert attempt["volunteer"] == world.volunteer and attempt["contact_id"] == contact
    assert attempt["status"] == "initiated" and attempt["leg_sid"] == sid and attempt["mode"] == "preview"
    assert sid in world.store().zrange(keys.attempts("dc"), 0, -1)
    assert not [m for m in world.store().zrange(keys.attempts("dc"), 0, -1) if m.startswith("PD")]
    assert world.store().get(keys.call_of_contact("dc", world.volunteer, contact)) == sid
    assert world.store().hget(keys.contact("dc", contact), "dials") == "1"

    # Its callbacks move it as a browser call's do (once each, only forward).
    world.status(sid, contact, 0, "ringing")
    world.status(sid, contact, 1, "in-progress")
    world.status(sid, contact, 0, "ringing")  # late and repeated: changes nothing
    assert world.store().hget(keys.attempt("dc", sid), "status") == "in-progress"

    # Leave voicemail plays the campaign's message on the voter's leg.
    r = world.client.post(f"/api/campaigns/dc/calls/{sid}/voicemail", headers=world.auth())
    assert r.status_code == 202, r.text
    update = world.standin.requests[-1]
    assert update.path.endswith(f"/Calls/{sid}.json") and MESSAGE in (update.get("Twiml") or "")
    # Hang up ends the voter's leg, not the volunteer's.
    r = world.client.post(f"/api/campaigns/dc/calls/{sid}/hangup", headers=world.auth())
    assert r.status_code == 204
    hangup = world.standin.requests[-1]
    assert hangup.path.endswith(f"/Calls/{sid}.json") and hangup.get("Status") == "completed"
    world.status(sid, contact, 2, "completed", CallDuration="20")

    # The result carries the CallSid.
    result = {"contact_id": contact, "result": "voicemail", "idempotency_key": "k1"}
    r = world.client.post(
        f"/api/batches/{batch_of(world, contact)}/results", json=result, headers=world.auth()
    )
    assert r.status_code == 200, r.text


def batch_of(w: World, contact: str) -> str:
    return str(w.store().hget(keys.lease_of("dc"), contact))


def test_two_quick_clicks_place_one_call(world: World) -> None:
    connect_phone(world)
    contact = world.contacts[0]
    answers: list[Any] = []
    go = threading.Barrier(4)

    def click() -> None:
        go.wait()
        answers.append(world.dial(contact))

    threads = [threading.Thread(target=click) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status_code for r in answers)
    assert codes == [201, 409, 409, 409], [r.text for r in answers]
    refused = {r.json()["error"]["code"] for r in answers if r.status_code == 409}
    assert refused <= {"already_calling", "already_on_call"}
    assert len(world.voter_calls()) == 1
    assert world.store().hget(keys.contact("dc", contact), "dials") == "1"
    # Another contact while the first call is up: refused too (one call at a time on one phone).
    r = world.dial(world.contacts[1])
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_on_call"
    # Once it has ended, the next call may be placed.
    sid = next(r.json()["call_sid"] for r in answers if r.status_code == 201)
    world.status(sid, contact, 0, "no-answer")
    assert world.dial(world.contacts[1]).status_code == 201


def test_the_batch_dial_limit_is_counted_before_placing(world: World) -> None:
    connect_phone(world)
    contact = world.contacts[0]
    for seq in range(2):  # a dial and one redial within the batch
        r = world.dial(contact)
        assert r.status_code == 201, r.text
        world.status(r.json()["call_sid"], contact, seq, "busy")
    r = world.dial(contact)
    assert r.status_code == 409 and r.json()["error"]["code"] == "dial_limit"
    assert len(world.voter_calls()) == 2
    assert world.store().hget(keys.contact("dc", contact), "dials") == "2"


def test_a_carrier_refusal_gives_the_dial_back(world: World) -> None:
    connect_phone(world)
    contact = world.contacts[0]
    world.standin.fail_next(400, 21215, "Geo permission configuration is not permitting call")
    r = world.dial(contact)
    assert r.status_code == 502 and r.json()["error"]["code"] == "carrier_error"
    assert world.store().hget(keys.contact("dc", contact), "dials") == "0"
    assert world.store().hget(keys.contact("dc", contact), "batch_dials") == "0"
    assert not [m for m in world.store().zrange(keys.attempts("dc"), 0, -1) if m.startswith("PD")]
    assert world.store().get(keys.phone_call_placing("dc", world.volunteer)) is None
    assert world.dial(contact).status_code == 201  # nothing was used up or left locked


def refuse(w: World, contact: str, status: int, code: str) -> None:
    before = len(w.voter_calls())
    r = w.dial(contact)
    assert r.status_code == status and r.json()["error"]["code"] == code, r.text
    assert len(w.voter_calls()) == before  # nothing placed
    assert w.store().hget(keys.contact("dc", contact), "dials") in (None, "0")  # nothing counted


def test_guardrails_refuse_before_anything_is_placed(world: World) -> None:
    contact = world.contacts[0]
    refuse(world, contact, 409, "phone_not_connected")  # no leg yet
    connect_phone(world)
    not_mine = next(c for c in ["1", "2", "3", "4"] if c not in world.contacts)
    refuse(world, not_mine, 409, "not_held")
    refuse(world, "nobody", 404, "unknown_contact")
    world.clock[0] = THREE_AM_NEW_YORK
    refuse(world, contact, 409, "outside_calling_hours")
    world.clock[0] = NOON_NEW_YORK
    world.store().hset(keys.contact("dc", world.contacts[1]), "attempts", "3")
    refuse(world, world.contacts[1], 409, "max_attempts")
    phone = world.store().hget(keys.contact("dc", contact), "phone")
    assert world.client.post("/api/dnc", json={"phones": [phone]}, headers=ADMIN).status_code == 200
    refuse(world, contact, 409, "do_not_call")
    assert (
        world.client.patch("/api/campaigns/dc", json={"status": "paused"}, headers=ADMIN).status_code == 200
    )
    refuse(world, world.contacts[1], 409, "campaign_not_active")


@pytest.mark.parametrize(
    "body", [{}, {"contact_id": 5}, {"contact_id": "v1", "to": "+12025550150"}, {"contact_id": "x" * 65}]
)
def test_bad_bodies_get_422_and_place_nothing(world: World, body: dict[str, Any]) -> None:
    connect_phone(world)
    r = world.client.post("/api/campaigns/dc/phone-leg/calls", json=body, headers=world.auth())
    assert r.status_code == 422, r.text
    assert world.voter_calls() == []


def test_not_in_power_mode_nor_without_the_method(world: World) -> None:
    connect_phone(world)
    r = world.client.patch("/api/campaigns/dc", json={"calling_method": ["browser"]}, headers=ADMIN)
    assert r.status_code == 200, r.text
    refuse(world, world.contacts[0], 409, "method_not_offered")
    r = world.client.patch(
        "/api/campaigns/dc", json={"mode": "power", "calling_method": ["call_me"]}, headers=ADMIN
    )
    assert r.status_code == 200, r.text
    refuse(world, world.contacts[0], 409, "not_preview")
    assert (
        world.client.post("/api/campaigns/dc/phone-leg/calls", json={"contact_id": "v1"}).status_code == 401
    )


def test_a_dialed_in_phone_takes_preview_calls(world: World) -> None:
    body = {"calling_method": ["dial_in"], "inbound_number": CAMPAIGN_NUMBER}
    assert world.client.patch("/api/campaigns/dc", json=body, headers=ADMIN).status_code == 200
    refuse(world, world.contacts[0], 409, "phone_not_connected")
    r = world.client.post("/api/campaigns/dc/dial-in/pin", headers=world.auth())
    assert r.status_code == 201, r.text
    sid = "CA" + "d" * 32
    form = {
        "AccountSid": ACCOUNT,
        "CallSid": sid,
        "From": "+13125550142",
        "To": CAMPAIGN_NUMBER,
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "CallStatus": "in-progress",
    }
    r = world.webhook("/twilio/dial-in?campaign_id=dc", form)
    assert "<Gather" in r.text, r.text  # a preview campaign takes dial-in calls too
    r = world.webhook("/twilio/dial-in/pin?campaign_id=dc&attempt=1", {**form, "Digits": r_pin(world)})
    assert f">dialer-dc-{world.volunteer}</Conference>" in r.text
    assert world.store().hget(keys.dial_agent("dc", world.volunteer), "state") is None  # no dialing pool
    r = world.dial(world.contacts[0])
    assert r.status_code == 201, r.text
    (call,) = world.voter_calls()
    assert f">dialer-dc-{world.volunteer}</Conference>" in (call.get("Twiml") or "")


def r_pin(w: World) -> str:
    """The volunteer's current PIN, as their page shows it (a new one revokes the old)."""
    r = w.client.post("/api/campaigns/dc/dial-in/pin", headers=w.auth())
    return str(r.json()["pin"])


def test_a_call_whose_end_was_never_heard_stops_blocking_at_the_carriers_time_limit() -> None:
    started = {"status": "in-progress", "started_at": repr(NOON_NEW_YORK)}
    assert still_up(started, NOON_NEW_YORK + 60)
    assert still_up(started, NOON_NEW_YORK + CALL_TIME_LIMIT - 1)
    assert not still_up(started, NOON_NEW_YORK + CALL_TIME_LIMIT)  # Twilio has ended it by now
    assert not still_up({**started, "status": "completed"}, NOON_NEW_YORK + 60)
    assert not still_up(None, NOON_NEW_YORK)
