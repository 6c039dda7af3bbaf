"""Finding 12: sign-up refuses a password equal to the email or among the most common ones (and keeps the
length rule); the list ships in the package."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from dialer.passwords import COMMON_PASSWORDS, common_passwords, password_problem


def test_the_list_ships_in_the_package_and_is_modest() -> None:
    assert COMMON_PASSWORDS.is_file()
    listed = common_passwords()
    assert 500 < len(listed) < 5000
    assert {"password", "password1", "12345678", "iloveyou", "qwertyuiop", "volunteer"} <= listed


@pytest.mark.parametrize(
    ("password", "email", "needle"),
    [
        ("short", "v@example.org", "at least 8"),
        ("Password1", "v@example.org", "most common"),
        ("QWERTYUIOP", "v@example.org", "most common"),
        ("Sam@Example.org", "sam@example.org", "email"),
        ("volunteer42", "volunteer42@example.org", "email"),
    ],
)
def test_guessable_passwords_are_refused(password: str, email: str, needle: str) -> None:
    problem = password_problem(password, email)
    assert problem is not None and needle in problem


def test_a_passphrase_is_fine() -> None:
    assert password_problem("correct horse battery", "v@example.org") is None


def test_signup_answers_422_on_the_password_field(api: TestClient) -> None:
    for password in ("password123", "me@example.org"):
        r = api.post("/api/auth/signup", json={"email": "me@example.org", "name": "M", "password": password})
        assert r.status_code == 422, r.text
        assert [d["path"] for d in r.json()["error"]["details"]] == ["password"]
    r = api.post(
        "/api/auth/signup", json={"email": "me@example.org", "name": "M", "password": "blue kettle sings"}
    )
    assert r.status_code == 201
