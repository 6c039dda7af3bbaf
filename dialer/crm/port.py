"""The port every CRM adapter satisfies (van.py, osdi.py), and what one send comes to."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from dialer.crm.catalog import Catalog
from dialer.crm.requests import Planned, Refuse, ResultEntry


class OutcomeKind(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"  # 429, 5xx, a timeout or a dropped connection: try again later
    FAILED = "failed"  # the CRM refused it (unknown person, bad code...): a person must look


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    message: str = ""
    retry_after: float | None = None  # seconds, when the CRM said (Retry-After)
    rate_limited: bool = False  # a 429: the whole connection slows down, not only this result
    maybe_delivered: bool = False  # a retry whose request may have reached the CRM (sent, then no answer)


class CrmError(Exception):
    """A catalog or check call failed; the message is for organizers (never holds the key)."""


class CrmClient(Protocol):
    async def check(self) -> str:
        """A short description of what the key reaches; raises CrmError."""
        ...

    async def catalog(self) -> Catalog:
        """Survey questions, result codes and activist codes; raises CrmError."""
        ...

    async def send(self, planned: Planned, entry: ResultEntry) -> Outcome | Refuse: ...

    async def aclose(self) -> None: ...
