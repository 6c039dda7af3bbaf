"""API.md's HTTP routes at the edges an integrator meets: what a well-made JSON API answers (API.md:
"where it is silent, do what a user of a well-made JSON API would expect")."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN

# Paths API.md serves with more than one method: a 405 on any of them must name them all in `Allow`
# (RFC 9110 15.5.6), not only those of the first route that matched the path.
SHARED_PATHS = [
    ("/api/campaigns", {"GET", "POST"}),
    ("/api/campaigns/c-none", {"GET", "PATCH"}),
    ("/api/scripts", {"GET", "POST"}),
]


@pytest.mark.parametrize(("path", "methods"), SHARED_PATHS)
def test_a_405_allows_every_method_of_the_path(api: TestClient, path: str, methods: set[str]) -> None:
    r = api.request("PUT", path, json={}, headers=ADMIN)
    assert r.status_code == 405, r.text
    assert r.json()["error"]["code"] == "method_not_allowed"
    allowed = {m.strip() for m in r.headers["allow"].split(",")}
    assert methods <= allowed, allowed
    assert "PUT" not in allowed


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/api/campaigns", {}),  # anonymous
        ("GET", "/api/campaigns", {"Authorization": "Bearer no-such-token"}),
        ("GET", "/api/campaigns/c-none/stats", {}),
    ],
)
def test_a_401_names_its_challenge(api: TestClient, method: str, path: str, headers: dict[str, str]) -> None:
    """RFC 9110 15.5.2: a 401 carries WWW-Authenticate. API.md's scheme is the bearer token; a client library
    that refreshes its token on a Bearer challenge never saw one."""
    r = api.request(method, path, headers=headers)
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "unauthorized"
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_a_wrong_password_401_names_its_challenge_too(api: TestClient) -> None:
    body = {"email": "nobody@example.org", "password": "not the password"}
    r = api.post("/api/auth/login", json=body)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
