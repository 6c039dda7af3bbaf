"""`dialer user create --email E --name N --role R` (API.md's command line): prints a bearer token that the
API takes, with the role asked for."""

from __future__ import annotations

import io

import pytest
from starlette.testclient import TestClient

from dialer.cli import main
from tests.conftest import bearer


@pytest.mark.parametrize("role", ["volunteer", "leader", "organizer", "admin"])
def test_user_create_prints_a_token_with_the_role(
    api: TestClient,
    clean_redis: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    role: str,
) -> None:
    monkeypatch.setenv("REDIS_URL", clean_redis)  # the app's store (the api fixture's)
    email = f"{role}@example.org"
    assert main(["user", "create", "--email", email, "--name", "Pat Doe", "--role", role]) == 0
    token = capsys.readouterr().out.strip()
    assert token and "\n" not in token  # the token alone on stdout, for scripts
    r = api.get("/api/me", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json()["user"] | {"id": ""} == {"id": "", "email": email, "name": "Pat Doe", "role": role}
    # Created once: the same email again is refused and prints no token.
    assert main(["user", "create", "--email", email, "--name", "Pat Doe", "--role", role]) == 1
    said = capsys.readouterr()
    assert said.out == ""
    # ... saying what to do instead: a first admin who lost the password runs the command README names.
    assert f"dialer user set-password --email {email}" in said.err, said.err


def test_user_create_refuses_an_unknown_role(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["user", "create", "--email", "x@example.org", "--name", "X", "--role", "king"])
    assert exited.value.code == 2 and "--role" in capsys.readouterr().err


class _Typed(io.StringIO):
    def isatty(self) -> bool:
        return True


def _signup(api: TestClient, email: str) -> str:
    r = api.post("/api/auth/signup", json={"email": email, "name": "Pat Doe", "password": "a long password"})
    assert r.status_code == 201, r.text
    api.cookies.clear()
    token: str = r.json()["token"]
    return token


def _signs_in(api: TestClient, email: str, password: str) -> bool:
    r = api.post("/api/auth/login", json={"email": email, "password": password})
    api.cookies.clear()
    return r.status_code == 200


def test_user_set_password_reads_stdin_and_signs_the_account_out_everywhere(
    api: TestClient, clean_redis: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", clean_redis)
    session = _signup(api, "pat@example.org")
    monkeypatch.setattr("sys.stdin", io.StringIO("violet kettle harbour\n"))
    assert main(["user", "set-password", "--email", "Pat@example.org"]) == 0
    assert "1 session(s) signed out" in capsys.readouterr().err
    assert api.get("/api/me", headers=bearer(session)).status_code == 401
    assert _signs_in(api, "pat@example.org", "violet kettle harbour")
    assert not _signs_in(api, "pat@example.org", "a long password")


def test_user_set_password_at_a_terminal_asks_twice_hidden(
    api: TestClient, clean_redis: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", clean_redis)
    _signup(api, "pat@example.org")
    monkeypatch.setattr("sys.stdin", _Typed(""))
    typed = iter(["violet kettle harbour", "violet kettle harbor"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert main(["user", "set-password", "--email", "pat@example.org"]) == 2
    assert "differ" in capsys.readouterr().err
    typed = iter(["violet kettle harbour"] * 2)
    assert main(["user", "set-password", "--email", "pat@example.org"]) == 0
    assert _signs_in(api, "pat@example.org", "violet kettle harbour")


def test_user_set_password_refuses_a_weak_password_an_unknown_email_and_a_password_argument(
    api: TestClient, clean_redis: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", clean_redis)
    session = _signup(api, "pat@example.org")
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "set-password", "--email", "pat@example.org"]) == 2
    assert "at least" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("violet kettle harbour\n"))
    assert main(["user", "set-password", "--email", "nobody@example.org"]) == 1
    assert "no account" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:  # never on the command line, where `ps` shows it
        main(["user", "set-password", "--email", "pat@example.org", "--password", "violet kettle harbour"])
    assert exited.value.code == 2
    assert api.get("/api/me", headers=bearer(session)).status_code == 200
    assert _signs_in(api, "pat@example.org", "a long password")
