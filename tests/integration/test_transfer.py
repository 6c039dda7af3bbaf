"""Warm transfer through the API against a real Redis and the Twilio stand-in (every request checked
against Twilio's API description): the staff line dialed into the volunteer's conference, its signed
status callbacks (repeated, out of order, forged), the voter and staff moved into their own room when the
staff member answers, the volunteer freed, and saving the result not hanging the voter up."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.connections import async_client
from dialer.dialing.agents import agent, set_ready
from dialer.dialing.bridge import apply_verdict
from dialer.queue import keys
from dialer.queue.roster import Roster
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.twilio import TwilioCarrier
from dialer.web.call_end import end_call_after_result
from tests.conftest import ADMIN, bearer
from tests.integration.dialing_support import FakeCarrier, add_contacts, pacer
from tests.integration.test_coaching import ACCOUNT, next_of
from tests.integration.test_webhooks import AUTH_TOKEN, sign, twilio_settings
from tests.stores import audit_entries
from tests.twilio_standin import TwilioStandin
from tests.unit.test_transfers import RIDES, SCRIPT

LEGAL = {"name": "Legal", "phone": "+13125550101"}


@dataclass
class World:
    client: TestClient
    standin: TwilioStandin
    url: str
    volunteer: str
    token: str
    voter: str
    contact: str


async def _bridge(url: str, volunteer: str) -> tuple[str, str]:
    """What the pacer and the carrier do: the volunteer is ready, a line is dialed, a person answers."""
    redis = async_client(url)
    try:
        await add_contacts(redis, "rc", 2)
        await Roster(redis, "rc").join(volunteer, state="waiting", name="Vol", team="", now=time.time())
        await set_ready(redis, "rc", volunteer, True, now=time.time(), lease_seconds=1800)
        campaign = await CampaignStore(redis).get("rc")
        assert campaign is not None
        carrier = FakeCarrier()
        await pacer(redis, carrier, "rc").dial(campaign, 1, time.time())
        reply = await apply_verdict(redis, campaign, carrier.sids[0], "human", now=time.time())
        assert reply[0] == "bridged" and reply[1] == volunteer, reply
        return carrier.sids[0], reply[2]
    finally:
        await redis.aclose()


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    settings = twilio_settings(clean_redis, tmp_path)
    standin = TwilioStandin(ACCOUNT, ACCOUNT, AUTH_TOKEN)
    app = create_app(settings, clock=time.time, carrier=TwilioCarrier(settings, standin.client()))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.post("/api/scripts", content=SCRIPT, headers={**ADMIN, "Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        body = {"id": "rc", "name": "Rides", "script_id": "rides", "caller_id": "+12025550199",
                "mode": "power", "transfer_targets": [RIDES, LEGAL]}  # fmt: skip
        assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        r = client.post(
            "/api/auth/signup", json={"email": "v@example.org", "name": "Vee", "password": "long password"}
        )
        client.cookies.clear()
        volunteer, token = r.json()["user"]["id"], r.json()["token"]
        voter, contact = asyncio.run(_bridge(clean_redis, volunteer))
        # The voter's leg, as Twilio knows it (the pacer placed it).
        standin.calls[voter] = standin._call(voter, {"From": "+12025550199", "To": "+13125550100"})
        yield World(client, standin, clean_redis, volunteer, token, voter, contact)


def start(w: World, target: str = "Rides desk", contact: str | None = None) -> Any:
    body = {"contact_id": contact or w.contact, "target": target}
    return w.client.post("/api/campaigns/rc/transfers", json=body, headers=bearer(w.token))


def callback(w: World, staff: str, status: str, *, forged: bool = False) -> int:
    path = f"/twilio/transfer?campaign_id=rc&call_sid={w.voter}"
    form = {"AccountSid": ACCOUNT, "CallSid": staff, "CallStatus": status, "ApiVersion": "2010-04-01",
            "Direction": "outbound-api", "From": "+12025550199", "To": RIDES["phone"]}  # fmt: skip
    headers = sign(path, {**form, "CallStatus": "ringing"} if forged else form)
    return w.client.post(path, content=urlencode(form), headers=headers).status_code


def agent_state(w: World) -> str:
    async def read() -> str:
        redis = async_client(w.url)
        try:
            found = await agent(redis, "rc", w.volunteer)
            return found.state.value if found else ""
        finally:
            await redis.aclose()

    return asyncio.run(read())


def test_the_staff_member_answers_and_the_volunteer_drops(world: World) -> None:
    w, c = world, world.client
    c.portal.call(c.app.state.deps.services["call_hub"].ready.wait)  # type: ignore[attr-defined, union-attr]
    with c.websocket_connect(f"/ws/call/rc?token={w.token}") as ws:
        assert ws.receive_json()["type"] == "campaign"
        r = start(w)
        assert r.status_code == 201 and r.json() == {"contact_id": w.contact, "target": "Rides desk",
                                                      "status": "ringing"}, r.text  # fmt: skip
        (create,) = [r for r in w.standin.requests if r.path.endswith("/Participants.json")]
        assert create.path.endswith(f"/Conferences/dialer-rc-{w.volunteer}/Participants.json")
        assert (create.get("To"), create.get("Label"), create.get("EndConferenceOnExit")) == (
            RIDES["phone"], "transfer", "false")  # fmt: skip
        staff = w.standin.participant(next(iter(w.standin.participants))[1])["call_sid"]
        ringing = {"type": "transfer", "contact_id": w.contact, "target": "Rides desk", "status": "ringing"}
        assert next_of(ws, "transfer") == ringing
        assert start(w).status_code == 200  # the same request again starts nothing new
        assert start(w, "Legal").status_code == 409  # one transfer per voter
        assert callback(w, staff, "in-progress", forged=True) == 403
        assert callback(w, "CA" + "9" * 32, "in-progress") == 204  # another leg: nothing
        assert callback(w, staff, "ringing") == 204
        assert agent_state(w) == "talking"
        sent = len(w.standin.requests)
        assert callback(w, staff, "in-progress") == 204  # answered
        moved = w.standin.requests[sent:]
        assert {r.path.rsplit("/", 1)[1] for r in moved} == {f"{w.voter}.json", f"{staff}.json"}
        assert all(f"dialer-transfer-{w.voter}" in (r.get("Twiml") or "") for r in moved)
        assert next_of(ws, "transfer")["status"] == "answered"
        assert agent_state(w) == "wrap_up"  # free for the next voter once the result is saved
        for status in ("in-progress", "completed", "no-answer"):  # repeated, late: nothing more
            assert callback(w, staff, status) == 204
        assert len(w.standin.requests) == sent + 2

    async def saved() -> tuple[bool, list[str]]:
        redis = async_client(w.url)
        try:
            hung = await end_call_after_result(c.app.state.deps, "rc", w.volunteer, w.contact, w.voter)  # type: ignore[attr-defined]
            return hung, await redis.lrange(keys.dial_actions("rc"), 0, -1)
        finally:
            await redis.aclose()

    hung, actions = c.portal.call(saved)  # type: ignore[union-attr]
    assert not hung and not any(a.startswith("hangup|") for a in actions)  # the voter talks with staff
    # Audited: who handed which voter to whom, and how it ended (once, however often Twilio repeats).
    log = [(e["action"], e["user"], e["detail"]["target"], e["detail"]["contact_id"]) for e in audit_log(w)]
    assert log == [("transfer_start", w.volunteer, "Rides desk", w.contact),
                   ("transfer_answered", w.volunteer, "Rides desk", w.contact)]  # fmt: skip


def audit_log(w: World) -> list[dict[str, Any]]:
    return audit_entries(w.url, "rc")


def test_a_failed_staff_line_leaves_the_voter_with_the_volunteer(world: World) -> None:
    w = world
    assert start(w).status_code == 201
    staff = next(iter(w.standin.participants))[1]
    sent = len(w.standin.requests)
    assert callback(w, staff, "no-answer") == 204
    assert callback(w, staff, "in-progress") == 204  # out of order after the end: nothing
    assert len(w.standin.requests) == sent and agent_state(w) == "talking"


def test_bad_transfers_change_nothing(world: World) -> None:
    w = world
    for target, contact, status, code in (
        ("Nobody", None, 422, "validation_error"),  # not on the campaign's list
        ("Rides desk", "someone-else", 409, "not_on_call"),
    ):
        r = start(w, target, contact)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    r = w.client.post("/api/campaigns/rc/transfers", json={"target": "Rides desk"}, headers=bearer(w.token))
    assert r.status_code == 422
    for body, path in (
        ({"contact_id": w.contact}, "target"),
        ({"contact_id": "x" * 10_000, "target": "Rides desk"}, "contact_id"),
    ):
        r = w.client.post("/api/campaigns/rc/transfers", json=body, headers=bearer(w.token))
        assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == path, r.text
        assert "None" not in r.json()["error"]["details"][0]["message"]
    w.standin.fail_next(400, 21211, "The 'To' number is not a valid phone number.")
    assert start(w).status_code == 502
    assert start(w).status_code == 201  # the failure kept nothing: a retry goes through
