"""CRM keys at rest: sealed with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`) under DIALER_CRM_KEY.

A key is sealed when an organizer saves it and opened only by the code that talks to the CRM (the worker's
sync, the "check connection" and catalog calls). Nothing shows it again: answers carry its last four
characters at most.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

KEY_HELP = (
    "DIALER_CRM_KEY must be a Fernet key (32 random bytes, URL-safe base64); make one with: "
    "python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


class SealError(Exception):
    """A sealed key cannot be opened (DIALER_CRM_KEY changed since it was saved)."""


class Sealer:
    def __init__(self, key: str) -> None:
        try:
            self._fernet = Fernet(key.encode())
        except (ValueError, TypeError):
            raise ValueError(KEY_HELP) from None

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise SealError(
                "the saved CRM key cannot be read with this DIALER_CRM_KEY: save the connection again"
            ) from None


def check_key(key: str) -> None:
    """Raises ValueError (with how to make a key) when `key` is no Fernet key."""
    Sealer(key)
