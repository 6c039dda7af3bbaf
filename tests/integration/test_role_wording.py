"""Wording: refusals named the role with "a" whatever it was ("You may not disable or enable a organizer's
account", "a admin's account"); they say "an" before a vowel now."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.integration.organizer_support import account, fixed_api, staff

__all__ = ["fixed_api"]  # the fixture


def test_refusals_say_an_organizer_and_an_admin(fixed_api: TestClient) -> None:
    people = staff(fixed_api)
    _, organizer = people["organizer"]
    other_id, _ = account(fixed_api, "olive@example.org", "Olive Organizer", "organizer")
    admin_id, _ = people["admin"]
    leader_id, _ = people["leader"]

    def refusal(method: str, path: str, body: dict[str, object] | None = None) -> str:
        r = fixed_api.request(method, path, json=body, headers=organizer)
        assert r.status_code == 403, r.text
        return str(r.json()["error"]["message"])

    body = {"disabled": True}
    assert refusal("PUT", f"/api/users/{other_id}/disabled", body) == (
        "You may not disable or enable an organizer's account."
    )
    assert refusal("PUT", f"/api/users/{admin_id}/disabled", body) == (
        "You may not disable or enable an admin's account."
    )
    assert refusal("PUT", f"/api/users/{admin_id}/leader", {"leader": True}) == (
        "You may not change an admin's role: an admin's."
    )
    assert refusal("PUT", f"/api/users/{leader_id}/role", {"role": "volunteer"}) == (
        "This needs the admin role; you are an organizer."
    )
