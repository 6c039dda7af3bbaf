"""Dial-in through the Twilio adapter's webhooks, signed as Twilio signs them: a PIN from the call page, the
inbound number's Gather, wrong PINs (logged, audited, three then hang-up), the right one once and for its
own campaign only, repeated and out-of-order deliveries, and the caller hanging up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dialer.queue import keys
from tests.conftest import ADMIN
from tests.integration.test_call_me import ACCOUNT, World, agent_state, leg, standin_app
from tests.integration.test_webhooks import PUBLIC_URL

INBOUND = "+12025550199"
CALLER = "+13125550142"
SID = "CA" + "d" * 32


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    with standin_app(clean_redis, tmp_path) as (client, standin, clock):
        for cid in ("dc", "md"):
            body = {
                "id": cid,
                "name": cid.upper(),
                "script_id": "gotv",
                "caller_id": INBOUND,
                "mode": "power",
                "calling_method": ["browser", "dial_in"],
                "inbound_number": INBOUND,
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


def pin(w: World, campaign: str = "dc", token: str | None = None) -> str:
    r = w.client.post(f"/api/campaigns/{campaign}/dial-in/pin", headers=w.auth(token))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["number"] == INBOUND and body["expires_in"] == 600 and len(body["pin"]) == 6
    return str(body["pin"])


def inbound(sid: str = SID, **more: str) -> dict[str, str]:
    return {
        "AccountSid": ACCOUNT,
        "CallSid": sid,
        "From": CALLER,
        "To": INBOUND,
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "CallStatus": "in-progress",
        **more,
    }


def typed(w: World, digits: str, attempt: int, campaign: str = "dc", sid: str = SID) -> Any:
    path = f"/twilio/dial-in/pin?campaign_id={campaign}&attempt={attempt}"
    return w.webhook(path, inbound(sid, Digits=digits))


def audit_actions(w: World) -> list[str]:
    return [fields["action"] for _, fields in w.store().xrange(keys.audit("dc"))]


def test_the_inbound_number_asks_for_the_pin(world: World) -> None:
    r = world.webhook("/twilio/dial-in?campaign_id=dc", inbound(CallStatus="ringing"))
    assert r.status_code == 200 and 'numDigits="6"' in r.text and "Enter the 6-digit PIN" in r.text
    assert f"{PUBLIC_URL}/twilio/dial-in/pin?campaign_id=dc&amp;attempt=1" in r.text
    # Another number, or a campaign that does not offer dial-in: a goodbye.
    r = world.webhook("/twilio/dial-in?campaign_id=dc", {**inbound(), "To": "+12025550143"})
    assert "<Gather" not in r.text and "<Hangup" in r.text
    world.client.patch("/api/campaigns/dc", json={"status": "paused"}, headers=ADMIN)
    r = world.webhook("/twilio/dial-in?campaign_id=dc", inbound())
    assert "<Gather" not in r.text and "<Hangup" in r.text


def test_an_archived_campaigns_number_takes_no_volunteer(world: World) -> None:
    """Archived, the campaign calls nobody (its status still reads active, for a restore): a volunteer
    dialing in would wait in a pool that is never dialed for."""
    r = world.client.patch("/api/campaigns/dc", json={"archived": True}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["status"] == "active", r.text
    r = world.webhook("/twilio/dial-in?campaign_id=dc", inbound())
    assert "<Gather" not in r.text and "<Hangup" in r.text


def test_the_right_pin_connects_once_and_the_caller_hanging_up_leaves_the_pool(world: World) -> None:
    code = pin(world)
    r = typed(world, code, 1)
    assert f">dialer-dc-{world.volunteer}</Conference>" in r.text
    assert leg(world)["call_sid"] == SID and leg(world)["state"] == "connected"
    assert agent_state(world) == "ready"
    assert typed(world, code, 1).text == r.text  # a repeated delivery: the same answer, nothing more
    # The PIN worked once: another call typing it gets nothing.
    other = "CA" + "f" * 32
    r = typed(world, code, 1, sid=other)
    assert "<Conference" not in r.text and "not right" in r.text
    # The caller hangs up: the leg ends and they leave the pool; a replay changes nothing.
    done = inbound(CallStatus="completed", CallDuration="60")
    assert world.webhook("/twilio/dial-in/status?campaign_id=dc", done).status_code == 204
    assert leg(world)["state"] == "ended" and agent_state(world) in ("away", None)
    assert world.webhook("/twilio/dial-in/status?campaign_id=dc", done).status_code == 204
    assert (
        world.webhook("/twilio/dial-in/status?campaign_id=dc", inbound(CallStatus="ringing")).status_code
        == 204
    )
    assert leg(world)["state"] == "ended"


def test_three_wrong_pins_hang_up_and_are_audited(world: World) -> None:
    code = pin(world)
    wrong = "000000" if code != "000000" else "111111"
    r = typed(world, wrong, 1)
    assert "not right" in r.text and "attempt=2" in r.text and "<Gather" in r.text
    assert typed(world, wrong, 1).text == r.text  # a repeated delivery counts nothing
    r = typed(world, "12", 2)  # too short: wrong too
    assert "attempt=3" in r.text
    r = typed(world, wrong, 3)
    assert "<Gather" not in r.text and "<Hangup" in r.text
    assert audit_actions(world) == ["dial_in_wrong_pin"] * 3
    # No fourth round, even with the right PIN; and the PIN itself is still good for a new call.
    r = typed(world, code, 4)
    assert "<Conference" not in r.text and agent_state(world) is None
    assert f">dialer-dc-{world.volunteer}</Conference>" in typed(world, code, 1, sid="CA" + "9" * 32).text


def test_a_pin_is_for_its_campaign_its_ten_minutes_and_until_a_new_one(world: World) -> None:
    code = pin(world)
    r = typed(world, code, 1, campaign="md")  # another campaign's inbound call
    assert "<Conference" not in r.text
    newer = pin(world)
    assert "<Conference" not in typed(world, code, 1, sid="CA" + "1" * 32).text or code == newer
    world.clock[0] += 601
    r = typed(world, newer, 1, sid="CA" + "2" * 32)
    assert "<Conference" not in r.text and agent_state(world) is None


def test_forged_pin_webhooks_change_nothing(world: World) -> None:
    code = pin(world)
    path = "/twilio/dial-in/pin?campaign_id=dc&attempt=1"
    body = inbound(Digits=code)
    for headers in (
        {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl", "Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "application/x-www-form-urlencoded"},
    ):
        assert world.webhook(path, body, headers).status_code == 403
    assert agent_state(world) is None and leg(world) == {}
    assert f">dialer-dc-{world.volunteer}</Conference>" in typed(world, code, 1).text  # the PIN still works


def test_pins_only_where_dial_in_is_offered(world: World) -> None:
    world.client.patch("/api/campaigns/md", json={"calling_method": ["browser"]}, headers=ADMIN)
    world.client.cookies.clear()
    r = world.client.post("/api/campaigns/md/dial-in/pin", headers=world.auth())
    assert r.status_code == 409 and r.json()["error"]["code"] == "method_not_offered"
    assert world.client.post("/api/campaigns/dc/dial-in/pin").status_code == 401


def test_a_second_phone_replaces_the_first_which_is_hung_up(world: World) -> None:
    assert f">dialer-dc-{world.volunteer}</Conference>" in typed(world, pin(world), 1).text
    second = "CA" + "e" * 32
    assert f">dialer-dc-{world.volunteer}</Conference>" in typed(world, pin(world), 1, sid=second).text
    assert leg(world)["call_sid"] == second and leg(world)["state"] == "connected"
    # The first phone is hung up (checked against Twilio's description by the stand-in), not left in the
    # conference beside the second; its late "completed" then changes nothing.
    hung = [r for r in world.standin.requests if r.path.endswith(f"/Calls/{SID}.json")]
    assert [r.get("Status") for r in hung] == ["completed"]
    done = inbound(CallStatus="completed", CallDuration="60")
    assert world.webhook("/twilio/dial-in/status?campaign_id=dc", done).status_code == 204
    assert leg(world)["call_sid"] == second and leg(world)["state"] == "connected"
    assert agent_state(world) == "ready"
