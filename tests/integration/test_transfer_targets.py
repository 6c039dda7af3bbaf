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
