"""Query-string parameters for the list routes (`?q=&after=&limit=`): each checked exactly as the
OpenAPI description says, so a value the description refuses is refused here with 422."""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialer.web.errors import ApiError

_DIGITS = re.compile(r"[0-9]{1,6}")
_STREAM_ID = re.compile(r"[0-9]{1,20}-[0-9]{1,20}")
_U64 = 2**64 - 1  # the largest part of a Redis stream id


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


def query_stream_id(query: Mapping[str, str], name: str) -> str:
    """A page's cursor that is a Redis stream entry id (`?before=1700000000000-0`), '' when absent; 422 when
    it is not one (or is past the largest id Redis can write)."""
    raw = query_match(query, name, _STREAM_ID, "an entry id like 1700000000000-0")
    if raw and any(int(part) > _U64 for part in raw.split("-")):
        raise _bad(name, "is past the largest entry id")
    return raw


def is_first_stream_id(entry_id: str) -> bool:
    """True for 0-0: nothing comes before it (and Redis refuses the exclusive range `(0-0`)."""
    return not any(int(part) for part in entry_id.split("-"))
