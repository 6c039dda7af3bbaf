"""API.md's roles, route by route: anonymous requests to anything but health, sign-up, sign-in and the carrier
webhooks get 401, a role too low gets 403 (each role includes the ones before it), and both come before the
body or the path is looked at (a refused caller learns nothing of what exists, and nothing is written)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.integration.organizer_support import staff
from tests.stores import every_key, open_store

ROLES = ("volunteer", "leader", "organizer", "admin")

# (method, path, the lowest role API.md allows); the ids name nothing that exists, the bodies are empty.
ROUTES = [
    ("PUT", "/api/users/u-none/role", "admin"),
    ("POST", "/api/scripts", "organizer"),
    ("GET", "/api/scripts/s-none", "organizer"),
    ("POST", "/api/campaigns", "organizer"),
    ("GET", "/api/campaigns", "volunteer"),
    ("GET", "/api/campaigns/c-none", "volunteer"),
    ("PATCH", "/api/campaigns/c-none", "organizer"),
    ("POST", "/api/campaigns/c-none/contacts", "organizer"),
    ("POST", "/api/dnc", "organizer"),
    ("DELETE", "/api/dnc/+12025550142", "organizer"),
    ("POST", "/api/campaigns/c-none/batches", "volunteer"),
    ("POST", "/api/batches/c-none.b-none/renew", "volunteer"),
    ("POST", "/api/batches/c-none.b-none/release", "volunteer"),
    ("POST", "/api/batches/c-none.b-none/results", "volunteer"),
    ("GET", "/api/campaigns/c-none/stats", "organizer"),
    ("GET", "/api/campaigns/c-none/results.csv", "organizer"),
    ("GET", "/api/voice/token", "volunteer"),
]


@pytest.mark.parametrize(("method", "path", "lowest"), ROUTES)
def test_anonymous_gets_401_and_a_role_too_low_403(
    api: TestClient, clean_redis: str, method: str, path: str, lowest: str
) -> None:
    people = staff(api)
    store = open_store(clean_redis, decode_responses=True)
    before = set(every_key(store, "*"))
    r = api.request(method, path, content=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 401, r.text
    assert r.json()["error"]["code"] == "unauthorized"
    for role in ROLES[: ROLES.index(lowest)]:
        r = api.request(
            method, path, content=b"{}", headers={**people[role][1], "Content-Type": "application/json"}
        )
        assert r.status_code == 403, (role, r.text)
        assert r.json()["error"]["code"] in {"forbidden", "not_holder"}
    for role in ROLES[ROLES.index(lowest) :]:
        r = api.request(
            method, path, content=b"{}", headers={**people[role][1], "Content-Type": "application/json"}
        )
        assert r.status_code not in (401, 403), (role, r.text)
    # Nothing of a campaign or the do-not-call list was written (the accounts' own keys aside).
    written = {k for k in set(every_key(store, "*")) - before if "{c:c-none}" in k or "dnc" in k}
    assert written == set()


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/healthz"), ("POST", "/api/auth/signup"), ("POST", "/api/auth/login")]
    + [("POST", p) for p in ("/twilio/voice", "/twilio/status", "/twilio/amd")],
)
def test_health_sign_up_sign_in_and_webhooks_are_open_to_anonymous_callers(
    api: TestClient, method: str, path: str
) -> None:
    r = api.request(method, path, json={})
    # Not 401: sign-up and sign-in refuse the empty body (422), an unsigned webhook is 403 (its own check).
    assert r.status_code != 401, r.text
