"""The CRM routes against a real Redis and the VAN stand-in: an organizer links VAN (the key never comes
back), checks it, loads VAN's codes, maps the script, and a result recorded through the API reaches the
stand-in through the sync; failures show in the ledger and an organizer's retry sends them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.connections import async_client
from dialer.crm.runner import SyncRunner
from dialer.crm.sync import SyncConfig
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN, bearer
from tests.integration.crm_support import CRM_KEY, MAPPING_DOC
from tests.van_standin import VanStandin

NOON_NY = datetime(2026, 11, 25, 17, 0, tzinfo=UTC).timestamp()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gotv.yaml"
VAN_EXPORT = (
    "VANID,FirstName,LastName,Cell Phone,Home Phone,State\n"
    "9001,Ada,Lovelace,(202) 555-0142,,DC\n"
    "9002,Alan,Turing,,(202) 555-0143,DC\n"
    "9003,Grace,Hopper,,(202) 555-0144,DC\n"
)
LINK = {"kind": "van", "app_name": "dialer-test", "api_key": "0123abcd-test-key-4567", "mode": "my_campaign"}


@dataclass
class World:
    client: TestClient
    standin: VanStandin
    settings: Settings
    volunteer: dict[str, str]


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    settings = Settings(
        redis_url=clean_redis, data_dir=tmp_path, secret_key="s", admin_token=ADMIN_TOKEN,
        public_url="http://testserver", crm_key=CRM_KEY, van_api_base_url="http://van.test/v4",
    )  # fmt: skip
    standin = VanStandin()
    with TestClient(create_app(settings, clock=lambda: NOON_NY), raise_server_exceptions=False) as client:
        client.app.state.deps.services["crm_transport"] = httpx.ASGITransport(app=standin.app)  # type: ignore[attr-defined]
        r = client.post(
            "/api/scripts",
            content=EXAMPLE.read_bytes(),
            headers={"Content-Type": "application/yaml", **ADMIN},
        )
        assert r.status_code == 201, r.text
        body = {"id": "dc", "name": "DC", "script_id": "gotv-2026", "caller_id": "+12025550199",
                "batch_size": 3, "default_timezone": "America/New_York"}  # fmt: skip
        assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        r = client.post(
            "/api/campaigns/dc/contacts", content=VAN_EXPORT, headers={"Content-Type": "text/csv", **ADMIN}
        )
        assert r.json()["imported"] == 3, r.text
        r = client.post(
            "/api/auth/signup", json={"email": "v@example.org", "name": "V", "password": "long password"}
        )
        volunteer = bearer(r.json()["token"])
        client.cookies.clear()
        yield World(client, standin, settings, volunteer)


def sync_once(world: World) -> None:
    async def go() -> None:
        redis = async_client(str(world.settings.redis_url))
        runner = SyncRunner(redis, world.settings, transport=httpx.ASGITransport(app=world.standin.app),
                            config=SyncConfig(claim_idle=0))  # fmt: skip
        rounds = iter(range(3))
        try:
            await runner.campaign("dc", lambda: next(rounds, None) is None)
        finally:
            await redis.aclose()

    asyncio.run(go())


def test_an_organizer_links_van_maps_the_script_and_results_reach_van(world: World) -> None:
    c = world.client
    assert c.get("/api/campaigns/dc/crm").status_code == 401
    assert c.put("/api/campaigns/dc/crm", json=LINK, headers=world.volunteer).status_code == 403
    r = c.put("/api/campaigns/dc/crm", json=LINK, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json()["connection"]["key_hint"] == "4567" and LINK["api_key"] not in r.text
    r = c.post("/api/campaigns/dc/crm/check", headers=ADMIN)
    assert r.json() == {"ok": True, "message": "VAN accepted the application name and key"}
    assert c.put("/api/campaigns/dc/mapping/1", json=MAPPING_DOC, headers=ADMIN).status_code == 404
    assert (
        c.put("/api/campaigns/dc/crm/mapping/1", json=MAPPING_DOC, headers=ADMIN).json()["error"]["code"]
        == "no_catalog"
    )
    r = c.post("/api/campaigns/dc/crm/catalog", headers=ADMIN)
    assert [q["id"] for q in r.json()["catalog"]["survey_questions"]] == ["101", "102", "103"]  # 2 pages
    # NOON_NY, in ISO 8601 UTC as every time the API answers (the store keeps epoch seconds)
    assert r.json()["fetched_at"] == "2026-11-25T17:00:00+00:00"
    check = c.get("/api/campaigns/dc/crm", headers=ADMIN).json()["connection"]["check"]
    assert check == {
        "ok": True,
        "message": "VAN accepted the application name and key",
        "at": r.json()["fetched_at"],
    }
    view = c.get("/api/campaigns/dc/crm/mapping", headers=ADMIN).json()
    assert view["script_version"] == 1 and view["mapping"] is None and len(view["unmapped"]) > 13
    bad = {"results": {"busy": {"type": "result_code", "id": "77"}}}
    r = c.put("/api/campaigns/dc/crm/mapping/1", json=bad, headers=ADMIN)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "results.busy"
    r = c.put("/api/campaigns/dc/crm/mapping/1", json=MAPPING_DOC, headers=ADMIN)
    assert r.status_code == 200 and "results.busy" not in {p["path"] for p in r.json()["unmapped"]}

    batch = c.post("/api/campaigns/dc/batches", headers=world.volunteer).json()
    by_vanid = {contact["external_id"]: contact["id"] for contact in batch["contacts"]}
    for vanid, result, answers in (("9001", "contacted", {"intro": "Speaking", "support": "yes"}),
                                   ("9002", "not_home", {}), ("9003", "moved", {})):  # fmt: skip
        body = {"contact_id": by_vanid[vanid], "result": result, "answers": answers, "idempotency_key": vanid}
        r = c.post(f"/api/batches/{batch['id']}/results", json=body, headers=world.volunteer)
        assert r.status_code == 200, r.text
    sync_once(world)
    assert world.standin.violations == []
    sent = dict(world.standin.received)
    assert sent[9001]["responses"] == [
        {"type": "SurveyResponse", "surveyQuestionId": 101, "surveyResponseId": 1001}
    ]
    assert sent[9002]["resultCodeId"] == 2 and 9003 not in sent
    ledger = c.get("/api/campaigns/dc/crm/ledger", headers=ADMIN).json()
    assert ledger["counts"]["sent"] == 2 and ledger["counts"]["failed"] == 1 and ledger["waiting"] == 0
    failed = c.get("/api/campaigns/dc/crm/ledger?status=failed", headers=ADMIN).json()["entries"]
    assert [(e["external_id"], e["message"]) for e in failed] == [("9003", "result 'moved' is not mapped")]

    mapping = {
        **MAPPING_DOC,
        "results": {**MAPPING_DOC["results"], "moved": {"type": "result_code", "id": "3"}},
    }
    assert c.put("/api/campaigns/dc/crm/mapping/1", json=mapping, headers=ADMIN).status_code == 200
    assert c.post("/api/campaigns/dc/crm/retry", json={"all_failed": True}, headers=ADMIN).json() == {
        "requeued": 1
    }
    sync_once(world)
    assert world.standin.counts() == {9001: 1, 9002: 1, 9003: 1}

    day = {"from": "2026-11-25T00:00:00-05:00", "to": "2026-11-25T23:59:59-05:00"}
    assert c.post("/api/campaigns/dc/crm/replay", json=day, headers=ADMIN).json() == {"requeued": 3}
    sync_once(world)
    assert world.standin.counts() == {9001: 2, 9002: 2, 9003: 2}  # a replay sends the day again


def test_keys_never_come_back_and_bad_input_is_a_precise_4xx(world: World) -> None:
    c = world.client
    for body, path in (
        ({"kind": "x"}, "kind"),
        ({**LINK, "api_key": "k|1"}, "api_key"),
        ({**LINK, "rate": -1}, "rate"),
    ):
        r = c.put("/api/campaigns/dc/crm", json=body, headers=ADMIN)
        assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == path
    assert c.post("/api/campaigns/dc/crm/check", headers=ADMIN).json()["error"]["code"] == "no_crm_connection"
    c.put("/api/campaigns/dc/crm", json={**LINK, "api_key": "wrong-key-0000-9999"}, headers=ADMIN)
    r = c.post("/api/campaigns/dc/crm/check", headers=ADMIN)
    assert r.json()["ok"] is False and "wrong-key" not in r.text and "401" in r.json()["message"]
    r = c.post("/api/campaigns/dc/crm/catalog", headers=ADMIN)
    assert r.status_code == 502 and "wrong-key" not in r.text
    shown = c.get("/api/campaigns/dc/crm", headers=ADMIN).json()["connection"]
    assert shown["check"]["ok"] is False and "wrong-key" not in str(shown)
    assert c.post("/api/campaigns/dc/crm/retry", json={"entry_ids": ["x"]}, headers=ADMIN).status_code == 422
    assert (
        c.post(
            "/api/campaigns/dc/crm/replay", json={"from": "2026-11-25", "to": "x"}, headers=ADMIN
        ).status_code
        == 422
    )
    assert c.get("/api/campaigns/dc/crm/ledger?status=nope", headers=ADMIN).status_code == 422
    assert c.get("/api/campaigns/dc/crm/mapping?version=9", headers=ADMIN).status_code == 404
    # A version str.isdigit() takes but int() refuses (a superscript, 5,000 digits) was a 500.
    for version in ("%C2%B2", "1" * 5000):
        assert c.get(f"/api/campaigns/dc/crm/mapping?version={version}", headers=ADMIN).status_code == 422
        assert c.put(f"/api/campaigns/dc/crm/mapping/{version}", json={}, headers=ADMIN).status_code == 422
    r = c.post("/api/campaigns/dc/crm/retry", json={"entry_ids": ["\u00b2-1"]}, headers=ADMIN)
    assert r.status_code == 422
    assert c.delete("/api/campaigns/dc/crm", headers=ADMIN).status_code == 204
    assert c.delete("/api/campaigns/dc/crm", headers=ADMIN).status_code == 404
    assert c.get("/api/campaigns/dc/crm", headers=ADMIN).json() == {"connection": None}
