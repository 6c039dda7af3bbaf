"""Finding 13: a JSON string holding a lone UTF-16 surrogate (`"\\ud800"`, valid JSON grammar, not text)
answered 500 wherever it reached Redis as a string: a team's name, a join code, a skipped or called
contact's id. Any JSON body holding one is now a 400 `invalid_json`, before a handler sees it, so nothing
is stored. (Surrogate *pairs*, as `json.dumps` writes an emoji, are text and stay accepted.)"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN, bearer

JSON = {"Content-Type": "application/json"}


def _leader(api: TestClient) -> dict[str, str]:
    r = api.post(
        "/api/auth/signup", json={"email": "lead@example.org", "name": "Lee", "password": "a long password"}
    )
    assert r.status_code == 201
    api.cookies.clear()
    uid = r.json()["user"]["id"]
    assert api.put(f"/api/users/{uid}/role", json={"role": "leader"}, headers=ADMIN).status_code == 200
    return bearer(r.json()["token"])


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/teams", b'{"name": "Night \\ud800 owls"}'),
        ("POST", "/api/teams", b'{"name": "\\uDC00"}'),
        ("POST", "/api/teams/join", b'{"join_code": "\\ud800"}'),
        ("POST", "/api/teams", b'{"name": {"nested": ["\\udbff"]}}'),
        ("POST", "/api/teams", b'{"\\ud800": "key"}'),
    ],
)
def test_a_lone_surrogate_is_a_400_and_stores_nothing(
    api: TestClient, method: str, path: str, body: bytes
) -> None:
    headers = {**_leader(api), **JSON}
    r = api.request(method, path, content=body, headers=headers)
    assert r.status_code == 400, r.text
    assert r.json()["error"]["code"] == "invalid_json"
    assert "surrogate" in r.json()["error"]["message"]
    assert api.get("/api/teams", headers=headers).json() == []


def test_surrogate_pairs_are_text(api: TestClient) -> None:
    headers = {**_leader(api), **JSON}
    r = api.post("/api/teams", content=b'{"name": "Owls \\ud83e\\udd89"}', headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "Owls \U0001f989"
