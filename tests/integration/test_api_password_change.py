"""Changing your own password (`POST /api/auth/password`): the sign-up policy, a wrong current password
(403, counted like a failed sign-in), and every other session of the account ending while this one stays."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import ADMIN, bearer
from tests.integration.organizer_support import account, fixed_api

__all__ = ["fixed_api"]

OLD = "a long password"
NEW = "violet kettle harbour"


def _sign_in(api: TestClient, email: str, password: str = OLD) -> dict[str, str]:
    r = api.post("/api/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    api.cookies.clear()
    return bearer(r.json()["token"])


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(fixed_api: TestClient) -> None:
    _, here = account(fixed_api, "vera@example.org", "Vera Volunteer")
    elsewhere = _sign_in(fixed_api, "vera@example.org")
    _, other_person = account(fixed_api, "olga@example.org", "Olga Other")
    r = fixed_api.post(
        "/api/auth/password", json={"current_password": OLD, "new_password": NEW}, headers=here
    )
    assert r.status_code == 200, r.text
    assert r.json()["user"]["email"] == "vera@example.org" and r.json()["sessions_ended"] == 1
    assert fixed_api.get("/api/me", headers=here).status_code == 200
    assert fixed_api.get("/api/me", headers=elsewhere).status_code == 401
    assert fixed_api.get("/api/me", headers=other_person).status_code == 200  # nobody else's
    old = fixed_api.post("/api/auth/login", json={"email": "vera@example.org", "password": OLD})
    assert old.status_code == 401
    _sign_in(fixed_api, "vera@example.org", NEW)


def test_the_session_cookie_that_changed_it_stays_signed_in(fixed_api: TestClient) -> None:
    r = fixed_api.post(
        "/api/auth/signup", json={"email": "cora@example.org", "name": "Cora Cookie", "password": OLD}
    )
    bearer_session = bearer(r.json()["token"])  # the cookie's token and this one: two sessions of Cora
    assert "dialer_session" in fixed_api.cookies
    second = _sign_in(fixed_api, "cora@example.org")
    fixed_api.cookies.set("dialer_session", r.cookies["dialer_session"])
    r = fixed_api.post("/api/auth/password", json={"current_password": OLD, "new_password": NEW})
    assert r.status_code == 200, r.text
    assert fixed_api.get("/api/me").status_code == 200
    fixed_api.cookies.clear()
    assert fixed_api.get("/api/me", headers=second).status_code == 401
    # The sign-up's token was the cookie's: the same session, so it stays.
    assert fixed_api.get("/api/me", headers=bearer_session).status_code == 200


def test_a_wrong_current_password_is_403_at_its_field_and_changes_nothing(fixed_api: TestClient) -> None:
    _, here = account(fixed_api, "vera@example.org", "Vera Volunteer")
    elsewhere = _sign_in(fixed_api, "vera@example.org")
    r = fixed_api.post(
        "/api/auth/password", json={"current_password": "not my password", "new_password": NEW}, headers=here
    )
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "wrong_password"
    assert r.json()["error"]["details"] == [
        {"path": "current_password", "message": "is not the password of this account"}
    ]
    assert fixed_api.get("/api/me", headers=elsewhere).status_code == 200
    _sign_in(fixed_api, "vera@example.org", OLD)


def test_wrong_current_passwords_are_rate_limited_like_sign_ins(fixed_api: TestClient) -> None:
    _, here = account(fixed_api, "vera@example.org", "Vera Volunteer")
    codes = [
        fixed_api.post(
            "/api/auth/password",
            json={"current_password": f"guess number {n}", "new_password": NEW},
            headers=here,
        ).status_code
        for n in range(6)
    ]
    assert codes == [403] * 5 + [429]
    r = fixed_api.post(
        "/api/auth/password", json={"current_password": OLD, "new_password": NEW}, headers=here
    )
    assert r.status_code == 429 and "Retry-After" in r.headers  # the right one waits too, like sign-in


def test_the_sign_up_policy_applies_with_precise_details(fixed_api: TestClient) -> None:
    _, here = account(fixed_api, "vera@example.org", "Vera Volunteer")
    cases = [
        ({"current_password": OLD, "new_password": "short"}, "new_password", "at least"),
        ({"current_password": OLD, "new_password": "password123"}, "new_password", "common"),
        ({"current_password": OLD, "new_password": OLD}, "new_password", "current password"),
        ({"new_password": NEW}, "current_password", "required"),
        ({"current_password": OLD, "new_password": 12345678}, "new_password", "string"),
        ({"current_password": OLD, "new_password": NEW, "extra": 1}, "extra", ""),
    ]
    for body, path, words in cases:
        r = fixed_api.post("/api/auth/password", json=body, headers=here)
        assert r.status_code == 422, (body, r.text)
        details = r.json()["error"]["details"]
        assert [d["path"] for d in details] == [path], (body, details)
        assert words in details[0]["message"], (body, details)
    _sign_in(fixed_api, "vera@example.org", OLD)  # unchanged


def test_anonymous_and_the_admin_token_cannot(fixed_api: TestClient) -> None:
    body = {"current_password": OLD, "new_password": NEW}
    assert fixed_api.post("/api/auth/password", json=body).status_code == 401
    r = fixed_api.post("/api/auth/password", json=body, headers=ADMIN)
    assert r.status_code == 403 and "set-password" in r.json()["error"]["message"]
