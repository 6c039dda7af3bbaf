"""Finding (probe): `vol1@example.org.` (the domain's trailing root dot) signed up as a second account beside
`vol1@example.org`: the same mailbox, two accounts, and the copy reads as the real one on the People page.
An address is now kept without the trailing dot: signing up either way is the same account (the second is
`email_taken`), signing in with either form works, and so does the command line's `user create`."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from dialer.cli import main

PASSWORD = "a long password"


def test_a_trailing_dot_is_the_same_address(api: TestClient) -> None:
    r = api.post(
        "/api/auth/signup", json={"email": "vol1@example.org", "name": "Vol One", "password": PASSWORD}
    )
    assert r.status_code == 201, r.text
    api.cookies.clear()
    r = api.post(
        "/api/auth/signup", json={"email": "Vol1@Example.org.", "name": "Copy", "password": PASSWORD}
    )
    assert r.status_code == 409, r.text
    r = api.post("/api/auth/login", json={"email": "vol1@example.org.", "password": PASSWORD})
    assert r.status_code == 200 and r.json()["user"]["email"] == "vol1@example.org"
    api.cookies.clear()
    # Signed up with the dot first: stored without it.
    r = api.post(
        "/api/auth/signup", json={"email": "vol2@example.org.", "name": "Vol Two", "password": PASSWORD}
    )
    assert r.status_code == 201 and r.json()["user"]["email"] == "vol2@example.org"
    api.cookies.clear()
    assert (
        api.post("/api/auth/login", json={"email": "vol2@example.org", "password": PASSWORD}).status_code
        == 200
    )
    # Dots alone after the domain are no address at all.
    r = api.post("/api/auth/signup", json={"email": "vol3@example..", "name": "Vol", "password": PASSWORD})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["path"] == "email"


def test_user_create_on_the_command_line_too(
    api: TestClient, clean_redis: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", clean_redis)
    assert main(["user", "create", "--email", "lead@example.org.", "--name", "Lea", "--role", "leader"]) == 0
    capsys.readouterr()
    assert main(["user", "create", "--email", "lead@example.org", "--name", "Lea", "--role", "leader"]) == 1
    r = api.post("/api/auth/login", json={"email": "lead@example.org", "password": "x" * 12})
    assert r.status_code == 401  # the account exists (no password set), found under the plain address
