"""A campaign's activity page: the organizer's actions (pause, resume, mode switch, a call-list upload)
are in the campaign's audit log, newest first with who did them, and the activity page that shows it is
for organizers only and linked from the dashboard."""

from __future__ import annotations

import asyncio
import json
import re

import redis.asyncio as aioredis
from starlette.testclient import TestClient

from dialer.queue import audit, keys
from tests.integration.organizer_support import fixed_api, staff
from tests.stores import open_store

__all__ = ["fixed_api"]


def test_an_organizers_actions_are_in_the_audit_log_and_on_the_activity_page(
    fixed_api: TestClient, clean_redis: str
) -> None:
    roles = staff(fixed_api)
    org_id, org = roles["organizer"]
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    body = {"id": "act", "name": "Activity day", "script_id": "s", "caller_id": "+13125550199"}
    assert fixed_api.post("/api/campaigns", json=body, headers=org).status_code == 201
    for patch in ({"status": "paused"}, {"status": "active"}, {"mode": "power"}):
        r = fixed_api.patch("/api/campaigns/act", json=patch, headers=org)
        assert r.status_code == 200, r.text
    csv = "phone,first_name\n+12025550142,Pat\n+12025550143,Sam\nnot a phone,Lee\n"
    r = fixed_api.post(
        "/api/campaigns/act/contacts", content=csv, headers={**org, "Content-Type": "text/csv"}
    )
    assert r.status_code == 200, r.text

    log = fixed_api.get("/api/campaigns/act/audit", headers=org).json()
    assert [(e["action"], e["detail"]) for e in log] == [
        ("contacts_upload", {"imported": 2, "duplicates": 0, "invalid": 1}),
        ("mode_switch", {"from": "preview", "to": "power"}),
        ("status", {"from": "paused", "to": "active"}),
        ("status", {"from": "active", "to": "paused"}),
    ]
    assert {(e["user"], e["name"]) for e in log} == {(org_id, "Organizer Person")}

    page = fixed_api.get("/campaigns/act/activity", headers=org)
    assert page.status_code == 200 and "/static/js/activity.js" in page.text
    found = re.search(r'<script type="application/json" id="page-data">(.*?)</script>', page.text, re.S)
    assert found is not None
    assert json.loads(found.group(1)) == {"campaign": {"id": "act", "name": "Activity day"}}
    assert fixed_api.get("/campaigns/act/activity", headers=roles["volunteer"][1]).status_code == 403
    assert fixed_api.get("/campaigns/act/activity", headers=roles["leader"][1]).status_code == 403
    assert 'href="/campaigns/act/activity"' in fixed_api.get("/campaigns/act/dashboard", headers=org).text


def test_the_audit_log_comes_a_page_at_a_time_and_names_the_people_it_mentions(
    fixed_api: TestClient, clean_redis: str
) -> None:
    """A long call day's log (coaching, transfers, recordings) passes 100 entries: older ones are read with
    `?before=<the last entry's id>`, and each entry names the volunteer or coach its detail mentions."""
    roles = staff(fixed_api)
    org = roles["organizer"][1]
    vol_id = roles["volunteer"][0]
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    body = {"id": "long", "name": "Long day", "script_id": "s", "caller_id": "+13125550199"}
    assert fixed_api.post("/api/campaigns", json=body, headers=org).status_code == 201

    async def write() -> None:
        redis = aioredis.Redis.from_url(clean_redis, decode_responses=True)
        for i in range(130):
            detail = {"volunteer": vol_id if i % 2 else "gone-user", "mode": "listen", "n": i}
            await audit.record(
                redis, "long", user="org", name="Olive", action="coach_join", detail=detail, now=i
            )
        await redis.aclose()

    asyncio.run(write())
    first = fixed_api.get("/api/campaigns/long/audit", headers=org).json()
    assert [e["detail"]["n"] for e in first] == list(range(129, 29, -1))  # the newest 100, newest first
    assert first[0]["people"] == {vol_id: "Volunteer Person"}
    assert (
        first[1]["people"] == {}
    )  # an account that no longer exists is not named (the page says who it can)
    older = fixed_api.get(f"/api/campaigns/long/audit?before={first[-1]['id']}", headers=org).json()
    assert [e["detail"]["n"] for e in older] == list(range(29, -1, -1))
    few = fixed_api.get(f"/api/campaigns/long/audit?before={older[9]['id']}&limit=5", headers=org).json()
    assert [e["detail"]["n"] for e in few] == [19, 18, 17, 16, 15]
    assert fixed_api.get("/api/campaigns/long/audit?before=0-0", headers=org).json() == []
    for bad in ("before=", "before=yesterday", f"before={2**64}-0", "limit=0", "limit=501", "limit=ten"):
        r = fixed_api.get(f"/api/campaigns/long/audit?{bad}", headers=org)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["details"][0]["path"] == bad.split("=")[0]
    assert fixed_api.get("/api/campaigns/long/audit", headers=roles["volunteer"][1]).status_code == 403
