"""Small checks for JSON bodies that collect every problem as `{path, message}` before answering 422."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialer.names import unprintable
from dialer.web.errors import ApiError


class Problems:
    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append({"path": path, "message": message})

    def raise_if_any(self, message: str = "Some fields are not valid.") -> None:
        if self.items:
            raise ApiError(422, "validation_error", message, self.items)

    def unknown_fields(self, body: dict[str, Any], allowed: set[str] | frozenset[str]) -> None:
        for name in sorted(set(body) - set(allowed)):
            self.add(name, "unknown field")

    def no_nulls(self, body: dict[str, Any], *names: str) -> None:
        """Optional fields that, when given, must not be null."""
        for name in names:
            if name in body and body[name] is None:
                self.add(name, "must not be null")

    def string(
        self,
        body: dict[str, Any],
        name: str,
        *,
        required: bool = True,
        max_len: int = 200,
        is_name: bool = False,
    ) -> str | None:
        """The field's text, stripped; `is_name`: a name people read, printable only (dialer/names.py)."""
        if name not in body or body[name] is None:
            if required:
                self.add(name, "required")
            return None
        value = body[name]
        if not isinstance(value, str):
            self.add(name, "must be a string")
            return None
        if len(value) > max_len:  # counted as sent, spaces included (as the published schema says)
            self.add(name, f"must be at most {max_len} characters")
            return None
        if is_name and (why := unprintable(value)) is not None:
            self.add(name, why)
            return None
        value = value.strip()
        if required and not value:
            self.add(name, "must not be empty")
            return None
        return value


def only_string(
    body: dict[str, Any],
    name: str,
    max_len: int,
    message: str = "Some fields are not valid.",
    *,
    is_name: bool = False,
) -> str:
    """The value of a body that must hold exactly one string field (`{"join_code": "K7..."}`), else 422."""
    problems = Problems()
    problems.unknown_fields(body, {name})
    value = problems.string(body, name, max_len=max_len, is_name=is_name)
    problems.raise_if_any(message)
    assert value is not None
    return value


_TRUE, _FALSE = ("1", "true", "yes"), ("", "0", "false", "no")


def query_flag(query: Mapping[str, str], name: str) -> bool:
    """A yes/no query parameter (`?excel=1`): absent or 0/false/no is False, 1/true/yes is True, else 422."""
    value = query.get(name, "").strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ApiError(
        422,
        "validation_error",
        f"The query parameter `{name}` is 1 or 0.",
        [{"path": name, "message": "must be 1 (yes) or 0 (no)"}],
    )
