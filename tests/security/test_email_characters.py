"""Finding (attacker's probe): names refused control and text-direction characters, but emails took any:
a NUL, DEL, a right-to-left override (U+202E), an isolate (U+2066), a zero-width space or a byte-order mark.
An account signed up as `organizer@demo.example.org<U+200B>` reads exactly as the organizer's own address on
the People page and in a team's member list (where roles are given and accounts disabled), and a NUL or an
override garbles the lines it is shown in. Sign-up now refuses any control, format (invisible), separator,
private-use or unassigned character in an email with a 422 that names the character; nothing is created.
Signing in is unchanged, and an email with accented letters is still an email."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

PASSWORD = "a long password"


@pytest.mark.parametrize(
    "email",
    [
        "organizer@example.org\u200b",  # zero-width space: looks like the organizer's address
        "mal\u202elory@example.org",  # right-to-left override
        "mal\u2066lory@example.org",  # left-to-right isolate
        "mal\x00lory@example.org",
        "mal\x7flory@example.org",
        "\ufeffmallory@example.org",  # byte-order mark
        "mal\u00adlory@example.org",  # soft hyphen: invisible
        "mal\u2028lory@example.org",  # line separator
    ],
)
def test_sign_up_refuses_hidden_characters_in_the_email(api: TestClient, email: str) -> None:
    r = api.post("/api/auth/signup", json={"email": email, "name": "Mallory", "password": PASSWORD})
    assert r.status_code == 422, r.text
    (detail,) = r.json()["error"]["details"]
    assert detail["path"] == "email" and "U+" in detail["message"]
    clean = "".join(c for c in email if c.isprintable())
    assert api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code in (401, 422)
    # Nothing was stored: the address without the hidden character is free.
    r = api.post("/api/auth/signup", json={"email": clean, "name": "Mallory", "password": PASSWORD})
    assert r.status_code == 201, r.text


def test_letters_beyond_ascii_are_still_emails(api: TestClient) -> None:
    r = api.post("/api/auth/signup", json={"email": "zoë@exämple.org", "name": "Zoë", "password": PASSWORD})
    assert r.status_code == 201, r.text
    assert r.json()["user"]["email"] == "zoë@exämple.org"
