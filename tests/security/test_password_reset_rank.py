"""A password-reset link is a way into an account: an organizer must not be able to make one for another
organizer or an admin (that would let any organizer take over an admin's account and raise themselves).
Only an admin makes links for organizers and admins. A refused request stores no link, and a guessed link
counts as a failed sign-in of its address."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from dialer.stores import signin_limits
from tests.integration.organizer_support import account, fixed_api
from tests.stores import open_store

__all__ = ["fixed_api"]


@pytest.mark.parametrize("target_role", ["organizer", "admin"])
def test_an_organizer_cannot_make_a_reset_link_for_an_organizer_or_admin(
    fixed_api: TestClient, clean_redis: str, target_role: str
) -> None:
    _, mallory = account(fixed_api, "mallory@example.org", "Mallory Organizer", "organizer")
    target_id, target = account(fixed_api, "tara@example.org", "Tara Target", target_role)
    r = fixed_api.post(f"/api/users/{target_id}/password-reset", headers=mallory)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "forbidden"
    assert f"{target_role}'s account" in r.json()["error"]["message"]
    store = open_store(clean_redis, decode_responses=True)
    assert not store.exists(f"dialer:user:{target_id}:password-reset")
    # The account's history holds its role change (made by the admin), and no reset link.
    history = [fields["action"] for _, fields in store.xrange(f"dialer:user:{target_id}:audit")]
    assert "password_reset_link" not in history and history == ["role_changed"]
    assert fixed_api.get("/api/me", headers=target).status_code == 200


def test_a_guessed_link_counts_as_a_failed_sign_in(fixed_api: TestClient, clean_redis: str) -> None:
    vol_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer")
    guess = f"{vol_id}.{'A' * 43}"
    for _ in range(3):
        r = fixed_api.post(
            "/api/auth/password-reset", json={"token": guess, "new_password": "violet kettle harbour"}
        )
        assert r.status_code == 404
    store = open_store(clean_redis, decode_responses=True)
    assert int(store.get(signin_limits._address_key("testclient")) or 0) == 3
