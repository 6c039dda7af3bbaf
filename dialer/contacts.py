"""Call-list import (pure): CSV bytes in, normalized contacts and rejected rows out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Contact:
    """One parsed, normalized row of a call list."""

    phone: str
    timezone: str
    external_id: str = ""
    first_name: str = ""
    last_name: str = ""
    state: str = ""
    zip: str = ""
    phone_type: str = ""
    fields: dict[str, str] = field(default_factory=dict)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """A cell that spreadsheets show as text: formula-like values get a leading single quote (OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
