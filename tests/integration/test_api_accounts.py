"""Accounts over HTTP against a real Redis: sign-up, sign-in, tokens, cookies, roles, rate limits."""

from __future__ import annotations

from starlette.testclient import TestClient

from tests.conftest import ADMIN, bearer
from tests.stores import open_store

PASSWORD = "correct horse battery"


def signup(api: TestClient, email: str = "vol@example.org", name: str = "Val") -> dict:
    r = api.post("/api/auth/signup", json={"email": email, "name": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()


def test_healthz(api: TestClient) -> None:
    r = api.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_signup_returns_user_and_token_and_sets_cookie(api: TestClient) -> None:
    body = signup(api, "Mixed.Case@Example.org")
    assert body["user"]["email"] == "mixed.case@example.org"
    assert body["user"]["role"] == "volunteer"
    assert set(body["user"]) == {"id", "email", "name", "role"}
    assert api.get("/api/me", headers=bearer(body["token"])).json()["user"] == body["user"]
    # The cookie set by sign-up authenticates too.
    assert "dialer_session" in api.cookies
    assert api.get("/api/me").status_code == 200


def test_signup_twice_is_409_case_insensitively(api: TestClient) -> None:
    signup(api, "dup@example.org")
    r = api.post("/api/auth/signup", json={"email": "DUP@example.org", "name": "B", "password": PASSWORD})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "email_taken"


def test_passwords_are_stored_hashed_with_argon2(api: TestClient, clean_redis: str) -> None:
    user = signup(api)["user"]
    stored = open_store(clean_redis, decode_responses=True).hget(f"dialer:user:{user['id']}", "password")
    assert stored and stored.startswith("$argon2") and PASSWORD not in stored


def test_tokens_are_stored_hashed(api: TestClient, clean_redis: str) -> None:
    token = signup(api)["token"]
    client = open_store(clean_redis, decode_responses=True)
    assert not any(token in key for key in client.scan_iter("dialer:token:*"))


def test_login_and_logout(api: TestClient) -> None:
    signup(api)
    api.cookies.clear()
    r = api.post("/api/auth/login", json={"email": "vol@example.org", "password": PASSWORD})
    assert r.status_code == 200
    token = r.json()["token"]
    assert api.get("/api/me", headers=bearer(token)).status_code == 200
    assert api.post("/api/auth/logout", headers=bearer(token)).status_code == 204
    api.cookies.clear()
    assert api.get("/api/me", headers=bearer(token)).status_code == 401


def test_wrong_password_and_unknown_email_look_the_same(api: TestClient) -> None:
    signup(api)
    a = api.post("/api/auth/login", json={"email": "vol@example.org", "password": "wrong-password"})
    b = api.post("/api/auth/login", json={"email": "nobody@example.org", "password": "wrong-password"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_repeated_failures_for_one_email_get_429(api: TestClient) -> None:
    signup(api)
    codes = [
        api.post("/api/auth/login", json={"email": "vol@example.org", "password": "nope-nope"}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    r = api.post("/api/auth/login", json={"email": "vol@example.org", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.json()["error"]["code"] == "rate_limited"


def test_repeated_failures_from_one_address_get_429_but_successes_do_not(api: TestClient) -> None:
    for i in range(40):
        signup(api, f"v{i}@example.org")  # many sign-ups from one office network are fine
    for i in range(40):
        r = api.post("/api/auth/login", json={"email": f"v{i}@example.org", "password": PASSWORD})
        assert r.status_code == 200
    codes = [
        api.post(
            "/api/auth/login", json={"email": f"v{i}@example.org", "password": "bad-bad-bad"}
        ).status_code
        for i in range(31)
    ]
    assert codes[:30] == [401] * 30 and codes[30] == 429


def test_forged_cookie_is_anonymous(api: TestClient) -> None:
    token = signup(api)["token"]
    api.cookies.clear()
    api.cookies.set("dialer_session", f"{token}.forged-signature")
    assert api.get("/api/me").status_code == 401


def test_admin_token_and_role_changes(api: TestClient) -> None:
    body = signup(api)
    api.cookies.clear()
    uid, token = body["user"]["id"], body["token"]
    r = api.put(f"/api/users/{uid}/role", json={"role": "organizer"}, headers=bearer(token))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = api.put(f"/api/users/{uid}/role", json={"role": "organizer"}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["user"]["role"] == "organizer"
    assert api.get("/api/me", headers=bearer(token)).json()["user"]["role"] == "organizer"
    assert api.put("/api/users/nope/role", json={"role": "leader"}, headers=ADMIN).status_code == 404
    r = api.put(f"/api/users/{uid}/role", json={"role": "king"}, headers=ADMIN)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "role"


def test_anonymous_requests_get_401(api: TestClient) -> None:
    for method, path in [
        ("GET", "/api/campaigns"),
        ("POST", "/api/campaigns"),
        ("GET", "/api/me"),
        ("PUT", "/api/users/x/role"),
    ]:
        r = api.request(method, path, json={})
        assert r.status_code == 401, (method, path)
        assert r.json()["error"]["code"] == "unauthorized"
