"""Finding 7: a time-zone *folder* name (`America/Indiana`, `America/Argentina`) answered 500
(IsADirectoryError). Zones are checked against the tz database's list wherever one is accepted."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from dialer.calling_hours import is_valid_zone
from dialer.contacts import time_zone_for
from dialer.queue import keys
from tests.conftest import ADMIN
from tests.stores import open_store

FOLDERS = ["America/Indiana", "America/Argentina", "America/Kentucky", "America/North_Dakota", "Etc", "."]
NOT_ZONES = [*FOLDERS, "../../etc/passwd", "/etc/localtime", "America/Nowhere", "", "America//Chicago"]
NEW = {"name": "Call day", "script_id": "gotv-2026", "caller_id": "+12025550142"}


@pytest.fixture(autouse=True)
def script_exists(clean_redis: str) -> None:
    open_store(clean_redis).set(keys.script_latest("gotv-2026"), 1)


@pytest.mark.parametrize("name", NOT_ZONES)
def test_only_zones_of_the_database_are_zones(name: str) -> None:
    assert not is_valid_zone(name)


def test_real_zones_inside_those_folders_are_fine() -> None:
    assert is_valid_zone("America/Indiana/Indianapolis") and is_valid_zone("America/Argentina/Cordoba")


@pytest.mark.parametrize("name", FOLDERS)
def test_creating_a_campaign_with_a_folder_is_422(api: TestClient, name: str) -> None:
    r = api.post("/api/campaigns", json={**NEW, "default_timezone": name}, headers=ADMIN)
    assert r.status_code == 422, r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == ["default_timezone"]


def test_patching_a_campaign_with_a_folder_is_422_and_changes_nothing(api: TestClient) -> None:
    cid = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()["id"]
    r = api.patch(f"/api/campaigns/{cid}", json={"default_timezone": "America/Argentina"}, headers=ADMIN)
    assert r.status_code == 422, r.text
    assert api.get(f"/api/campaigns/{cid}", headers=ADMIN).json()["default_timezone"] == "America/New_York"
    r = api.patch(f"/api/campaigns/{cid}", json={"default_timezone": "America/Indiana/Knox"}, headers=ADMIN)
    assert r.status_code == 200


def test_a_call_list_naming_a_folder_falls_back_like_any_unknown_zone(api: TestClient) -> None:
    assert time_zone_for(
        "+13175550142", timezone="America/Indiana", state="", zip_code="", default="America/Chicago"
    ) in ("America/Indiana/Indianapolis", "America/New_York", "America/Chicago")
    cid = api.post("/api/campaigns", json=NEW, headers=ADMIN).json()["id"]
    csv = "phone,timezone\n+13175550142,America/Indiana\n+13175550143,America/Argentina\n"
    r = api.post(f"/api/campaigns/{cid}/contacts", content=csv, headers={**ADMIN, "Content-Type": "text/csv"})
    assert r.status_code == 200 and r.json()["imported"] == 2, r.text
