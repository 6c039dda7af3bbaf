"""Finding (probe): the reset links an organizer made outlived the organizer's own rank.

An organizer makes a link for a volunteer and keeps it (or has it in the texts they sent). If that organizer
is then disabled or made a volunteer (the usual answer to an organizer who misbehaves), each unused link
still set its account's password for the rest of its 24 hours: the removed organizer could take over the
volunteers' accounts after losing the right to. A link now works only while its maker could still make it;
links made by the admin token, or by an organizer still in place, work as before."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import ADMIN
from tests.integration.organizer_support import account, fixed_api

__all__ = ["fixed_api"]

NEW_PASSWORD = "violet kettle harbour"


def _link(client: TestClient, uid: str, headers: dict[str, str]) -> str:
    made = client.post(f"/api/users/{uid}/password-reset", headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["url"].rsplit("/", 1)[1])


def _use(client: TestClient, token: str) -> int:
    return client.post(
        "/api/auth/password-reset", json={"token": token, "new_password": NEW_PASSWORD}
    ).status_code


@pytest.mark.parametrize("removal", ["disabled", "demoted"])
def test_the_links_of_a_removed_organizer_stop_working(
    fixed_api: TestClient, clean_redis: str, removal: str
) -> None:
    mallory_id, mallory = account(fixed_api, "mallory@example.org", "Mallory Organizer", "organizer")
    vol_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer")
    held = _link(fixed_api, vol_id, mallory)
    if removal == "disabled":
        r = fixed_api.put(f"/api/users/{mallory_id}/disabled", json={"disabled": True}, headers=ADMIN)
    else:
        r = fixed_api.put(f"/api/users/{mallory_id}/role", json={"role": "volunteer"}, headers=ADMIN)
    assert r.status_code == 200, r.text

    assert fixed_api.get(f"/reset/{held}").status_code == 404
    assert _use(fixed_api, held) == 404
    fixed_api.cookies.clear()
    signed_in = fixed_api.post(
        "/api/auth/login", json={"email": "vera@example.org", "password": "a long password"}
    )
    assert signed_in.status_code == 200, signed_in.text  # the password is still the owner's


def test_links_of_an_organizer_in_place_and_of_the_admin_token_work(
    fixed_api: TestClient, clean_redis: str
) -> None:
    _, olga = account(fixed_api, "olga@example.org", "Olga Organizer", "organizer")
    vera_id, _ = account(fixed_api, "vera@example.org", "Vera Volunteer")
    vic_id, _ = account(fixed_api, "vic@example.org", "Vic Volunteer")
    assert _use(fixed_api, _link(fixed_api, vera_id, olga)) == 200
    assert _use(fixed_api, _link(fixed_api, vic_id, ADMIN)) == 200
