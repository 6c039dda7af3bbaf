"""Redis keys of an account's password: its reset links and its audit log (dialer/stores/password_resets.py),
listed with their owners and TTLs in docs/redis-keys.md. Reached as `keys.<name>`: queue/keys.py re-exports
them, so every key is still found in one place."""

from __future__ import annotations

PREFIX = "dialer"


def password_reset(uid: str) -> str:
    """The account's newest password-reset link (its token's hash, expiry, who made it); TTL 2 days."""
    return f"{PREFIX}:user:{uid}:password-reset"


def password_reset_used(token_hash: str) -> str:
    """Set (NX) when the reset link with this token hash is used, so it is used once; TTL 2 days."""
    return f"{PREFIX}:password-reset-used:{token_hash}"


def user_audit(uid: str) -> str:
    """The account's audit log: password changes, reset links made and used (a capped stream)."""
    return f"{PREFIX}:user:{uid}:audit"
