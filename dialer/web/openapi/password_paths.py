"""The password operations (docs/API-additions.md, "Passwords"): change your own, an organizer's reset
link, and the page and call that use the link."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import json_answer, json_body, op
from dialer.web.openapi.schemas import INT, obj, ref

PASSWORD = {"type": "string", "minLength": 8, "maxLength": 1024, "examples": ["violet kettle harbour"]}
PASSWORD_CHANGE = obj(
    ["current_password", "new_password"],
    closed=True,
    current_password={"type": "string", "minLength": 1, "maxLength": 1024},
    new_password=PASSWORD,
)
CHANGED = obj(["user", "sessions_ended"], user=ref("User"), sessions_ended=INT)


def password_paths() -> dict[str, dict[str, Any]]:
    return {
        "/api/auth/password": {
            "post": op(
                "changePassword",
                "Change your own password; every other session of the account ends",
                tag="auth",
                role="volunteer",
                body=json_body(PASSWORD_CHANGE),
                answers={200: json_answer("Changed; this session stays signed in", CHANGED)},
                errors=(429,),
                description="The sign-up password policy applies (422 at `new_password`). 403 "
                "`wrong_password` (detail at `current_password`) counts like a failed sign-in: 429 "
                "after repeated ones. 403 for the admin token, which has no password. The other "
                "sessions' tokens stop working and their open sockets close (4401).",
            ),
        },
    }
