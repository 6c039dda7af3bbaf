""" "Call me" through the Twilio adapter: the volunteer's number verified by a code read in a call, the call
to that number alone, press 1 into their conference, and the leg's end. Every REST request goes to the
Twilio stand-in, which checks it against Twilio's own API description; every webhook is signed as Twilio
signs it, and replayed, late, forged or foreign ones change nothing."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue import keys
from dialer.telephony.twilio import TwilioCarrier
from tests.conftest import ADMIN
from tests.integration.test_webhooks import AUTH_TOKEN, NOON_NEW_YORK, PUBLIC_URL, sign, twilio_settings
from tests.stores import open_store
from tests.twilio_standin import Recorded, TwilioStandin

ACCOUNT = "AC" + "1" * 32
MINE = "+12025550142"
CAMPAIGN_NUMBER = "+12025550199"


@dataclass
class World:
    client: TestClient
    standin: TwilioStandin
    token: str
    volunteer: str
    other_token: str
    url: str
    clock: list[float]

    def auth(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def webhook(self, path_qs: str, form: dict[str, str], headers: dict[str, str] | None = None) -> Any:
        return self.client.post(path_qs, content=urlencode(form), headers=headers or sign(path_qs, form))

    def store(self) -> Any:
        return open_store(self.url, decode_responses=True)


@contextlib.contextmanager
def standin_app(clean_redis: str, tmp_path: Path) -> Iterator[tuple[TestClient, TwilioStandin, list[float]]]:
    """The app on the Twilio adapter, talking to the REST stand-in, with a settable clock (noon in New York)
    and the gotv script: what the call-me, dial-in and phone-dial tests start from."""
    settings = twilio_settings(clean_redis, tmp_path, twilio_api_base_url="https://twilio-standin.test")
    standin = TwilioStandin(ACCOUNT, ACCOUNT, AUTH_TOKEN)
    open_store(clean_redis).set(keys.script_latest("gotv"), 1)
    clock = [NOON_NEW_YORK]
    app = create_app(settings, clock=lambda: clock[0], carrier=TwilioCarrier(settings, standin.client()))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, standin, clock


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    with standin_app(clean_redis, tmp_path) as (client, standin, clock):
        body = {
            "id": "dc",
            "name": "DC",
            "script_id": "gotv",
            "caller_id": CAMPAIGN_NUMBER,
            "mode": "power",
            "calling_method": ["browser", "call_me"],
        }
        r = client.post("/api/campaigns", json=body, headers=ADMIN)
        assert r.status_code == 201, r.text
        users = []
        for email in ("a@example.org", "b@example.org"):
            r = client.post(
                "/api/auth/signup", json={"email": email, "name": "A", "password": "long password"}
            )
            users.append(r.json())
        client.cookies.clear()
        yield World(
            client, standin, users[0]["token"], users[0]["user"]["id"], users[1]["token"], clean_redis, clock
        )


def spoken_code(request: Recorded) -> str:
    digits = re.search(r"code is ((?:\d, ){5}\d)", request.get("Twiml") or "")
    assert digits, request.get("Twiml")
    return digits.group(1).replace(", ", "")


def verified(w: World, phone: str = MINE) -> None:
    r = w.client.put("/api/campaigns/dc/call-me/number", json={"phone": phone}, headers=w.auth())
    assert r.status_code == 202, r.text
    r = w.client.post(
        "/api/campaigns/dc/call-me/number/verify",
        json={"code": spoken_code(w.standin.requests[-1])},
        headers=w.auth(),
    )
    assert r.status_code == 200, r.text


def leg(w: World) -> dict[str, str]:
    return dict(w.store().hgetall(keys.phone_leg("dc", w.volunteer)))


def agent_state(w: World) -> str | None:
    return w.store().hget(keys.dial_agent("dc", w.volunteer), "state")


def form(sid: str, **more: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "CallSid": sid,
        "From": CAMPAIGN_NUMBER,
        "To": MINE,
        "Direction": "outbound-api",
        "ApiVersion": "2010-04-01",
        **more,
    }


def q(w: World, path: str) -> str:
    return f"{path}?campaign_id=dc&volunteer={w.volunteer}"


# ---- verification -----------------------------------------------------------------------------------------


def test_the_number_is_verified_by_a_code_read_in_a_call_and_shown_masked(world: World) -> None:
    r = world.client.put(
        "/api/campaigns/dc/call-me/number", json={"phone": "(202) 555-0142"}, headers=world.auth()
    )
    assert r.status_code == 202 and r.json()["verifying"] == "•••• •••0142"
    (call,) = world.standin.requests  # checked against Twilio's description by the stand-in
    assert call.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    assert call.get("To") == MINE and call.get("From") == CAMPAIGN_NUMBER
    assert (
        call.get("StatusCallback")
        == f"{PUBLIC_URL}/twilio/call-me/status?campaign_id=dc&volunteer={world.volunteer}&purpose=verify"
    )
    code = spoken_code(call)
    assert "<Say>" in (call.get("Twiml") or "") and (call.get("Twiml") or "").count(", ".join(code)) == 2
    assert world.store().hget(keys.user_phone(world.volunteer), "e164") is None  # not before the code
    assert code not in str(world.store().hgetall(keys.phone_check(world.volunteer)))  # kept as a digest only

    r = world.client.post(
        "/api/campaigns/dc/call-me/number/verify", json={"code": code}, headers=world.auth()
    )
    assert r.status_code == 200 and r.json() == {"number": "•••• •••0142"}
    assert world.store().hget(keys.user_phone(world.volunteer), "e164") == MINE
    view = world.client.get("/api/campaigns/dc/call-me", headers=world.auth()).json()
    assert view == {"offered": True, "number": "•••• •••0142", "verifying": None, "leg": None}
    assert MINE not in str(view)
    # The code worked once: it is gone.
    r = world.client.post(
        "/api/campaigns/dc/call-me/number/verify", json={"code": code}, headers=world.auth()
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_verification"


def test_wrong_codes_are_limited_and_an_expired_code_fails(world: World) -> None:
    url = "/api/campaigns/dc/call-me/number/verify"
    world.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=world.auth())
    code = spoken_code(world.standin.requests[-1])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        r = world.client.post(url, json={"code": wrong}, headers=world.auth())
        assert r.status_code == 422 and r.json()["error"]["code"] == "wrong_code"
    r = world.client.post(url, json={"code": wrong}, headers=world.auth())
    assert r.status_code == 409 and r.json()["error"]["code"] == "too_many_tries"
    r = world.client.post(url, json={"code": code}, headers=world.auth())
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_verification"  # the right one, too late
    assert world.store().hget(keys.user_phone(world.volunteer), "e164") is None

    world.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=world.auth())
    code = spoken_code(world.standin.requests[-1])
    world.clock[0] += 601
    r = world.client.post(url, json={"code": code}, headers=world.auth())
    assert r.status_code == 409 and r.json()["error"]["code"] == "code_expired"
    assert world.store().hget(keys.user_phone(world.volunteer), "e164") is None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"phone": "555"}, 422),
        ({"phone": "+18005550142"}, 422),
        ({"phone": "+442079460958"}, 422),
        ({"phone": MINE, "extra": 1}, 422),
        ({"phone": 12025550142}, 422),
        ({}, 422),
    ],
)
def test_bad_numbers_get_422_and_place_no_call(world: World, body: dict[str, Any], status: int) -> None:
    r = world.client.put("/api/campaigns/dc/call-me/number", json=body, headers=world.auth())
    assert r.status_code == status, r.text
    assert world.standin.requests == []
    assert not world.store().exists(keys.phone_check(world.volunteer))


def test_bad_codes_get_422(world: World) -> None:
    for code in ("12345", "1234567", "abcdef", "１２３４５６"):
        r = world.client.post(
            "/api/campaigns/dc/call-me/number/verify", json={"code": code}, headers=world.auth()
        )
        assert r.status_code == 422, code


def test_verification_calls_are_rate_limited(world: World) -> None:
    for i in range(5):  # five numbers: one number has a (lower) limit of its own
        assert (
            world.client.put(
                "/api/campaigns/dc/call-me/number", json={"phone": f"+1202555015{i}"}, headers=world.auth()
            ).status_code
            == 202
        )
    r = world.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=world.auth())
    assert r.status_code == 429 and len(world.standin.requests) == 5


def test_a_campaign_without_call_me_refuses(world: World) -> None:
    world.client.patch("/api/campaigns/dc", json={"calling_method": ["browser"]}, headers=ADMIN)
    world.client.cookies.clear()
    r = world.client.put("/api/campaigns/dc/call-me/number", json={"phone": MINE}, headers=world.auth())
    assert r.status_code == 409 and r.json()["error"]["code"] == "method_not_offered"
    assert world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).status_code == 409
    assert world.standin.requests == []


# ---- the call ---------------------------------------------------------------------------------------------


def test_call_me_rings_only_the_verified_number(world: World) -> None:
    r = world.client.post("/api/campaigns/dc/call-me", headers=world.auth())
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_verified_number"
    verified(world)
    r = world.client.post("/api/campaigns/dc/call-me", json={"phone": "+12025550143"}, headers=world.auth())
    assert r.status_code == 422  # the request cannot name a number
    r = world.client.post("/api/campaigns/dc/call-me", headers=world.auth())
    assert r.status_code == 201, r.text
    sid = r.json()["call_sid"]
    assert r.json() == {"call_sid": sid, "state": "calling", "number": "•••• •••0142"}
    call = world.standin.requests[-1]
    assert call.get("To") == MINE and call.get("From") == CAMPAIGN_NUMBER
    assert call.get("Url") == f"{PUBLIC_URL}/twilio/call-me/answer?campaign_id=dc&volunteer={world.volunteer}"
    assert call.get("Twiml") is None
    assert leg(world)["call_sid"] == sid and leg(world)["state"] == "calling"
    # One leg at a time.
    r = world.client.post("/api/campaigns/dc/call-me", headers=world.auth())
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_on_phone"
    # Another volunteer without a verified number of their own cannot have anyone called.
    r = world.client.post("/api/campaigns/dc/call-me", headers=world.auth(world.other_token))
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_verified_number"


def test_answer_press_one_joins_the_conference_and_hanging_up_leaves_the_pool(world: World) -> None:
    verified(world)
    sid = world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).json()["call_sid"]
    r = world.webhook(q(world, "/twilio/call-me/answer"), form(sid, CallStatus="in-progress"))
    assert r.status_code == 200
    assert '<Gather action="' in r.text and 'numDigits="1"' in r.text and "Press 1" in r.text
    assert f"{PUBLIC_URL}/twilio/call-me/press?campaign_id=dc&amp;volunteer={world.volunteer}" in r.text
    assert leg(world)["state"] == "answered" and agent_state(world) is None

    r = world.webhook(q(world, "/twilio/call-me/press"), form(sid, Digits="2"))
    assert "<Conference" not in r.text and "<Hangup" in r.text and agent_state(world) is None
    r = world.webhook(q(world, "/twilio/call-me/press"), form(sid, Digits="1"))
    assert f">dialer-dc-{world.volunteer}</Conference>" in r.text
    assert 'endConferenceOnExit="true"' in r.text
    assert leg(world)["state"] == "connected" and agent_state(world) == "ready"

    # A replayed press changes nothing and answers the same.
    again = world.webhook(q(world, "/twilio/call-me/press"), form(sid, Digits="1"))
    assert again.text == r.text and leg(world)["state"] == "connected"

    # A late "ringing" callback does not move the leg back.
    assert (
        world.webhook(
            q(world, "/twilio/call-me/status"), form(sid, CallStatus="ringing", SequenceNumber="1")
        ).status_code
        == 204
    )
    assert leg(world)["state"] == "connected"
    # Hanging up the phone: out of the pool, as a closed browser call.
    done = form(sid, CallStatus="completed", SequenceNumber="3", CallDuration="60")
    assert world.webhook(q(world, "/twilio/call-me/status"), done).status_code == 204
    assert leg(world)["state"] == "ended" and agent_state(world) in ("away", None)
    assert world.webhook(q(world, "/twilio/call-me/status"), done).status_code == 204  # replay
    # A new call may be placed now.
    assert world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).status_code == 201


def test_a_campaign_archived_while_the_phone_rang_puts_nobody_in_the_pool(world: World) -> None:
    """Archived, the campaign calls nobody (its status still reads active, for a restore): pressing 1 then
    would leave the volunteer waiting on a line for voters who are never dialed."""
    verified(world)
    sid = world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).json()["call_sid"]
    world.webhook(q(world, "/twilio/call-me/answer"), form(sid, CallStatus="in-progress"))
    r = world.client.patch("/api/campaigns/dc", json={"archived": True}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["status"] == "active", r.text
    r = world.webhook(q(world, "/twilio/call-me/press"), form(sid, Digits="1"))
    assert "<Conference" not in r.text and "<Hangup" in r.text and agent_state(world) is None


@pytest.mark.parametrize("tamper", ["forged", "unsigned", "other_volunteer_query", "host_header"])
def test_forged_leg_webhooks_get_403_and_change_nothing(world: World, tamper: str) -> None:
    verified(world)
    sid = world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).json()["call_sid"]
    path = q(world, "/twilio/call-me/press")
    body = form(sid, Digits="1")
    headers = sign(path, body)
    if tamper == "forged":
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif tamper == "unsigned":
        del headers["X-Twilio-Signature"]
    elif tamper == "other_volunteer_query":
        headers = sign("/twilio/call-me/press?campaign_id=dc&volunteer=someone-else", body)
    else:
        headers = {**sign(path, body), "Host": "evil.example", "X-Forwarded-Host": "evil.example"}
        headers["X-Twilio-Signature"] = sign("/twilio/call-me/press?x=1", body)["X-Twilio-Signature"]
    r = world.webhook(path, body, headers)
    assert r.status_code == 403
    assert leg(world)["state"] == "calling" and agent_state(world) is None


def test_webhooks_about_another_leg_change_nothing(world: World) -> None:
    verified(world)
    sid = world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).json()["call_sid"]
    stale = "CA" + "e" * 32
    r = world.webhook(q(world, "/twilio/call-me/press"), form(stale, Digits="1"))
    assert r.status_code == 200 and "<Conference" not in r.text and "<Hangup" in r.text
    r = world.webhook(q(world, "/twilio/call-me/answer"), form(stale, CallStatus="in-progress"))
    assert "<Gather" not in r.text
    world.webhook(q(world, "/twilio/call-me/status"), form(stale, CallStatus="completed"))
    assert leg(world) | {"since": ""} == leg(world) | {"call_sid": sid, "state": "calling", "since": ""}
    # Out of order: the end arrives before the answer; the answer then asks nothing of anyone.
    world.webhook(q(world, "/twilio/call-me/status"), form(sid, CallStatus="no-answer", SequenceNumber="2"))
    assert leg(world)["state"] == "ended"
    r = world.webhook(q(world, "/twilio/call-me/press"), form(sid, Digits="1"))
    assert leg(world)["state"] == "ended" and agent_state(world) is None
    r = world.webhook(q(world, "/twilio/call-me/status"), {"CallSid": "nope"})
    assert r.status_code == 400


def test_call_me_rings_at_most_30_times_an_hour(world: World) -> None:
    verified(world)
    for n in range(30):  # call, hang up, call again: a phone rung in a loop
        r = world.client.post("/api/campaigns/dc/call-me", headers=world.auth())
        assert r.status_code == 201, (n, r.text)
        done = form(r.json()["call_sid"], CallStatus="completed", SequenceNumber="1", CallDuration="0")
        assert world.webhook(q(world, "/twilio/call-me/status"), done).status_code == 204
    placed = len(world.standin.requests)
    r = world.client.post("/api/campaigns/dc/call-me", headers=world.auth())
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_calls"
    assert len(world.standin.requests) == placed and leg(world)["state"] == "ended"
    world.clock[0] += 3600  # the next hour
    assert world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).status_code == 201


def test_the_page_hangs_up_the_phone(world: World) -> None:
    assert world.client.delete("/api/campaigns/dc/call-me", headers=world.auth()).status_code == 404
    verified(world)
    sid = world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).json()["call_sid"]
    assert world.client.delete("/api/campaigns/dc/call-me", headers=world.auth()).status_code == 204
    hangup = world.standin.requests[-1]
    assert hangup.path.endswith(f"/Calls/{sid}.json") and hangup.get("Status") == "completed"


def test_the_carrier_refusing_leaves_no_leg(world: World) -> None:
    verified(world)
    world.standin.fail_next(400, 21215, "Geo permission configuration is not permitting call")
    r = world.client.post("/api/campaigns/dc/call-me", headers=world.auth())
    assert r.status_code == 502 and r.json()["error"]["code"] == "carrier_error"
    assert leg(world) == {}
    assert world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).status_code == 201


def test_call_me_refuses_an_archived_campaign_to_an_organizer_too(world: World) -> None:
    """Volunteers no longer see an archived campaign, but an organizer does, and call-me went by its status
    (still active, for a restore): their phone rang for a campaign whose pacer dials nobody."""
    r = world.client.put(f"/api/users/{world.volunteer}/role", json={"role": "organizer"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    verified(world)
    calls = len(world.standin.requests)
    world.client.patch("/api/campaigns/dc", json={"archived": True}, headers=ADMIN)
    r = world.client.post("/api/campaigns/dc/call-me", headers=world.auth())
    assert r.status_code == 409 and r.json()["error"]["code"] == "campaign_paused", r.text
    assert "archived" in r.json()["error"]["message"] and "restores" in r.json()["error"]["message"]
    assert len(world.standin.requests) == calls and leg(world) == {}
    world.client.patch("/api/campaigns/dc", json={"archived": False}, headers=ADMIN)
    assert world.client.post("/api/campaigns/dc/call-me", headers=world.auth()).status_code == 201
