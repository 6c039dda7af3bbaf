"""A script uploaded before the checks for circles existed is still read back (campaigns call with it), so
nothing refused it and nothing said it traps volunteers. Staff now see what the later checks find, as
warnings: on the Scripts page, on the campaign using it (dashboard and settings) and in its "Check and
preview", which still walks it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
import yaml
from starlette.testclient import TestClient

from dialer.connections import async_client
from dialer.scripts import validate_script
from dialer.settings import Settings
from dialer.stores.scripts import ScriptStore
from tests.browser.harness import compose_app
from tests.conftest import ADMIN, bearer

# `plan` and `ward` lead on to each other: a contact in ward 3 goes round for ever (refused on upload now).
TRAP = yaml.safe_load("""id: ward-loop
title: Ward loop
start: hello
steps:
  hello:
    text: "Hi {{ contact.first_name }}, can we count on your vote?"
    choices:
      - {label: "Yes", next: plan}
      - {label: "No", result: refused}
  plan:
    text: Let's make a plan.
    next:
      - {when: "contact.ward == '3'", goto: ward}
      - {goto: thanks}
  ward:
    text: Your ward votes at the school.
    next: plan
  thanks:
    text: Thank you!
    result: contacted
""")
CIRCLE = "can lead on to each other in a circle"


async def _store(url: str, doc: dict[str, object]) -> None:
    script, problems = validate_script(doc, stored=True)  # as a version saved before the check was
    assert script is not None, problems
    client = async_client(url)
    try:
        await ScriptStore(client).save(script, now=1_795_600_000.0)
    finally:
        await client.aclose()


@pytest.fixture
def web(app_settings: Settings) -> Iterator[TestClient]:
    asyncio.run(_store(app_settings.redis_url or "", TRAP))
    with TestClient(compose_app(app_settings), raise_server_exceptions=False) as client:
        body = {"id": "ward", "name": "Ward 3", "script_id": "ward-loop", "caller_id": "+12025550142"}
        assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        yield client


def test_the_upload_refuses_the_trap_today(web: TestClient) -> None:
    r = web.post("/api/scripts", json=TRAP, headers=ADMIN)
    assert r.status_code == 422
    assert any(CIRCLE in d["message"] for d in r.json()["error"]["details"])


def test_the_scripts_page_and_the_campaign_warn_of_the_stored_trap(web: TestClient) -> None:
    for page in ("/scripts", "/campaigns/ward/dashboard", "/campaigns/ward/settings"):
        r = web.get(page, headers=ADMIN)
        assert r.status_code == 200, page
        assert "can trap volunteers" in r.text, page
        assert "ward-loop</a> (version 1)" in r.text, page
        assert "steps.plan.next" in r.text and CIRCLE in r.text, page


def test_a_fixed_version_takes_the_warnings_away(web: TestClient) -> None:
    fixed = json.loads(json.dumps(TRAP))
    fixed["steps"]["ward"]["next"] = "thanks"
    assert web.post("/api/scripts", json=fixed, headers=ADMIN).status_code == 201
    for page in ("/scripts", "/campaigns/ward/dashboard"):
        assert "can trap volunteers" not in web.get(page, headers=ADMIN).text, page


def test_check_and_preview_walks_the_stored_script_and_lists_the_findings_as_warnings(
    web: TestClient,
) -> None:
    stored = web.get("/api/scripts/ward-loop", headers=ADMIN).json()
    source = json.dumps({k: v for k, v in stored.items() if k != "version"}, indent=2)  # as the page opens it
    r = web.post("/scripts/preview", json={"source": source, "contact": {}, "events": []}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json()["step"]["id"] == "hello"
    warnings = {w["path"]: w for w in r.json()["warnings"]}
    assert set(warnings) >= {"steps.plan.next", "steps.ward.next"}
    assert CIRCLE in warnings["steps.plan.next"]["message"]
    assert "added after this version was uploaded" in warnings["steps.plan.next"]["message"]
    assert warnings["steps.plan.next"]["later_check"] is True
    assert isinstance(warnings["steps.plan.next"]["line"], int)
    edited = source.replace("Your ward votes at the school.", "Your ward votes at the library.")
    r = web.post("/scripts/preview", json={"source": edited, "contact": {}, "events": []}, headers=ADMIN)
    assert r.status_code == 422  # an edit is a new upload: the checks refuse it as they would the upload
    assert any(CIRCLE in d["message"] for d in r.json()["error"]["details"])


def test_the_campaign_api_gives_the_findings_the_pages_show(web: TestClient) -> None:
    """The dashboard and settings warn that the campaign's script can trap volunteers; an organizer's tool
    reading `GET /api/campaigns/{id}` had no way to know. Now `script_findings` says it (null when clean,
    absent for volunteers, who cannot read scripts), and the answer can still be sent back whole to PATCH."""
    got = web.get("/api/campaigns/ward", headers=ADMIN).json()
    findings = got["script_findings"]
    assert (findings["script_id"], findings["version"]) == ("ward-loop", 1)
    paths = {w["path"] for w in findings["warnings"]}
    assert "steps.plan.next" in paths
    assert any(CIRCLE in w["message"] for w in findings["warnings"])
    r = web.patch("/api/campaigns/ward", json={**got, "name": "Ward 3 calls"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    signup = {"email": "vol@example.org", "name": "Vol", "password": "a long password"}
    volunteer = bearer(web.post("/api/auth/signup", json=signup).json()["token"])
    web.cookies.clear()
    seen = web.get("/api/campaigns/ward", headers=volunteer).json()
    assert seen["name"] == "Ward 3 calls" and "script_findings" not in seen
    fixed = json.loads(json.dumps(TRAP))
    fixed["steps"]["ward"]["next"] = "thanks"
    assert web.post("/api/scripts", json=fixed, headers=ADMIN).status_code == 201
    assert web.get("/api/campaigns/ward", headers=ADMIN).json()["script_findings"] is None
