"""A campaign's activity page: the organizer's actions (pause, resume, mode switch, a call-list upload)
are in the campaign's audit log, newest first with who did them, and the activity page that shows it is
for organizers only and linked from the dashboard."""

from __future__ import annotations

import json
import re

from starlette.testclient import TestClient

from dialer.queue import keys
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
    assert json.loads(found.group(1))["names"] == {org_id: "Organizer Person"}
    assert fixed_api.get("/campaigns/act/activity", headers=roles["volunteer"][1]).status_code == 403
    assert fixed_api.get("/campaigns/act/activity", headers=roles["leader"][1]).status_code == 403
    assert 'href="/campaigns/act/activity"' in fixed_api.get("/campaigns/act/dashboard", headers=org).text
