"""A leader leads the team they are in: joining, creating or leaving another team would cut them off their own
team's roster while the team still named them, so it is refused until an organizer hands the team over."""

from __future__ import annotations

from starlette.testclient import TestClient

from dialer.queue import keys
from tests.conftest import ADMIN
from tests.integration.test_api_teams import account
from tests.stores import open_store


def _campaign(api: TestClient, clean_redis: str) -> None:
    open_store(clean_redis).set(keys.script_latest("s"), 1)
    body = {"id": "tl", "name": "T", "script_id": "s", "caller_id": "+13125550199",
            "calling_hours": {"start": "08:00", "end": "21:00"}}  # fmt: skip
    assert api.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201


def _leader(api: TestClient, email: str) -> tuple[str, dict[str, str]]:
    user_id, headers = account(api, email)
    assert api.put(f"/api/users/{user_id}/role", json={"role": "leader"}, headers=ADMIN).status_code == 200
    return user_id, headers


def test_a_leader_keeps_their_team_until_an_organizer_hands_it_over(
    api: TestClient, clean_redis: str
) -> None:
    _campaign(api, clean_redis)
    lee_id, lee = _leader(api, "lee@example.org")
    kim_id, kim = _leader(api, "kim@example.org")
    east = api.post("/api/teams", json={"name": "Eastside"}, headers=lee).json()
    west = api.post("/api/teams", json={"name": "Westside"}, headers=kim).json()
    assert api.get("/api/campaigns/tl/roster", headers=lee).status_code == 200

    # Joining Westside, creating a second team, leaving: each would leave Lee leading a team they are not in.
    r = api.post("/api/teams/join", json={"join_code": west["join_code"]}, headers=lee)
    assert r.status_code == 409 and r.json()["error"]["code"] == "leads_team"
    assert "You lead the team Eastside" in r.json()["error"]["message"]
    assert api.post("/api/teams", json={"name": "Second"}, headers=lee).status_code == 409
    assert api.delete("/api/teams/membership", headers=lee).status_code == 409
    r = api.put(f"/api/teams/{west['id']}/members/{lee_id}", headers=ADMIN)
    assert r.status_code == 409 and "lee leads the team Eastside" in r.json()["error"]["message"]
    # Lead kept: their own team's roster, survey and code, and the team still lists them.
    assert api.get("/api/campaigns/tl/roster", headers=lee).status_code == 200
    assert api.get(f"/api/teams/{east['id']}", headers=lee).json()["leader"] == lee_id
    # Joining one's own team again changes nothing and is no conflict.
    assert api.post("/api/teams/join", json={"join_code": east["join_code"]}, headers=lee).status_code == 200

    # An organizer hands Eastside over to another leader (Kim leads Westside: refused too), then Lee may go.
    vol_id, vol = account(api, "val@example.org")
    assert api.patch(f"/api/teams/{east['id']}", json={"leader": kim_id}, headers=ADMIN).status_code == 409
    r = api.patch(f"/api/teams/{east['id']}", json={"leader": vol_id}, headers=ADMIN)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "leader"
    assert api.patch(f"/api/teams/{east['id']}", json={"leader": "nobody"}, headers=ADMIN).status_code == 422
    assert api.patch(f"/api/teams/{east['id']}", json={"leader": kim_id}, headers=lee).status_code == 403
    ann_id, ann = _leader(api, "ann@example.org")
    r = api.patch(f"/api/teams/{east['id']}", json={"leader": ann_id}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["leader"] == ann_id
    members = [m["id"] for m in api.get(f"/api/teams/{east['id']}", headers=ann).json()["members"]]
    assert sorted(members) == sorted([lee_id, ann_id])  # the new leader joined; the old one stays a member
    assert api.get("/api/campaigns/tl/roster", headers=ann).status_code == 200
    assert api.post("/api/teams/join", json={"join_code": west["join_code"]}, headers=lee).status_code == 200
    assert api.get(f"/api/teams/{west['id']}", headers=kim).status_code == 200


def test_an_organizer_who_made_two_teams_hands_the_first_over(api: TestClient, clean_redis: str) -> None:
    org_id, org = account(api, "olga@example.org")
    api.put(f"/api/users/{org_id}/role", json={"role": "organizer"}, headers=ADMIN)
    first = api.post("/api/teams", json={"name": "First"}, headers=org).json()
    assert api.post("/api/teams", json={"name": "Second"}, headers=org).status_code == 201  # organizers may
    lee_id, lee = _leader(api, "lee@example.org")
    r = api.patch(f"/api/teams/{first['id']}", json={"leader": lee_id}, headers=org)
    assert r.status_code == 200 and r.json()["leader"] == lee_id
    mine = [t for t in api.get("/api/teams", headers=lee).json() if t["mine"]]
    assert [t["id"] for t in mine] == [first["id"]] and mine[0]["join_code"] == first["join_code"]


def test_a_demoted_leader_no_longer_sees_their_teams_join_code(api: TestClient, clean_redis: str) -> None:
    lee_id, lee = _leader(api, "lee@example.org")
    api.post("/api/teams", json={"name": "Eastside"}, headers=lee)
    assert "join_code" in api.get("/api/teams", headers=lee).json()[0]
    assert api.put(f"/api/users/{lee_id}/role", json={"role": "volunteer"}, headers=ADMIN).status_code == 200
    assert "join_code" not in api.get("/api/teams", headers=lee).json()[0]
