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
