"""Query-string parameters for the list routes (`?q=&after=&limit=`): each checked exactly as the
OpenAPI description says, so a value the description refuses is refused here with 422."""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialer.web.errors import ApiError

_DIGITS = re.compile(r"[0-9]{1,6}")


def _bad(name: str, message: str) -> ApiError:
    return ApiError(
        422,
        "validation_error",
        f"The query parameter `{name}` {message}.",
        [{"path": name, "message": message}],
    )


def query_int(query: Mapping[str, str], name: str, *, low: int, high: int, default: int) -> int:
    raw = query.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= high:
        raise _bad(name, f"must be a whole number from {low} to {high}")
    return int(raw)


def query_text(query: Mapping[str, str], name: str, *, max_len: int) -> str:
    raw = query.get(name, "")
    if len(raw) > max_len:
        raise _bad(name, f"must be at most {max_len} characters")
    return raw


def query_match(query: Mapping[str, str], name: str, pattern: re.Pattern[str], what: str) -> str:
    """The parameter when it matches `pattern` whole, '' when it is absent; else 422 saying `what` it must
    be (an empty value too: `?before=` is not "no cursor", as the published description says)."""
    raw = query.get(name)
    if raw is None:
        return ""
    if not pattern.fullmatch(raw):
        raise _bad(name, f"must be {what}")
    return raw


def query_choice(query: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`, or '' when absent; anything else (an empty value too) is 422."""
    raw = query.get(name)
    if raw is None:
        return ""
    if raw not in choices:
        raise _bad(name, f"must be one of {', '.join(choices)}")
    return raw
