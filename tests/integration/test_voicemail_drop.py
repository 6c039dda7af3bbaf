"""Preview mode's "Leave voicemail" through the Twilio adapter: signed webhooks set up the call exactly as
Twilio would, and every REST request the adapter makes goes to the Twilio stand-in, which checks it against
Twilio's own API description (tests/reference/twilio_api_v2010.json)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue import keys
from dialer.queue.lease import Batch
from dialer.telephony.twilio import TwilioCarrier
from tests.conftest import ADMIN
from tests.integration.test_webhooks import (
    AUTH_TOKEN,
    NOON_NEW_YORK,
    _setup,
    sign,
    status_form,
    twilio_settings,
)
from tests.stores import open_store
from tests.twilio_standin import TwilioStandin

ACCOUNT = "AC" + "1" * 32
PARENT = "CA" + "a" * 32  # the volunteer's browser leg
CHILD = "CA" + "c" * 32  # the voter's leg, dialed by <Dial>
MESSAGE = "Hi, this is Pat with the library levy campaign. Please vote on Tuesday!"


@dataclass
class Call:
    client: TestClient
    standin: TwilioStandin
    token: str
    batch: Batch
    url: str

    def volunteer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def webhook(self, path: str, form: dict[str, str]) -> int:
        r = self.client.post(path, content=urlencode(form), headers=sign(path, form))
        return r.status_code

    def voice(self, contact_id: str) -> dict[str, str]:
        """The browser's call as Twilio posts it to /twilio/voice (From names the volunteer's identity)."""
        me = self.client.get("/api/me", headers=self.volunteer()).json()["user"]["id"]
        return {
            "AccountSid": ACCOUNT, "CallSid": PARENT, "From": f"client:{me}", "To": "",
            "CallStatus": "ringing", "Direction": "inbound", "ApiVersion": "2010-04-01",
            "contact_id": contact_id, "campaign_id": "dc",
        }  # fmt: skip

    def attempt(self) -> dict[str, Any]:
        raw = open_store(self.url, decode_responses=True).hgetall(keys.attempt("dc", PARENT))
        return dict(raw)  # type: ignore[arg-type]


@pytest.fixture
def call(clean_redis: str, tmp_path: Path) -> Iterator[Call]:
    settings = twilio_settings(clean_redis, tmp_path, twilio_api_base_url="https://twilio-standin.test")
    standin = TwilioStandin(ACCOUNT, ACCOUNT, AUTH_TOKEN)
    # The voter's leg, as Twilio knows it once <Dial> has placed it and it was answered.
    standin.calls[CHILD] = standin._call(CHILD, {"From": "+12025550199", "To": "+12025550101"})
    standin.calls[CHILD]["status"] = "in-progress"
    open_store(clean_redis).set(keys.script_latest("gotv"), 1)
    carrier = TwilioCarrier(settings, standin.client())
    app = create_app(settings, clock=lambda: NOON_NEW_YORK, carrier=carrier)
    with TestClient(app, raise_server_exceptions=False) as client:
        body = {"id": "dc", "name": "DC", "script_id": "gotv", "caller_id": "+12025550199"}
        assert client.post(
            "/api/campaigns", json={**body, "voicemail_message": MESSAGE}, headers=ADMIN
        ).is_success
        users = []
        for email in ("a@example.org", "b@example.org"):
            r = client.post(
                "/api/auth/signup", json={"email": email, "name": "A", "password": "long password"}
            )
            users.append(r.json())
        client.cookies.clear()
        ids = [u["user"]["id"] for u in users]
        batch = asyncio.run(_setup(clean_redis, "dc", ids[0], ids[1]))
        yield Call(client, standin, users[0]["token"], batch, clean_redis)


def connect(call: Call) -> str:
    """The volunteer's browser calls the first contact; the voter's machine answers. Returns its id."""
    contact = call.batch.contacts[0].id
    assert call.webhook("/twilio/voice", call.voice(contact)) == 200
    path = f"/twilio/status?campaign_id=dc&contact_id={contact}"
    assert call.webhook(path, status_form(0, "initiated")) == 204
    assert call.webhook(path, status_form(1, "in-progress")) == 204
    assert call.attempt()["leg_sid"] == CHILD
    return contact


def test_the_message_is_read_on_the_voters_leg_and_saving_keeps_it(call: Call) -> None:
    contact = connect(call)
    r = call.client.post(f"/api/campaigns/dc/calls/{PARENT}/voicemail", headers=call.volunteer())
    assert r.status_code == 202 and r.json() == {"call_sid": PARENT, "voicemail": "playing"}
    (update,) = call.standin.requests  # checked against Twilio's description by the stand-in
    assert update.method == "POST" and update.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{CHILD}.json"
    twiml = update.get("Twiml") or ""
    assert f"<Say>{MESSAGE}</Say>" in twiml and twiml.rstrip().endswith("<Hangup /></Response>")
    assert update.get("Status") is None and update.get("Url") is None

    # The volunteer records voicemail at once: the message is not cut short by "saving ends the call".
    result = {"contact_id": contact, "result": "voicemail", "idempotency_key": "vm-1"}
    r = call.client.post(f"/api/batches/{call.batch.id}/results", json=result, headers=call.volunteer())
    assert r.status_code == 200, r.text
    assert len(call.standin.requests) == 1  # no Status=completed sent


def test_refusals(call: Call) -> None:
    url = f"/api/campaigns/dc/calls/{PARENT}/voicemail"
    assert call.client.post(url, headers=call.volunteer()).status_code == 404  # no such call yet
    contact = call.batch.contacts[0].id
    assert call.webhook("/twilio/voice", call.voice(contact)) == 200
    r = call.client.post(url, headers=call.volunteer())
    assert r.status_code == 409 and r.json()["error"]["code"] == "call_not_up"  # ringing: no leg yet
    path = f"/twilio/status?campaign_id=dc&contact_id={contact}"
    assert call.webhook(path, status_form(1, "in-progress")) == 204
    call.client.patch("/api/campaigns/dc", json={"voicemail_message": None}, headers=ADMIN)
    r = call.client.post(url, headers=call.volunteer())
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_voicemail_message"
    call.client.patch("/api/campaigns/dc", json={"voicemail_message": MESSAGE}, headers=ADMIN)
    call.client.cookies.clear()
    assert call.client.post(url, headers=ADMIN).status_code == 404  # someone else's call
    call.standin.fail_next(400, 21220, "Call is not in-progress. Cannot redirect.")
    r = call.client.post(url, headers=call.volunteer())
    assert r.status_code == 502 and r.json()["error"]["code"] == "carrier_error"
    assert "voicemail_at" not in call.attempt()  # saving may hang up again
    assert call.client.post(url, headers=call.volunteer()).status_code == 202


def test_no_recorded_message_on_a_cell_without_consent(call: Call) -> None:
    """A recorded or text-to-speech message to a cell needs the campaign's consent even in preview mode (the
    TCPA's "artificial or prerecorded voice"): the volunteer is told so and nothing is played; once the
    campaign says it has consent, the message is left. It was played on any number."""
    contact = call.batch.contacts[0].id
    open_store(call.url).hset(keys.contact("dc", contact), "phone_type", "cell")
    connect(call)
    url = f"/api/campaigns/dc/calls/{PARENT}/voicemail"
    r = call.client.post(url, headers=call.volunteer())
    assert r.status_code == 409 and r.json()["error"]["code"] == "cell_without_consent"
    assert call.standin.requests == [] and "voicemail_at" not in call.attempt()
    assert call.client.patch("/api/campaigns/dc", json={"cell_consent": True}, headers=ADMIN).is_success
    call.client.cookies.clear()
    assert call.client.post(url, headers=call.volunteer()).status_code == 202
    assert len(call.standin.requests) == 1
