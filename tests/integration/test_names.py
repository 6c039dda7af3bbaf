"""Names refuse control and text-direction characters with a 422 that names the field: a display name at
sign-up, a campaign's name (created and renamed), a transfer target's name, a team's name (created and
renamed) and a script's title."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from dialer.queue import keys
from tests.integration.organizer_support import fixed_api, staff
from tests.stores import open_store

__all__ = ["fixed_api"]

# A NUL, a newline, DEL, a right-to-left override and a first-strong isolate: each inside a name.
BAD = [("Sam\u0000Smith", "0000", 4), ("Sam\nSmith", "000A", 4), ("Sam\u007f", "007F", 4),
       ("Sam\u202erekao", "202E", 4), ("\u2068Sam", "2068", 1)]  # fmt: skip


def refused(r: object, path: str, code: str, at: int) -> None:
    assert r.status_code == 422, r.text  # type: ignore[attr-defined]
    error = r.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "validation_error"
    expected = f"must not contain control or text-direction characters (U+{code} at character {at})"
    assert {"path": path, "message": expected} in error["details"], error


@pytest.mark.parametrize(("name", "code", "at"), BAD)
def test_names_with_control_or_direction_characters_are_refused(
    fixed_api: TestClient, clean_redis: str, name: str, code: str, at: int
) -> None:
    org = staff(fixed_api)["organizer"][1]
    body = {"email": "pat@example.org", "name": name, "password": "a long password"}
    refused(fixed_api.post("/api/auth/signup", json=body), "name", code, at)

    open_store(clean_redis).set(keys.script_latest("s"), 1)
    campaign = {"id": "n", "name": name, "script_id": "s", "caller_id": "+13125550199"}
    refused(fixed_api.post("/api/campaigns", json=campaign, headers=org), "name", code, at)
    campaign["name"] = "Names day"
    assert fixed_api.post("/api/campaigns", json=campaign, headers=org).status_code == 201
    refused(fixed_api.patch("/api/campaigns/n", json={"name": name}, headers=org), "name", code, at)
    target = [{"name": name, "phone": "+12025550150"}]
    r = fixed_api.patch("/api/campaigns/n", json={"transfer_targets": target}, headers=org)
    refused(r, "transfer_targets[0].name", code, at)
    assert fixed_api.get("/api/campaigns/n", headers=org).json()["name"] == "Names day"

    refused(fixed_api.post("/api/teams", json={"name": name}, headers=org), "name", code, at)
    team = fixed_api.post("/api/teams", json={"name": "Riverside"}, headers=org)
    assert team.status_code == 201, team.text
    r = fixed_api.patch(f"/api/teams/{team.json()['id']}", json={"name": name}, headers=org)
    refused(r, "name", code, at)

    script = (
        f"id: named\ntitle: {json.dumps(name)}\nstart: a\nsteps:\n  a:\n    text: Hi\n    result: contacted\n"
    )
    r = fixed_api.post("/api/scripts", content=script, headers={**org, "Content-Type": "application/yaml"})
    assert r.status_code == 422, r.text
    problems = r.json()["error"]["details"]
    assert any(p["path"] == "title" and f"U+{code} at character {at}" in p["message"] for p in problems), (
        problems
    )


def test_names_in_other_scripts_and_languages_are_kept(fixed_api: TestClient) -> None:
    body = {"email": "nour@example.org", "name": "نور \u200fO'Brien-Łukasz 李", "password": "a long password"}
    r = fixed_api.post("/api/auth/signup", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["user"]["name"] == body["name"]
