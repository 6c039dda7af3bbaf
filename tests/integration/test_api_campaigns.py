"""Campaigns over HTTP against a real Redis."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue import keys
from dialer.settings import Settings
from tests.conftest import ADMIN, bearer
from tests.stores import every_key, open_store

NOW = 1_800_000_000.0  # the app's clock where a test sets one: 2027-01-15T08:00:00Z
NEW = {"name": "Call day", "script_id": "gotv-2026", "caller_id": "+12025550142"}


@pytest.fixture(autouse=True)
def script_exists(clean_redis: str) -> None:
    # Campaigns refer to an uploaded script; the script store owns this key.
    open_store(clean_redis).set(keys.script_latest("gotv-2026"), 1)


def volunteer_token(api: TestClient, email: str = "v@example.org") -> str:
    r = api.post("/api/auth/signup", json={"email": email, "name": "V", "password": "long enough password"})
    api.cookies.clear()
    return str(r.json()["token"])


def test_create_read_list(api: TestClient) -> None:
    r = api.post("/api/campaigns", json={**NEW, "id": "dc-call-day", "goal": 1000}, headers=ADMIN)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["id"] == "dc-call-day" and created["goal"] == 1000 and created["batch_size"] == 20
    assert api.get("/api/campaigns/dc-call-day", headers=ADMIN).json() == created
    assert [c["id"] for c in api.get("/api/campaigns", headers=ADMIN).json()] == ["dc-call-day"]


def test_generated_ids_and_duplicate_ids(api: TestClient) -> None:
    a = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()
    b = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()
    assert a["id"] != b["id"]
    r = api.post("/api/campaigns", json={**NEW, "id": a["id"]}, headers=ADMIN)
    assert r.status_code == 409 and r.json()["error"]["code"] == "campaign_exists"


def test_an_id_of_null_is_generated_as_when_not_given(api: TestClient) -> None:
    """API.md: `id` is generated when not given. A client that sends every field, null for those it leaves
    to the server (as `goal: null`), got 422 for `"id": null`."""
    r = api.post("/api/campaigns", json={**NEW, "id": None}, headers=ADMIN)
    assert r.status_code == 201, r.text
    made = r.json()["id"]
    assert made and api.get(f"/api/campaigns/{made}", headers=ADMIN).status_code == 200


def test_unknown_script_is_422(api: TestClient) -> None:
    r = api.post("/api/campaigns", json={**NEW, "script_id": "never-uploaded"}, headers=ADMIN)
    assert r.status_code == 422
    assert r.json()["error"]["details"] == [
        {"path": "script_id", "message": "no script 'never-uploaded' has been uploaded"}
    ]


def test_validation_reports_every_problem_and_writes_nothing(api: TestClient, clean_redis: str) -> None:
    before = set(every_key(open_store(clean_redis, decode_responses=True), "*"))
    r = api.post(
        "/api/campaigns",
        json={"name": "x", "caller_id": "5550142", "mode": "robo", "extra": 1},
        headers=ADMIN,
    )
    assert r.status_code == 422
    paths = {d["path"] for d in r.json()["error"]["details"]}
    assert paths == {"script_id", "caller_id", "mode", "extra"}
    assert set(every_key(open_store(clean_redis, decode_responses=True), "*")) == before


def test_roles(api: TestClient) -> None:
    token = volunteer_token(api)
    r = api.post("/api/campaigns", json=NEW, headers=bearer(token))
    assert r.status_code == 403
    cid = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()["id"]
    assert api.get(f"/api/campaigns/{cid}", headers=bearer(token)).status_code == 200
    assert (
        api.patch(f"/api/campaigns/{cid}", json={"status": "paused"}, headers=bearer(token)).status_code
        == 403
    )


def test_volunteers_see_callable_campaigns_organizers_see_all(api: TestClient) -> None:
    token = volunteer_token(api)
    open_id = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()["id"]
    closed_id = api.post("/api/campaigns", json={**NEW, "status": "closed"}, headers=ADMIN).json()["id"]
    assert [c["id"] for c in api.get("/api/campaigns", headers=bearer(token)).json()] == [open_id]
    assert {c["id"] for c in api.get("/api/campaigns", headers=ADMIN).json()} == {open_id, closed_id}


def test_pause_resume_close(api: TestClient) -> None:
    cid = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()["id"]
    assert (
        api.patch(f"/api/campaigns/{cid}", json={"status": "paused"}, headers=ADMIN).json()["status"]
        == "paused"
    )
    assert (
        api.patch(f"/api/campaigns/{cid}", json={"status": "active"}, headers=ADMIN).json()["status"]
        == "active"
    )
    assert (
        api.patch(f"/api/campaigns/{cid}", json={"status": "closed"}, headers=ADMIN).json()["status"]
        == "closed"
    )
    r = api.patch(f"/api/campaigns/{cid}", json={"status": "active"}, headers=ADMIN)
    assert r.status_code == 422
    assert api.get(f"/api/campaigns/{cid}", headers=ADMIN).json()["status"] == "closed"


def test_patch_validation_leaves_campaign_unchanged(api: TestClient) -> None:
    cid = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()["id"]
    r = api.patch(
        f"/api/campaigns/{cid}",
        json={"batch_size": 10, "calling_hours": {"start": "22:00", "end": "08:00"}},
        headers=ADMIN,
    )
    assert r.status_code == 422
    assert api.get(f"/api/campaigns/{cid}", headers=ADMIN).json()["batch_size"] == 20
    r = api.patch(f"/api/campaigns/{cid}", json={"batch_size": 10, "mode": "power"}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["batch_size"] == 10 and r.json()["mode"] == "power"


def test_the_campaign_as_read_can_be_patched_back(api: TestClient) -> None:
    """API.md: PATCH takes "any Campaign fields". The campaign as GET gives it, changed and sent back whole,
    was refused 422 because it carries its own id and created_at ("cannot be changed", though unchanged)."""
    cid = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()["id"]
    read = api.get(f"/api/campaigns/{cid}", headers=ADMIN).json()
    r = api.patch(f"/api/campaigns/{cid}", json={**read, "batch_size": 12, "status": "paused"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json() == {**read, "batch_size": 12, "status": "paused"}
    for field, value in (("id", "another-id"), ("created_at", "2020-01-01T00:00:00+00:00")):
        r = api.patch(f"/api/campaigns/{cid}", json={**read, field: value, "batch_size": 13}, headers=ADMIN)
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"] == [{"path": field, "message": "cannot be changed"}]
    assert api.get(f"/api/campaigns/{cid}", headers=ADMIN).json()["batch_size"] == 12


def test_a_campaign_can_be_created_archived_as_a_campaign_field(api: TestClient) -> None:
    """POST takes a Campaign ("see Campaign"), and `archived` is one of its fields: an organizer setting up
    next week's campaign (or copying one as read, without its id and created_at) was refused 422 "archived:
    unknown field". Created archived, it is the organizers' only until restored."""
    source = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()
    copy = {k: v for k, v in source.items() if k not in ("id", "created_at")}
    r = api.post("/api/campaigns", json={**copy, "id": "next-week", "archived": True}, headers=ADMIN)
    assert r.status_code == 201, r.text
    assert r.json()["archived"] is True
    volunteer = bearer(volunteer_token(api))
    assert [c["id"] for c in api.get("/api/campaigns", headers=volunteer).json()] == [source["id"]]
    r = api.post("/api/campaigns", json={**NEW, "id": "bad", "archived": "yes"}, headers=ADMIN)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "archived"
    assert api.patch("/api/campaigns/next-week", json={"archived": False}, headers=ADMIN).status_code == 200
    listed = {c["id"] for c in api.get("/api/campaigns", headers=volunteer).json()}
    assert listed == {source["id"], "next-week"}


def test_created_at_is_an_iso_time_as_api_md_has_every_time(app_settings: Settings) -> None:
    """API.md: "Times are ISO 8601 with offset (UTC)". A campaign's created_at was answered as Unix seconds
    (1796618921.26) by every campaign route; it is stored that way still, and a PATCH sending back either
    form of it unchanged is no change."""
    with TestClient(create_app(app_settings, clock=lambda: NOW), raise_server_exceptions=False) as api:
        created = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()
        cid = created["id"]
        answers = [
            created,
            api.get(f"/api/campaigns/{cid}", headers=ADMIN).json(),
            api.get("/api/campaigns", headers=ADMIN).json()[0],
            api.patch(f"/api/campaigns/{cid}", json={"batch_size": 9}, headers=ADMIN).json(),
        ]
        assert [a["created_at"] for a in answers] == ["2027-01-15T08:00:00+00:00"] * 4
        for sent in ("2027-01-15T08:00:00+00:00", NOW):
            r = api.patch(f"/api/campaigns/{cid}", json={"created_at": sent, "goal": 5}, headers=ADMIN)
            assert r.status_code == 200, r.text


def test_missing_campaign_is_404(api: TestClient) -> None:
    assert api.get("/api/campaigns/nope", headers=ADMIN).status_code == 404
    assert api.get("/api/campaigns/..%2F..%2Fetc", headers=ADMIN).status_code == 404
    assert api.patch("/api/campaigns/nope", json={"name": "x"}, headers=ADMIN).status_code == 404


def test_every_problem_at_once_including_the_script_and_a_caller_id_hint(api: TestClient) -> None:
    r = api.post(
        "/api/campaigns",
        json={"name": "x", "script_id": "petition", "caller_id": "(202) 555-0199"},
        headers=ADMIN,
    )
    assert r.status_code == 422
    details = {d["path"]: d["message"] for d in r.json()["error"]["details"]}
    assert details == {
        "caller_id": "must be a phone number with its area code (E.164): did you mean +12025550199?",
        "script_id": "no script 'petition' has been uploaded",
    }


def test_an_organizer_moves_the_start_of_the_day_alone(api: TestClient) -> None:
    """Mid-day, the organizer sends only the hour that changes: 422 before ("calling_hours.end: must be a
    time"); now the end stays as stored, GET shows the merged window, and a bad merge changes nothing."""
    api.post("/api/campaigns", json={**NEW, "id": "hours"}, headers=ADMIN)
    r = api.patch("/api/campaigns/hours", json={"calling_hours": {"start": "10:30"}}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert r.json()["calling_hours"] == {"start": "10:30", "end": "21:00"}
    r = api.patch("/api/campaigns/hours", json={"calling_hours": {"end": "19:00"}}, headers=ADMIN)
    assert r.json()["calling_hours"] == {"start": "10:30", "end": "19:00"}
    r = api.patch("/api/campaigns/hours", json={"calling_hours": {"start": "19:30"}}, headers=ADMIN)
    assert r.status_code == 422 and r.json()["error"]["details"] == [
        {"path": "calling_hours", "message": "start must be before end"}
    ]
    got = api.get("/api/campaigns/hours", headers=ADMIN).json()
    assert got["calling_hours"] == {"start": "10:30", "end": "19:00"}
