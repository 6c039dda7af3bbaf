"""`dialer user create --email E --name N --role R` (API.md's command line): prints a bearer token that the
API takes, with the role asked for."""

from __future__ import annotations

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
    assert capsys.readouterr().out == ""


def test_user_create_refuses_an_unknown_role(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["user", "create", "--email", "x@example.org", "--name", "X", "--role", "king"])
    assert exited.value.code == 2 and "--role" in capsys.readouterr().err
