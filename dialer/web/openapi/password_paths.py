"""The password operations (docs/API-additions.md, "Passwords"): change your own, an organizer's reset
link, and the page and the call that use the link."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import answer, json_answer, json_body, op, path_param
from dialer.web.openapi.schemas import INT, STRING, TIME, obj, ref

HTML = "text/html"

PASSWORD = {"type": "string", "minLength": 8, "maxLength": 1024, "examples": ["violet kettle harbour"]}
PASSWORD_CHANGE = obj(
    ["current_password", "new_password"],
    closed=True,
    current_password={"type": "string", "minLength": 1, "maxLength": 1024},
    new_password=PASSWORD,
)
CHANGED = obj(["user", "sessions_ended"], user=ref("User"), sessions_ended=INT)
RESET_LINK = obj(["url", "expires_at"], url=STRING, expires_at=TIME)
RESET_USE = obj(
    ["token", "new_password"],
    closed=True,
    token={"type": "string", "maxLength": 200, "description": "The last part of the reset link's path"},
    new_password=PASSWORD,
)
GONE = {"description": "The link has been used (`link_used`) or has expired (`link_expired`)"}


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
        "/api/users/{user_id}/password-reset": {
            "post": op(
                "makePasswordResetLink",
                "A one-time link, good for 24 hours, where the person sets a new password",
                tag="people",
                role="organizer",
                params=(path_param("user_id", description="The user's id"),),
                answers={201: json_answer("The link to hand over (by text)", RESET_LINK)},
                errors=(409,),
                description="Organizers make links for volunteers and leaders; admins for anyone but "
                "themselves (403 otherwise). Only the account's newest link works. 409 `account_disabled` "
                "for a disabled account. Noted in the account's audit log.",
            ),
        },
        "/api/auth/password-reset": {
            "post": _gone_said(
                op(
                    "usePasswordResetLink",
                    "Set a new password with a reset link; every session of the account ends and this one "
                    "signs in (sets the session cookie)",
                    tag="auth",
                    role=None,
                    body=json_body(RESET_USE),
                    answers={200: json_answer("Signed in with the new password", ref("Session"))},
                    errors=(410,),
                    description=(
                        "404 `unknown_link` (never made, mistyped, or replaced by a newer link; counts as "
                        "a failed sign-in of the address); 410 `link_used` or `link_expired`; 403 "
                        "`account_disabled`; 422 at `new_password` for sign-up's policy (the link stays "
                        "usable). None of these changes anything."
                    ),
                )
            ),
        },
        "/reset/{token}": {
            "get": _reset_page(),
        },
    }


def _gone_said(operation: dict[str, Any]) -> dict[str, Any]:
    operation["responses"]["410"]["description"] = GONE["description"]
    return operation


def _reset_page() -> dict[str, Any]:
    out = op(
        "passwordResetPage",
        "The page behind a reset link: set a new password",
        tag="pages",
        role=None,
        params=(path_param("token", description="The reset link's token"),),
        answers={200: answer("The page", HTML)},
    )
    out["security"] = [{}, {"cookie": []}]
    for status, text in ((403, "The account is disabled"), (404, "Unknown link"), (410, GONE["description"])):
        out["responses"][str(status)] = answer(f"{text} (an HTML page)", HTML)
    return out
