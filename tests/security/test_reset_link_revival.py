"""A reset link that stopped working must not start working again.

A link works only while its account is as it was when the link was made. Two changes ended it for a while
and then gave it back its 24 hours:
- Disabled, then enabled. An organizer who sent a link to the wrong number (or whose text was read over a
  shoulder) disables the account at once: its sessions end, and the link answers 403 account_disabled.
  Enabling the account brought the link back, so whoever held it could set the password and take over.
- A role and back. A volunteer made a team leader for the call day (or an organizer by an admin) had the
  link refused (404, test_reset_link_after_promotion.py); made a volunteer again, the link worked again.
Now enabling an account and every change of role end the link (404 unknown_link); a link made afterwards
works."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import ADMIN
from tests.integration.organizer_support import account, fixed_api

__all__ = ["fixed_api"]

NEW_PASSWORD = "violet kettle harbour"


def _link(client: TestClient, uid: str, headers: dict[str, str]) -> str:
    made = client.post(f"/api/users/{uid}/password-reset", headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["url"].rsplit("/", 1)[1])


def _disabled(client: TestClient, uid: str, headers: dict[str, str], value: bool) -> None:
    answer = client.put(f"/api/users/{uid}/disabled", json={"disabled": value}, headers=headers)
    assert answer.status_code == 200, answer.text


def test_a_reset_link_made_before_the_account_was_disabled_stays_dead_once_it_is_enabled(
    fixed_api: TestClient, clean_redis: str
) -> None:
    _, org = account(fixed_api, "olga@example.org", "Olga Organizer", "organizer")
    vol_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer")
    leaked = _link(fixed_api, vol_id, org)
    _disabled(fixed_api, vol_id, org, True)
    _disabled(fixed_api, vol_id, org, False)

    page = fixed_api.get(f"/reset/{leaked}")
    assert page.status_code == 404, page.text
    used = fixed_api.post("/api/auth/password-reset", json={"token": leaked, "new_password": NEW_PASSWORD})
    assert used.status_code == 404, used.text
    assert used.json()["error"]["code"] == "unknown_link"
    fixed_api.cookies.clear()
    signed_in = fixed_api.post(
        "/api/auth/login", json={"email": "vera@example.org", "password": "a long password"}
    )
    assert signed_in.status_code == 200, signed_in.text  # the password is still the owner's


def test_a_link_made_after_the_account_is_enabled_again_works(
    fixed_api: TestClient, clean_redis: str
) -> None:
    _, org = account(fixed_api, "olga@example.org", "Olga Organizer", "organizer")
    vol_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer")
    _link(fixed_api, vol_id, org)
    _disabled(fixed_api, vol_id, org, True)
    _disabled(fixed_api, vol_id, org, False)
    fresh = _link(fixed_api, vol_id, org)
    used = fixed_api.post("/api/auth/password-reset", json={"token": fresh, "new_password": NEW_PASSWORD})
    assert used.status_code == 200, used.text


def _leader(client: TestClient, uid: str, headers: dict[str, str], value: bool) -> None:
    answer = client.put(f"/api/users/{uid}/leader", json={"leader": value}, headers=headers)
    assert answer.status_code == 200, answer.text


def test_a_reset_link_stays_dead_when_its_account_gets_its_old_role_back(
    fixed_api: TestClient, clean_redis: str
) -> None:
    """A volunteer made a team leader for the call day and a volunteer again after it: the link an
    organizer made before the call day ended with the first change of role (test_reset_link_after_promotion)
    and must not come back with the old role."""
    _, org = account(fixed_api, "olga@example.org", "Olga Organizer", "organizer")
    vol_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer")
    leaked = _link(fixed_api, vol_id, org)
    _leader(fixed_api, vol_id, org, True)
    _leader(fixed_api, vol_id, org, False)
    used = fixed_api.post("/api/auth/password-reset", json={"token": leaked, "new_password": NEW_PASSWORD})
    assert used.status_code == 404, used.text
    assert fixed_api.get(f"/reset/{leaked}").status_code == 404


def test_an_admins_round_trip_of_the_role_ends_the_link_too(fixed_api: TestClient, clean_redis: str) -> None:
    _, org = account(fixed_api, "olga@example.org", "Olga Organizer", "organizer")
    vol_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer")
    leaked = _link(fixed_api, vol_id, org)
    for role in ("organizer", "volunteer"):
        assert (
            fixed_api.put(f"/api/users/{vol_id}/role", json={"role": role}, headers=ADMIN).status_code == 200
        )
    used = fixed_api.post("/api/auth/password-reset", json={"token": leaked, "new_password": NEW_PASSWORD})
    assert used.status_code == 404, used.text
    fresh = _link(fixed_api, vol_id, org)  # a link made now works
    used = fixed_api.post("/api/auth/password-reset", json={"token": fresh, "new_password": NEW_PASSWORD})
    assert used.status_code == 200, used.text
