"""Finding 8: a team created with the admin token wrote a partial `user:admin` record; then the team's page
and `PUT /api/users/admin/role` answered 500. The token's pseudo-user is never stored as a user."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import ADMIN, bearer
from tests.stores import open_store


def _leader(api: TestClient) -> str:
    r = api.post(
        "/api/auth/signup", json={"email": "lead@example.org", "name": "Lee", "password": "a long password"}
    )
    assert r.status_code == 201
    api.cookies.clear()
    uid, token = r.json()["user"]["id"], r.json()["token"]
    assert api.put(f"/api/users/{uid}/role", json={"role": "leader"}, headers=ADMIN).status_code == 200
    return str(token)


def test_the_admin_token_cannot_lead_or_join_a_team_and_nothing_is_stored(
    api: TestClient, clean_redis: str
) -> None:
    r = api.post("/api/teams", json={"name": "Night owls"}, headers=ADMIN)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_an_account"
    team = api.post("/api/teams", json={"name": "Early birds"}, headers=bearer(_leader(api))).json()
    r = api.post("/api/teams/join", json={"join_code": team["join_code"]}, headers=ADMIN)
    assert r.status_code == 403
    assert api.delete("/api/teams/membership", headers=ADMIN).status_code == 204
    store = open_store(clean_redis)
    assert not store.exists("dialer:user:admin")
    assert api.get(f"/api/teams/{team['id']}", headers=ADMIN).status_code == 200
    r = api.put("/api/users/admin/role", json={"role": "volunteer"}, headers=ADMIN)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_a_partial_user_record_left_by_older_versions_is_no_user(api: TestClient, clean_redis: str) -> None:
    token = _leader(api)
    team = api.post("/api/teams", json={"name": "Early birds"}, headers=bearer(token)).json()
    store = open_store(clean_redis)
    store.hset("dialer:user:admin", "team", team["id"])  # what a team made with the admin token used to leave
    store.sadd(f"dialer:team-members:{team['id']}", "admin")
    r = api.get(f"/api/teams/{team['id']}", headers=ADMIN)
    assert r.status_code == 200, r.text
    assert [m["name"] for m in r.json()["members"]] == ["Lee"]
    r = api.put("/api/users/admin/role", json={"role": "organizer"}, headers=ADMIN)
    assert r.status_code == 404
    assert store.hgetall("dialer:user:admin") == {b"team": team["id"].encode()}  # not made any more complete
