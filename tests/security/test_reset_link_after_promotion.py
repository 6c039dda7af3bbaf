"""A reset link is made for an account as it is: an organizer may make one for a volunteer, but once an admin
raises that account to organizer or admin, the link the organizer holds must not set the new organizer's or
admin's password (the organizer would take over a rank they may not reset; test_password_reset_rank.py
refuses them the link itself). Any change of role ends an outstanding link, as a new link or a changed
password does."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN
from tests.integration.organizer_support import account, fixed_api

__all__ = ["fixed_api"]


@pytest.mark.parametrize("new_role", ["organizer", "admin"])
def test_a_reset_link_stops_working_when_its_account_is_promoted(
    fixed_api: TestClient, clean_redis: str, new_role: str
) -> None:
    _, mallory = account(fixed_api, "mallory@example.org", "Mallory Organizer", "organizer")
    vol_id, vol = account(fixed_api, "vera@example.org", "Vera Volunteer")
    made = fixed_api.post(f"/api/users/{vol_id}/password-reset", headers=mallory)
    assert made.status_code == 201, made.text
    token = made.json()["url"].rsplit("/", 1)[1]
    assert (
        fixed_api.put(f"/api/users/{vol_id}/role", json={"role": new_role}, headers=ADMIN).status_code == 200
    )

    page = fixed_api.get(f"/reset/{token}")
    assert page.status_code == 404, page.text
    used = fixed_api.post(
        "/api/auth/password-reset", json={"token": token, "new_password": "violet kettle harbour"}
    )
    assert used.status_code == 404, used.text
    assert used.json()["error"]["code"] == "unknown_link"
    fixed_api.cookies.clear()
    assert fixed_api.get("/api/me", headers=vol).status_code == 200  # no session of theirs ended
    signed_in = fixed_api.post(
        "/api/auth/login", json={"email": "vera@example.org", "password": "a long password"}
    )
    assert signed_in.status_code == 200, signed_in.text


def test_a_reset_link_stops_working_when_an_organizer_makes_its_account_a_leader(
    fixed_api: TestClient, clean_redis: str
) -> None:
    _, org = account(fixed_api, "olga@example.org", "Olga Organizer", "organizer")
    vol_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer")
    token = fixed_api.post(f"/api/users/{vol_id}/password-reset", headers=org).json()["url"].rsplit("/", 1)[1]
    assert fixed_api.put(f"/api/users/{vol_id}/leader", json={"leader": True}, headers=org).status_code == 200
    used = fixed_api.post(
        "/api/auth/password-reset", json={"token": token, "new_password": "violet kettle harbour"}
    )
    assert used.status_code == 404, used.text


def test_a_reset_link_made_after_the_promotion_works(fixed_api: TestClient, clean_redis: str) -> None:
    vol_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer", "organizer")
    made = fixed_api.post(f"/api/users/{vol_id}/password-reset", headers=ADMIN)
    assert made.status_code == 201, made.text
    token = made.json()["url"].rsplit("/", 1)[1]
    used = fixed_api.post(
        "/api/auth/password-reset", json={"token": token, "new_password": "violet kettle harbour"}
    )
    assert used.status_code == 200, used.text
