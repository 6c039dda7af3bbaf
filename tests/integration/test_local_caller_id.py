"""Local caller ID through the Twilio adapter: the preview call's <Dial callerId> (answered to a voice webhook
signed by twilio's RequestValidator) and the power/predictive pacer's Calls.json `From` (sent to the Twilio
stand-in, which checks every request against Twilio's own API description) carry the voter's local number,
else the state's, else the campaign's default; nothing in a request can pick another number."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.caller_ids import CallerId
from dialer.contacts import Contact
from dialer.dialing.pacer_loop import CampaignPacer
from dialer.models import Mode
from dialer.queue import keys
from dialer.queue.lease import LeaseQueue
from dialer.settings import Settings
from dialer.telephony.simulated import ClientCall, SimulatedCarrier
from dialer.telephony.twilio import TwilioCarrier
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.integration.dialing_support import make_campaign
from tests.integration.test_webhooks import (
    AUTH_TOKEN,
    NOON_NEW_YORK,
    PUBLIC_URL,
    World,
    _setup,
    post,
    twilio_settings,
    voice_form,
)
from tests.integration.test_webhooks import world as world  # noqa: F401 (the fixture)
from tests.stores import open_store
from tests.twilio_standin import TwilioStandin
from tests.unit.test_telephony_twilio import FakeTime

ACCOUNT = "AC" + "1" * 32
DEFAULT = "+12025550199"  # the campaign's caller_id in both set-ups
DC_LOCAL = "+12405550100"  # serves area code 202 (the webhook world's voters) by its tag
PHILLY = "+12155550100"  # serves Pennsylvania, and its own area code 215
TEXAS = "+15125550100"  # serves Texas
CALLER_ID = re.compile(r'callerId="([^"]+)"')


def caller_id_of(twiml: str) -> str:
    found = CALLER_ID.findall(twiml)
    assert len(found) == 1, twiml
    return str(found[0])


# ---- preview: the browser's call, through the voice webhook -------------------------------------------


def set_pool(w: World, pool: list[dict[str, object]]) -> None:
    r = w.client.patch(f"/api/campaigns/{w.campaign_id}", json={"caller_ids": pool}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert [c["number"] for c in r.json()["caller_ids"]] == [c["number"] for c in pool]


def test_a_browser_call_shows_the_number_serving_the_voters_area_code(world: World) -> None:
    set_pool(world, [{"number": PHILLY, "states": ["PA"]}, {"number": DC_LOCAL, "area_codes": ["202"]}])
    contact = world.batch.contacts[0]
    r = post(world, "/twilio/voice", voice_form(world, contact.id))
    assert r.status_code == 200 and caller_id_of(r.text) == DC_LOCAL
    assert f">{contact.phone}</Number>" in r.text


def test_without_a_matching_number_the_default_is_shown(world: World) -> None:
    set_pool(world, [{"number": PHILLY, "area_codes": ["267"], "states": ["PA"]}])
    r = post(world, "/twilio/voice", voice_form(world, world.batch.contacts[0].id))
    assert caller_id_of(r.text) == DEFAULT


def test_no_request_parameter_can_choose_the_caller_id(world: World) -> None:
    """The Voice SDK's connect parameters come from the browser, which a volunteer controls: a caller ID
    among them (signed by Twilio all the same) is ignored."""
    set_pool(world, [{"number": DC_LOCAL, "area_codes": ["202"]}])
    form = voice_form(world, world.batch.contacts[0].id)
    for name in ("callerId", "CallerId", "caller_id", "From_number"):
        form[name] = "+19005550123"
    r = post(world, "/twilio/voice", form)
    assert caller_id_of(r.text) == DC_LOCAL and "+19005550123" not in r.text


def test_the_api_refuses_a_pool_number_that_is_not_a_phone_number(world: World) -> None:
    r = world.client.patch(
        "/api/campaigns/dc",
        json={"caller_ids": [{"number": "spoofed", "states": ["ZZ"]}]},
        headers=ADMIN,
    )
    assert r.status_code == 422
    assert [d["path"] for d in r.json()["error"]["details"]] == [
        "caller_ids[0].number",
        "caller_ids[0].states[0]",
    ]
    assert world.client.get("/api/campaigns/dc", headers=ADMIN).json()["caller_ids"] == []


# ---- power and predictive: the pacer's REST calls ------------------------------------------------------


@pytest.mark.anyio
async def test_the_pacer_places_each_call_from_the_voters_local_number(redis: aioredis.Redis) -> None:
    pool = (
        CallerId(PHILLY, states=("PA",)),
        CallerId(TEXAS, states=("TX",)),
        CallerId(DC_LOCAL, area_codes=("301",)),
    )
    campaign = await make_campaign(redis, mode=Mode.POWER, caller_ids=pool, created_at=NOON_NEW_YORK)
    voters = {
        "+12155550123": ("", "", PHILLY),  # Philadelphia: the number's own area code
        "+14125550123": ("PA", "", PHILLY),  # Pittsburgh: the state's number
        "+12145550123": ("", "75201", TEXAS),  # Dallas, no state column: its ZIP's state
        "+13015550123": ("MD", "", DC_LOCAL),  # a tagged area code, before the state
        "+16175550123": ("MA", "", DEFAULT),  # nobody serves Massachusetts
    }
    contacts = [
        Contact(phone=phone, timezone="America/New_York", state=state, zip=zip_code, phone_type="landline")
        for phone, (state, zip_code, _) in voters.items()
    ]
    await LeaseQueue(redis).add_contacts(campaign.id, contacts, NOON_NEW_YORK)
    settings = Settings(
        secret_key="test",
        public_url=PUBLIC_URL,
        carrier="twilio",
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=AUTH_TOKEN,
        twilio_api_base_url="https://twilio-standin.test",
    )
    standin = TwilioStandin(ACCOUNT, ACCOUNT, AUTH_TOKEN)
    fake_time = FakeTime()
    async with standin.client() as http:
        carrier = TwilioCarrier(
            settings, http, clock=fake_time, sleep=fake_time.sleep, calls_per_second=100.0
        )
        pacer = CampaignPacer(redis, carrier, settings, campaign.id, clock=lambda: NOON_NEW_YORK, scale=1.0)
        assert await pacer.dial(campaign, len(voters), NOON_NEW_YORK) == len(voters)
    created = [r for r in standin.requests if r.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"]
    assert {r.get("To"): r.get("From") for r in created} == {
        phone: want for phone, (_, _, want) in voters.items()
    }


# ---- TWILIO_CHECK_CALLER_IDS: the numbers must be the account's -----------------------------------------


@pytest.fixture
def checked(clean_redis: str, tmp_path: Path) -> Iterator[tuple[TestClient, TwilioStandin]]:
    settings = twilio_settings(
        clean_redis, tmp_path, twilio_api_base_url="https://twilio-standin.test", twilio_check_caller_ids=True
    )
    standin = TwilioStandin(ACCOUNT, ACCOUNT, AUTH_TOKEN)
    standin.owned_numbers |= {DEFAULT, PHILLY}
    standin.verified_caller_ids.add(TEXAS)
    open_store(clean_redis).set(keys.script_latest("gotv"), 1)
    app = create_app(settings, clock=lambda: NOON_NEW_YORK, carrier=TwilioCarrier(settings, standin.client()))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, standin


def test_only_the_accounts_numbers_and_verified_caller_ids_are_taken(
    checked: tuple[TestClient, TwilioStandin],
) -> None:
    client, standin = checked
    body = {"id": "dc", "name": "DC", "script_id": "gotv", "caller_id": DEFAULT}
    r = client.post("/api/campaigns", json={**body, "caller_ids": [{"number": DC_LOCAL}]}, headers=ADMIN)
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [
        {
            "path": "caller_ids[0].number",
            "message": "is not a number of this Twilio account nor one of its verified caller IDs",
        }
    ]
    # Asked by exact number, of the account's numbers and then of its verified caller IDs.
    asked = [(r.method, r.path.rsplit("/", 1)[1], r.get("PhoneNumber")) for r in standin.requests]
    assert asked == [
        ("GET", "IncomingPhoneNumbers.json", DEFAULT),
        ("GET", "IncomingPhoneNumbers.json", DC_LOCAL),
        ("GET", "OutgoingCallerIds.json", DC_LOCAL),
    ]
    assert client.get("/api/campaigns/dc", headers=ADMIN).status_code == 404

    pool = [{"number": PHILLY, "states": ["PA"]}, {"number": TEXAS, "states": ["TX"]}]
    r = client.post("/api/campaigns", json={**body, "caller_ids": pool}, headers=ADMIN)
    assert r.status_code == 201, r.text
    # Saving other settings asks nothing again; a new number is asked about alone.
    standin.requests.clear()
    assert client.patch("/api/campaigns/dc", json={"name": "DC calls"}, headers=ADMIN).status_code == 200
    assert standin.requests == []
    r = client.patch("/api/campaigns/dc", json={"caller_ids": [*pool, {"number": DC_LOCAL}]}, headers=ADMIN)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "caller_ids[2].number"
    assert {r.get("PhoneNumber") for r in standin.requests} == {DC_LOCAL}
    assert client.get("/api/campaigns/dc", headers=ADMIN).json()["caller_ids"] == [
        {"number": PHILLY, "area_codes": [], "states": ["PA"]},
        {"number": TEXAS, "area_codes": [], "states": ["TX"]},
    ]


def test_when_twilio_cannot_be_asked_nothing_is_saved(checked: tuple[TestClient, TwilioStandin]) -> None:
    client, standin = checked
    body = {"id": "dc", "name": "DC", "script_id": "gotv", "caller_id": DEFAULT}
    assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
    standin.fail_next(500, 20500, "Internal Server Error")
    r = client.patch("/api/campaigns/dc", json={"caller_ids": [{"number": PHILLY}]}, headers=ADMIN)
    assert r.status_code == 503 and r.json()["error"]["code"] == "carrier_unavailable"
    assert client.get("/api/campaigns/dc", headers=ADMIN).json()["caller_ids"] == []


# ---- the simulated carrier plays the browser's call through the same webhook ---------------------------


def test_the_simulated_carriers_voter_leg_comes_from_the_local_number(
    clean_redis: str, tmp_path: Path
) -> None:
    settings = Settings(
        redis_url=clean_redis,
        data_dir=tmp_path,
        secret_key="s",
        admin_token=ADMIN_TOKEN,
        public_url=PUBLIC_URL,
        carrier="simulated",
    )
    open_store(clean_redis).set(keys.script_latest("gotv"), 1)
    app = create_app(settings, clock=lambda: NOON_NEW_YORK)
    with TestClient(app, raise_server_exceptions=False) as client:
        body = {"id": "dc", "name": "DC", "script_id": "gotv", "caller_id": DEFAULT}
        pool = [{"number": DC_LOCAL, "area_codes": ["202"]}]
        assert (
            client.post("/api/campaigns", json={**body, "caller_ids": pool}, headers=ADMIN).status_code == 201
        )
        ids = [
            client.post(
                "/api/auth/signup", json={"email": e, "name": "V", "password": "long password"}
            ).json()["user"]["id"]
            for e in ("a@example.org", "b@example.org")
        ]
        batch = asyncio.run(_setup(clean_redis, "dc", ids[0], ids[1]))

        async def browser_call() -> ClientCall:
            # The volunteer's browser, as the simulated carrier plays it: /twilio/voice, then <Dial> as told.
            http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
            phone = SimulatedCarrier(settings, http, clock=lambda: NOON_NEW_YORK, seed=3, speed=1000.0)
            try:
                return await phone.connect_client(ids[0], batch.contacts[0].id, "dc")
            finally:
                await phone.aclose()

        call = client.portal.call(browser_call)  # type: ignore[union-attr]
    assert call.dialed is not None, call.twiml
    assert call.dialed.spec.from_ == DC_LOCAL and call.dialed.spec.to == batch.contacts[0].phone
