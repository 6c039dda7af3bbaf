"""A campaign's CRM connection (pure): what an organizer sends, checked, and what may be shown back.

VAN/EveryAction: an application name, an API key and the database (MyVoters or MyCampaign: VAN reads it
as the `|0` / `|1` suffix of the key in the basic-auth password). OSDI: the API's base URL and a token.
The key or token is returned separately so the caller seals it (sealing.py); `Connection` never holds it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import SplitResult, urlsplit

from dialer.times import iso

DEFAULT_RATE = 20.0  # requests a second to one CRM connection, unless the organizer says otherwise
MAX_RATE = 1000.0


class CrmKind(enum.StrEnum):
    VAN = "van"
    OSDI = "osdi"


class VanMode(enum.StrEnum):
    MY_VOTERS = "my_voters"  # |0
    MY_CAMPAIGN = "my_campaign"  # |1

    @property
    def suffix(self) -> str:
        return "|0" if self is VanMode.MY_VOTERS else "|1"


@dataclass(frozen=True)
class Connection:
    kind: CrmKind
    app_name: str = ""
    mode: VanMode = VanMode.MY_VOTERS
    base_url: str = ""
    rate: float = DEFAULT_RATE
    key_hint: str = ""  # the last 4 characters of the key, so an organizer can tell keys apart
    created_at: float = 0.0
    checked_at: float | None = None
    check_ok: bool | None = None
    check_message: str = ""

    def to_json(self) -> dict[str, Any]:
        """What organizers see: never the key itself."""
        out: dict[str, Any] = {"kind": self.kind.value, "rate": self.rate, "key_hint": self.key_hint}
        if self.kind is CrmKind.VAN:
            out |= {"app_name": self.app_name, "mode": self.mode.value}
        else:
            out["base_url"] = self.base_url
        out["check"] = (
            None
            if self.checked_at is None
            else {"ok": bool(self.check_ok), "message": self.check_message, "at": iso(self.checked_at)}
        )
        return out

    def to_hash(self) -> dict[str, str]:
        return {
            "kind": self.kind.value,
            "app_name": self.app_name,
            "mode": self.mode.value,
            "base_url": self.base_url,
            "rate": repr(self.rate),
            "key_hint": self.key_hint,
            "created_at": repr(self.created_at),
        }

    @classmethod
    def from_hash(cls, data: dict[str, str]) -> Connection:
        checked = data.get("checked_at")
        return cls(
            kind=CrmKind(data["kind"]),
            app_name=data.get("app_name", ""),
            mode=VanMode(data.get("mode") or VanMode.MY_VOTERS.value),
            base_url=data.get("base_url", ""),
            rate=float(data.get("rate") or DEFAULT_RATE),
            key_hint=data.get("key_hint", ""),
            created_at=float(data.get("created_at") or 0),
            checked_at=float(checked) if checked else None,
            check_ok=data.get("check_ok") == "1" if checked else None,
            check_message=data.get("check_message", ""),
        )


class ConnectionInvalid(ValueError):
    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(p["message"] for p in problems[:3]))
        self.problems = problems


def parse_connection(body: dict[str, Any], now: float) -> tuple[Connection, str]:
    """(connection, key) from an organizer's JSON body; raises ConnectionInvalid with every problem."""
    problems: list[dict[str, str]] = []

    def text(name: str, max_len: int) -> str:
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append({"path": name, "message": "required (text)"})
            return ""
        if len(value) > max_len:
            problems.append({"path": name, "message": f"must be at most {max_len} characters"})
            return ""
        return value.strip()

    kind_raw = body.get("kind")
    if kind_raw not in ("van", "osdi"):
        raise ConnectionInvalid([{"path": "kind", "message": "must be 'van' or 'osdi'"}])
    kind = CrmKind(kind_raw)
    allowed = {"kind", "rate"} | (
        {"app_name", "api_key", "mode"} if kind is CrmKind.VAN else {"base_url", "api_token"}
    )
    for name in sorted(set(body) - allowed):
        problems.append({"path": name, "message": "unknown field"})
    rate = body.get("rate", DEFAULT_RATE)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= MAX_RATE:
        problems.append({"path": "rate", "message": f"must be a number above 0, at most {MAX_RATE:g}"})
        rate = DEFAULT_RATE
    connection = Connection(kind, rate=float(rate), created_at=now)
    if kind is CrmKind.VAN:
        app_name = text("app_name", 200)
        key = text("api_key", 200)
        if key and "|" in key:
            problems.append(
                {"path": "api_key", "message": "give the key without its |0 or |1: pick the database in mode"}
            )
        mode = body.get("mode", VanMode.MY_VOTERS.value)
        if mode not in {m.value for m in VanMode}:
            problems.append({"path": "mode", "message": "must be 'my_voters' or 'my_campaign'"})
            mode = VanMode.MY_VOTERS.value
        connection = replace(connection, app_name=app_name, mode=VanMode(mode))
    else:
        base_url = text("base_url", 500).rstrip("/")
        key = text("api_token", 500)
        parts = urlsplit(base_url)
        if base_url and (
            parts.scheme not in ("https", "http") or not parts.hostname or not _port_ok(parts)
            or "#" in base_url or "?" in base_url
        ):  # fmt: skip
            problems.append(
                {"path": "base_url", "message": "must be the API's http(s) URL, without a query or fragment"}
            )
        elif base_url and "@" in parts.netloc:
            message = "must not hold a user name or password: give the token in api_token"
            problems.append({"path": "base_url", "message": message})
        connection = replace(connection, base_url=base_url)
    if problems:
        raise ConnectionInvalid(problems)
    return replace(connection, key_hint=key[-4:] if len(key) >= 12 else ""), key


def _port_ok(parts: SplitResult) -> bool:
    try:
        parts.port  # noqa: B018 (raises ValueError for a port out of range or not a number)
    except ValueError:
        return False
    return True
