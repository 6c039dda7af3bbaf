"""A campaign's transfer targets against its script, through the API: a script naming a target the
campaign does not list is refused with where (on create, on a changed script or list), and nothing is
saved."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN
from tests.unit.test_transfers import RIDES, SCRIPT


@pytest.fixture
def client(clean_redis: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(redis_url=clean_redis, data_dir=tmp_path, secret_key="s", admin_token=ADMIN_TOKEN)
    with TestClient(create_app(settings)) as c:
        r = c.post("/api/scripts", content=SCRIPT, headers={**ADMIN, "Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        yield c


def test_the_script_names_only_listed_targets(client: TestClient) -> None:
    body = {"id": "rc", "name": "Rides", "script_id": "rides", "caller_id": "+12025550199"}
    r = client.post("/api/campaigns", json=body, headers=ADMIN)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["path"] == "steps.intro.choices[0].transfer"
    assert client.get("/api/campaigns/rc", headers=ADMIN).status_code == 404  # nothing saved
    r = client.post("/api/campaigns", json={**body, "transfer_targets": [RIDES]}, headers=ADMIN)
    assert r.status_code == 201 and r.json()["transfer_targets"] == [RIDES]
    r = client.patch("/api/campaigns/rc", json={"transfer_targets": []}, headers=ADMIN)
    assert r.status_code == 422 and "Rides desk" in r.json()["error"]["details"][0]["message"]
    assert client.get("/api/campaigns/rc", headers=ADMIN).json()["transfer_targets"] == [RIDES]
    renamed = {"name": "Rides", "phone": RIDES["phone"]}
    r = client.patch("/api/campaigns/rc", json={"transfer_targets": [RIDES, renamed]}, headers=ADMIN)
    assert r.status_code == 200 and len(r.json()["transfer_targets"]) == 2


def test_a_new_script_version_naming_a_target_its_campaigns_lack_is_refused(client: TestClient) -> None:
    yaml = {**ADMIN, "Content-Type": "application/yaml"}
    plain = SCRIPT.replace('transfer: "Rides desk", ', "").replace("id: rides", "id: plain")
    assert client.post("/api/scripts", content=plain, headers=yaml).status_code == 201
    body = {"id": "pc", "name": "Plain", "script_id": "plain", "caller_id": "+12025550199"}
    assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
    # Version 2 hands voters to the rides desk, which campaign pc does not list: refused, nothing saved.
    v2 = SCRIPT.replace("id: rides", "id: plain")
    r = client.post("/api/scripts", content=v2, headers=yaml)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_script", r.text
    detail = r.json()["error"]["details"][0]
    assert detail["path"] == "steps.intro.choices[0].transfer" and "campaign 'pc'" in detail["message"]
    assert client.get("/api/scripts/plain", headers=ADMIN).json()["version"] == 1
    # The campaign lists the target first: then the new version is taken.
    r = client.patch("/api/campaigns/pc", json={"transfer_targets": [RIDES]}, headers=ADMIN)
    assert r.status_code == 200, r.text
    assert client.post("/api/scripts", content=v2, headers=yaml).status_code == 201
    # An archived campaign is not in the way, but is checked when it is restored.
    assert client.patch("/api/campaigns/pc", json={"archived": True}, headers=ADMIN).status_code == 200
    v3 = v2.replace("Rides desk", "Legal desk")
    assert client.post("/api/scripts", content=v3, headers=yaml).status_code == 201
    r = client.patch("/api/campaigns/pc", json={"archived": False}, headers=ADMIN)
    assert r.status_code == 422 and "Legal desk" in r.json()["error"]["details"][0]["message"]


def test_volunteers_read_the_targets_names_not_their_numbers(client: TestClient) -> None:
    body = {"id": "rc", "name": "Rides", "script_id": "rides", "caller_id": "+12025550199"}
    assert (
        client.post("/api/campaigns", json={**body, "transfer_targets": [RIDES]}, headers=ADMIN).status_code
        == 201
    )
    r = client.post(
        "/api/auth/signup", json={"email": "val@example.org", "name": "Val", "password": "a long password"}
    )
    volunteer = {"Authorization": f"Bearer {r.json()['token']}"}
    client.cookies.clear()
    assert client.get("/api/campaigns/rc", headers=volunteer).json()["transfer_targets"] == [
        {"name": "Rides desk"}
    ]
    listed = client.get("/api/campaigns", headers=volunteer).json()
    assert [c["transfer_targets"] for c in listed] == [[{"name": "Rides desk"}]]
    page = client.get("/call/rc", headers=volunteer)
    assert page.status_code == 200 and RIDES["phone"] not in page.text and "Rides desk" in page.text
    # Organizers still read (and edit) the numbers.
    assert client.get("/api/campaigns/rc", headers=ADMIN).json()["transfer_targets"] == [RIDES]
    assert client.get("/api/campaigns", headers=ADMIN).json()[0]["transfer_targets"] == [RIDES]
