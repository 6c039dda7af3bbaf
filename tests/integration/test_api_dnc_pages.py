"""The do-not-call list for its page: pages in order, search by number or prefix, count, export, removals
with a reason in the audit (who and when), and only organizers and admins see any of it."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator

from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.connections import async_client
from dialer.queue import dnc, keys
from dialer.settings import Settings
from dialer.web.export_slots import ExportSlots
from tests.conftest import ADMIN
from tests.integration.organizer_support import NOW, fixed_api, staff
from tests.stores import open_store

__all__ = ["fixed_api"]


def _fill(url: str, n: int) -> None:
    async def fill() -> None:
        redis = async_client(url)
        await dnc.add_e164(redis, [f"+1202555{i:04d}" for i in range(n)])
        await redis.aclose()

    asyncio.run(fill())


def test_only_organizers_and_admins_see_the_list(fixed_api: TestClient) -> None:
    roles = staff(fixed_api)
    for path in ("/api/dnc", "/api/dnc.csv", "/api/dnc/audit"):
        assert fixed_api.get(path).status_code == 401
        for role in ("volunteer", "leader"):
            assert fixed_api.get(path, headers=roles[role][1]).status_code == 403, (path, role)
        for role in ("organizer", "admin"):
            assert fixed_api.get(path, headers=roles[role][1]).status_code == 200, (path, role)
    body = {"phone": "+12025550001", "reason": "asked"}
    assert fixed_api.post("/api/dnc/removals", json=body, headers=roles["leader"][1]).status_code == 403


def test_pages_walk_the_list_in_order_and_search_finds_numbers(
    fixed_api: TestClient, clean_redis: str
) -> None:
    _fill(clean_redis, 1200)
    seen: list[str] = []
    after = ""
    while True:
        r = fixed_api.get("/api/dnc", params={"after": after, "limit": 500}, headers=ADMIN).json()
        assert r["count"] == 1200
        seen += r["phones"]
        if r["next"] is None:
            break
        after = r["next"]
    assert seen == sorted(seen) and len(set(seen)) == 1200
    found = fixed_api.get("/api/dnc", params={"q": "(202) 555-0123"}, headers=ADMIN).json()
    assert found["phones"] == ["+12025550123"] and found["next"] is None
    assert fixed_api.get("/api/dnc", params={"q": "202 555 9999"}, headers=ADMIN).json()["phones"] == []
    prefix = fixed_api.get("/api/dnc", params={"q": "202555011", "limit": 5}, headers=ADMIN).json()
    assert prefix["phones"] == [f"+120255501{i}" for i in range(10, 15)] and prefix["next"] == "+12025550114"
    rest = fixed_api.get("/api/dnc", params={"q": "202555011", "after": prefix["next"]}, headers=ADMIN).json()
    assert rest["phones"] == [f"+120255501{i}" for i in range(15, 20)] and rest["next"] is None
    for params in ({"limit": "0"}, {"limit": "501"}, {"q": "1" * 41}, {"after": "x" * 21}):
        assert fixed_api.get("/api/dnc", params=params, headers=ADMIN).status_code == 422, params


def test_a_list_older_than_the_index_is_indexed_on_first_read(
    fixed_api: TestClient, clean_redis: str
) -> None:
    _fill(clean_redis, 30)
    open_store(clean_redis).delete(keys.DNC_INDEX)
    r = fixed_api.get("/api/dnc", params={"limit": 100}, headers=ADMIN).json()
    assert r["count"] == 30 and len(r["phones"]) == 30


def test_a_list_older_than_the_index_is_indexed_when_the_server_starts(
    app_settings: Settings, clean_redis: str
) -> None:
    _fill(clean_redis, 3000)
    store = open_store(clean_redis)
    store.delete(keys.DNC_INDEX, keys.USERS_LEX)  # as a database from before the indexes
    with TestClient(create_app(app_settings, clock=lambda: NOW)):
        deadline = time.monotonic() + 10
        while store.zcard(keys.DNC_INDEX) < 3000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.zcard(keys.DNC_INDEX) == 3000  # at start-up, before any organizer asked for the page


def test_removals_need_a_reason_and_are_audited(fixed_api: TestClient, clean_redis: str) -> None:
    roles = staff(fixed_api)
    oid, org = roles["organizer"]
    r = fixed_api.post("/api/dnc", json={"phones": ["(202) 555-0142"]}, headers=org)
    assert r.status_code == 200 and r.json()["added"] == 1
    for body in (
        {"phone": "+12025550142"},
        {"phone": "+12025550142", "reason": "  "},
        {"phone": "x", "reason": "y"},
    ):
        assert fixed_api.post("/api/dnc/removals", json=body, headers=org).status_code == 422, body
    body = {"phone": "202-555-0142", "reason": "Added by mistake: a supporter asked to be called"}
    r = fixed_api.post("/api/dnc/removals", json=body, headers=org)
    assert r.status_code == 200 and r.json()["phone"] == "+12025550142"
    again = fixed_api.post("/api/dnc/removals", json=body, headers=org)
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_listed"
    assert fixed_api.get("/api/dnc", headers=org).json()["count"] == 0
    entries = fixed_api.get("/api/dnc/audit", headers=org).json()["entries"]
    assert [(e["action"], e.get("phone")) for e in entries] == [
        ("remove", "+12025550142"),
        ("add", "+12025550142"),
    ]
    removal = entries[0]
    assert removal["by"] == oid and removal["by_name"] == "Organizer Person"
    assert removal["reason"] == body["reason"]
    assert removal["at"] == "2027-01-15T08:00:00+00:00"  # NOW, in ISO 8601 UTC as every time the API answers
    # The older route audits too, with the reason it is given.
    fixed_api.post("/api/dnc", json={"phones": ["+12025550143"]}, headers=org)
    assert (
        fixed_api.delete("/api/dnc/+12025550143", params={"reason": "typo"}, headers=org).status_code == 204
    )
    newest = fixed_api.get("/api/dnc/audit", params={"limit": 1}, headers=org).json()
    assert newest["entries"][0]["reason"] == "typo" and newest["next"] is not None
    older = fixed_api.get("/api/dnc/audit", params={"before": newest["next"]}, headers=org).json()
    assert len(older["entries"]) == 3 and older["next"] is None
    for before, status in (
        ("x", 422),
        ("", 422),
        ("99999999999999999999-0", 422),
        ("0-0", 200),
        ("00-000", 200),
    ):
        assert fixed_api.get("/api/dnc/audit", params={"before": before}, headers=org).status_code == status


def test_export_and_upload_report(fixed_api: TestClient, clean_redis: str) -> None:
    _fill(clean_redis, 12_000)
    r = fixed_api.get("/api/dnc.csv", headers=ADMIN)
    lines = r.text.splitlines()
    assert r.headers["content-type"].startswith("text/csv") and lines[0] == "phone"
    assert len(lines) == 12_001 and lines[1:] == sorted(lines[1:])
    csv = "phone\n+13125550100\nnot a phone\n(312) 555-0101\n"
    r = fixed_api.post("/api/dnc", content=csv, headers={**ADMIN, "Content-Type": "text/csv"})
    assert r.json()["added"] == 2 and len(r.json()["invalid"]) == 1
    upload = fixed_api.get("/api/dnc/audit", headers=ADMIN).json()["entries"][0]
    assert upload["action"] == "upload" and upload["count"] == "2" and upload["rejected"] == "1"


def test_the_export_takes_one_of_the_processs_export_slots(fixed_api: TestClient, clean_redis: str) -> None:
    """Every slot held (by results exports or others): the do-not-call export is told to come back, and
    gets its file once one is free (each download holds a Redis connection and a share of the CPU)."""
    _fill(clean_redis, 3)
    slots = ExportSlots(limit=1)
    fixed_api.app.state.deps.services["exports"] = slots  # type: ignore[attr-defined]

    async def one() -> AsyncIterator[str]:
        yield "x"

    held = slots.stream(one())
    r = fixed_api.get("/api/dnc.csv", headers=ADMIN)
    assert r.status_code == 503 and r.json()["error"]["code"] == "busy" and r.headers["retry-after"] == "10"
    del held
    gc.collect()
    r = fixed_api.get("/api/dnc.csv", headers=ADMIN)
    assert r.status_code == 200 and r.text.splitlines()[0] == "phone" and len(r.text.splitlines()) == 4
    assert slots.in_use == 0
