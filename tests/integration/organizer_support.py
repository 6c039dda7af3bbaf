"""Shared set-up for the organizer pages' API tests: an app on a fixed clock and accounts per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.settings import Settings
from tests.conftest import ADMIN, bearer

NOW = 1_800_000_000.0  # the app's clock in these tests: nothing here reads the wall clock


@pytest.fixture
def fixed_api(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings, clock=lambda: NOW), raise_server_exceptions=False) as client:
        yield client


def account(api: TestClient, email: str, name: str, role: str | None = None) -> tuple[str, dict[str, str]]:
    """A signed-up account (its role set by the admin token when given): (id, its bearer headers)."""
    r = api.post("/api/auth/signup", json={"email": email, "name": name, "password": "a long password"})
    assert r.status_code == 201, r.text
    api.cookies.clear()
    uid = r.json()["user"]["id"]
    if role:
        assert api.put(f"/api/users/{uid}/role", json={"role": role}, headers=ADMIN).status_code == 200
    return uid, bearer(r.json()["token"])


def staff(api: TestClient) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        role: account(
            api, f"{role}@example.org", f"{role.title()} Person", role if role != "volunteer" else None
        )
        for role in ("volunteer", "leader", "organizer", "admin")
    }
