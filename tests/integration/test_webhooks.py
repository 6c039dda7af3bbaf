"""Twilio webhooks against a real Redis, signed exactly as Twilio signs them (twilio's RequestValidator)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from dialer.app import create_app
from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.queue.lease import Batch, LeaseQueue
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.stores import open_store

AUTH_TOKEN = "twilio-auth-token-for-tests"
PUBLIC_URL = "https://calls.example.org"
NOON_NEW_YORK = datetime(2026, 11, 25, 17, 0, tzinfo=UTC).timestamp()
THREE_AM_NEW_YORK = datetime(2026, 11, 25, 8, 0, tzinfo=UTC).timestamp()
PHONES = ["+12025550101", "+12025550102", "+12025550103"]


@dataclass
class World:
    client: TestClient
    clock: list[float]
    campaign_id: str
    volunteer: str
    other: str
    batch: Batch
    url: str


def sign(path_qs: str, params: dict[str, str]) -> dict[str, str]:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC_URL + path_qs, params)
    return {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}


def post(w: World, path_qs: str, params: dict[str, str], headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return w.client.post(path_qs, content=urlencode(params), headers=headers or sign(path_qs, params))


async def _setup(url: str, campaign_id: str, volunteer: str, other: str) -> Batch:
    client = async_client(url)
    try:
        queue = LeaseQueue(client)
        contacts = [
            Contact(phone=p, timezone="America/New_York", first_name=f"Voter{i}")
            for i, p in enumerate(PHONES)
        ]
        await queue.add_contacts(campaign_id, contacts, NOON_NEW_YORK)
        batch = await queue.claim(
            campaign_id,
            volunteer,
            batch_size=2,
            lease_seconds=1800,
            open_zones=["America/New_York"],
            now=NOON_NEW_YORK,
            max_attempts=3,
        )
        assert isinstance(batch, Batch)
        other_batch = await queue.claim(
            campaign_id,
            other,
            batch_size=1,
            lease_seconds=1800,
            open_zones=["America/New_York"],
            now=NOON_NEW_YORK,
            max_attempts=3,
        )
        assert isinstance(other_batch, Batch)
        return batch
    finally:
        await client.aclose()


def twilio_settings(redis_url: str, data_dir: Path, **overrides: Any) -> Settings:
    """An app on Twilio as these tests sign for it: PUBLIC_URL, the test account and auth token."""
    base: dict[str, Any] = {
        "redis_url": redis_url, "data_dir": data_dir, "secret_key": "s", "admin_token": ADMIN_TOKEN,
        "public_url": PUBLIC_URL, "carrier": "twilio", "twilio_account_sid": "AC" + "1" * 32,
        "twilio_auth_token": AUTH_TOKEN, "twilio_twiml_app_sid": "AP" + "2" * 32,
    }  # fmt: skip
    return Settings(**{**base, **overrides})


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    settings = twilio_settings(clean_redis, tmp_path, twilio_api_base_url="http://127.0.0.1:9")
    clock = [NOON_NEW_YORK]
    open_store(clean_redis).set(keys.script_latest("gotv"), 1)
    with TestClient(create_app(settings, clock=lambda: clock[0]), raise_server_exceptions=False) as client:
        r = client.post(
            "/api/campaigns",
            json={"id": "dc", "name": "DC", "script_id": "gotv", "caller_id": "+12025550199"},
            headers=ADMIN,
        )
        assert r.status_code == 201, r.text
        ids = []
        for email in ("a@example.org", "b@example.org"):
            r = client.post(
                "/api/auth/signup", json={"email": email, "name": email[0], "password": "long password"}
            )
            ids.append(r.json()["user"]["id"])
        client.cookies.clear()
        batch = asyncio.run(_setup(clean_redis, "dc", ids[0], ids[1]))
        yield World(client, clock, "dc", ids[0], ids[1], batch, clean_redis)


def voice_form(
    w: World, contact_id: str, identity: str | None = None, sid: str = "CA" + "a" * 32
) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "1" * 32,
        "CallSid": sid,
        "From": f"client:{identity or w.volunteer}",
        "To": "",
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": "2010-04-01",
        "contact_id": contact_id,
        "campaign_id": w.campaign_id,
    }


def test_voice_dials_a_held_contact_with_callbacks(world: World) -> None:
    contact = world.batch.contacts[0]
    r = post(world, "/twilio/voice", voice_form(world, contact.id))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    body = r.text
    assert "<Dial" in body and 'callerId="+12025550199"' in body and 'answerOnBridge="true"' in body
    assert f">{contact.phone}</Number>" in body
    assert 'statusCallbackEvent="initiated ringing answered completed"' in body
    assert f"{PUBLIC_URL}/twilio/status?campaign_id=dc&amp;contact_id={contact.id}" in body
    attempt = asyncio.run(_attempt(world, "CA" + "a" * 32))
    assert attempt and attempt["contact_id"] == contact.id and attempt["volunteer"] == world.volunteer


@pytest.mark.parametrize(
    "tamper",
    ["forged", "unsigned", "wrong_url", "changed_param", "host_header"],
)
def test_bad_signatures_get_403_and_change_nothing(world: World, tamper: str) -> None:
    contact = world.batch.contacts[0]
    form = voice_form(world, contact.id)
    headers = sign("/twilio/voice", form)
    if tamper == "forged":
        headers["X-Twilio-Signature"] = "bm90IGEgc2lnbmF0dXJl"
    elif tamper == "unsigned":
        del headers["X-Twilio-Signature"]
    elif tamper == "wrong_url":
        headers = sign("/twilio/voice?x=1", form)
    elif tamper == "changed_param":
        headers = sign("/twilio/voice", {**form, "contact_id": "999"})
    elif tamper == "host_header":
        # Signed for the URL the forger controls; Host/X-Forwarded headers must not decide the URL.
        validator = RequestValidator(AUTH_TOKEN)
        headers = {
            "X-Twilio-Signature": validator.compute_signature("http://evil.example/twilio/voice", form),
            "Content-Type": "application/x-www-form-urlencoded",
            "Host": "evil.example",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Proto": "http",
        }
    r = post(world, "/twilio/voice", form, headers)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "invalid_signature"
    assert asyncio.run(_attempt(world, form["CallSid"])) is None


def test_contact_the_caller_does_not_hold_is_refused(world: World) -> None:
    not_mine = next(c for c in ["1", "2", "3"] if c not in {x.id for x in world.batch.contacts})
    r = post(world, "/twilio/voice", voice_form(world, not_mine))
    assert "<Dial" not in r.text and "<Hangup" in r.text and "not in your list" in r.text
    r = post(world, "/twilio/voice", voice_form(world, "no-such-contact"))
    assert "<Dial" not in r.text and "<Hangup" in r.text


def test_outside_calling_hours_is_refused(world: World) -> None:
    world.clock[0] = THREE_AM_NEW_YORK
    r = post(world, "/twilio/voice", voice_form(world, world.batch.contacts[0].id))
    assert "<Dial" not in r.text and "outside calling hours" in r.text


def test_dnc_number_is_refused_at_dial_time(world: World) -> None:
    contact = world.batch.contacts[0]
    open_store(world.url).sadd("dialer:dnc", contact.phone)
    r = post(world, "/twilio/voice", voice_form(world, contact.id))
    assert "<Dial" not in r.text and "do not call" in r.text


def test_paused_campaign_is_refused(world: World) -> None:
    world.client.patch("/api/campaigns/dc", json={"status": "paused"}, headers=ADMIN)
    r = post(world, "/twilio/voice", voice_form(world, world.batch.contacts[0].id))
    assert "<Dial" not in r.text and "paused" in r.text


def test_a_campaign_of_own_phones_gets_no_call_placed(world: World) -> None:
    r = world.client.patch("/api/campaigns/dc", json={"calling_method": ["own_phone"]}, headers=ADMIN)
    assert r.status_code == 200, r.text
    r = post(world, "/twilio/voice", voice_form(world, world.batch.contacts[0].id))
    assert "<Dial" not in r.text and "<Hangup" in r.text and "your own phone" in r.text
    assert asyncio.run(_attempt(world, "CA" + "a" * 32)) is None  # no attempt counted: nothing dialed


def status_form(seq: int, status: str, **extra: str) -> dict[str, str]:
    return {
        "AccountSid": "AC" + "1" * 32,
        "CallSid": "CA" + "c" * 32,
        "ParentCallSid": "CA" + "a" * 32,
        "CallStatus": status,
        "SequenceNumber": str(seq),
        "ApiVersion": "2010-04-01",
        **extra,
    }


def test_status_callbacks_out_of_order_and_repeated(world: World) -> None:
    contact = world.batch.contacts[0]
    post(world, "/twilio/voice", voice_form(world, contact.id))
    path = f"/twilio/status?campaign_id=dc&contact_id={contact.id}"
    assert post(world, path, status_form(0, "initiated")).status_code == 204
    assert post(world, path, status_form(3, "completed", CallDuration="42")).status_code == 204
    assert post(world, path, status_form(2, "in-progress")).status_code == 204  # late
    assert post(world, path, status_form(1, "ringing")).status_code == 204  # later still
    assert post(world, path, status_form(3, "completed", CallDuration="42")).status_code == 204  # retried
    attempt = asyncio.run(_attempt(world, "CA" + "a" * 32))
    assert attempt is not None
    assert attempt["status"] == "completed" and attempt["duration"] == "42"
    assert attempt["leg_sid"] == "CA" + "c" * 32
    assert "answered_at" not in attempt  # in-progress came after completed: it changed nothing


def test_amd_callback_records_answered_by(world: World) -> None:
    contact = world.batch.contacts[0]
    post(world, "/twilio/voice", voice_form(world, contact.id))
    path = f"/twilio/amd?campaign_id=dc&contact_id={contact.id}"
    form = {
        "AccountSid": "AC" + "1" * 32,
        "CallSid": "CA" + "a" * 32,
        "AnsweredBy": "machine_end_beep",
        "MachineDetectionDuration": "3200",
    }
    assert post(world, path, form).status_code == 204
    assert asyncio.run(_attempt(world, "CA" + "a" * 32))["answered_by"] == "machine_end_beep"  # type: ignore[index]


def test_malformed_and_unsigned_bodies(world: World) -> None:
    path = "/twilio/status?campaign_id=dc&contact_id=1"
    r = world.client.post(
        path, content=b"\xff\xfe", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code in (400, 403)
    r = world.client.post(path, json={"CallSid": "x"})
    assert r.status_code == 415
    r = post(world, path, {"AccountSid": "AC" + "1" * 32})  # signed, but no CallSid
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_webhook"


async def _attempt(w: World, sid: str) -> dict[str, str] | None:
    client = async_client(w.url)
    try:
        return await AttemptStore(client).get(w.campaign_id, sid)
    finally:
        await client.aclose()


def test_voice_url_routes_a_volunteers_conference_leg(world: World) -> None:
    form = {**voice_form(world, ""), "leg": "agent"}
    del form["contact_id"]
    r = post(world, "/twilio/voice", form)
    assert "<Conference" not in r.text and "<Hangup" in r.text  # a preview campaign dials nothing for you
    world.client.patch("/api/campaigns/dc", json={"mode": "power"}, headers=ADMIN)
    r = post(world, "/twilio/voice", form)
    assert r.status_code == 200 and "<Conference" in r.text and f"dialer-dc-{world.volunteer}" in r.text


def test_callbacks_answer_with_the_headers_and_errors_of_every_other_route(world: World) -> None:
    """Status and AMD callbacks take a fast lane past the Starlette stack (web/webhook_lane.py); what a
    client sees is the same: the security headers and no-store, API.md's error shape, the same limits."""
    contact = world.batch.contacts[0]
    post(world, "/twilio/voice", voice_form(world, contact.id))
    path = f"/twilio/status?campaign_id=dc&contact_id={contact.id}"
    ok = post(world, path, status_form(1, "ringing"))
    health = world.client.get("/healthz")
    assert ok.status_code == 204
    for name in ("cache-control", "x-frame-options", "x-content-type-options", "content-security-policy",
                 "strict-transport-security"):  # fmt: skip
        assert ok.headers[name] == health.headers[name], name
    big = {"AccountSid": "AC" + "1" * 32, "CallSid": "CA" + "a" * 32, "Junk": "x" * 70_000}
    r = post(world, path, big)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    forged = post(world, path, status_form(2, "in-progress"), headers={**sign(path, {}),
                  "X-Twilio-Signature": "AAAA"})  # fmt: skip
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "invalid_signature"
    assert forged.headers["cache-control"] == "no-store"
    assert world.client.get(path).status_code == 405  # only POST takes the lane; the router answers the rest


def test_a_callback_while_redis_is_down_gets_503_and_can_be_retried(tmp_path: Path) -> None:
    settings = Settings(
        redis_url="redis://127.0.0.1:9/0", data_dir=tmp_path, secret_key="s", public_url=PUBLIC_URL,
        carrier="twilio", twilio_account_sid="AC" + "1" * 32, twilio_auth_token=AUTH_TOKEN,
    )  # fmt: skip
    path = "/twilio/status?campaign_id=dc&contact_id=1"
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        form = status_form(1, "ringing")
        r = client.post(path, content=urlencode(form), headers=sign(path, form))
    assert r.status_code == 503 and r.json()["error"]["code"] == "store_unavailable"
    assert r.headers["retry-after"] == "2"


def test_callbacks_are_applied_after_redis_forgets_its_scripts(world: World) -> None:
    """Scripts go straight to EVALSHA (lua_scripts.run); a Redis that lost them (a restart, SCRIPT FLUSH)
    gets them loaded again, and the callback is applied once all the same."""
    contact = world.batch.contacts[0]
    post(world, "/twilio/voice", voice_form(world, contact.id))
    path = f"/twilio/status?campaign_id=dc&contact_id={contact.id}"
    assert post(world, path, status_form(1, "ringing")).status_code == 204
    open_store(world.url).script_flush()
    assert post(world, path, status_form(2, "in-progress")).status_code == 204
    assert post(world, path, status_form(2, "in-progress")).status_code == 204  # retried: a duplicate
    attempt = asyncio.run(_attempt(world, "CA" + "a" * 32))
    assert attempt is not None and attempt["status"] == "in-progress"


def test_an_unexpected_error_in_a_callback_is_a_500(world: World) -> None:
    """The lane runs in front of Starlette's error middleware: what it does not answer itself is still
    answered 500 (by the server), and the next callback is served."""
    contact = world.batch.contacts[0]
    post(world, "/twilio/voice", voice_form(world, contact.id))
    path = f"/twilio/status?campaign_id=dc&contact_id={contact.id}"
    services = world.client.app.state.deps.services  # type: ignore[attr-defined]
    hook = services["call_event"]

    async def broken(*_: object) -> None:
        raise RuntimeError("a bug")

    services["call_event"] = broken
    assert post(world, path, status_form(1, "ringing")).status_code == 500
    services["call_event"] = hook
    assert post(world, path, status_form(2, "in-progress")).status_code == 204


def test_a_call_from_a_page_left_open_on_an_archived_campaign_is_refused(world: World) -> None:
    """An archived campaign calls nobody, though its status still reads active (for a restore)."""
    r = world.client.patch("/api/campaigns/dc", json={"archived": True}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["status"] == "active", r.text
    r = post(world, "/twilio/voice", voice_form(world, world.batch.contacts[0].id))
    assert "<Dial" not in r.text and "<Hangup" in r.text
