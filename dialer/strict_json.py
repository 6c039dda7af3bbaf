"""JSON as RFC 8259 reads it, without two of Python's liberties (pure): a key repeated in one object and the
constants NaN, Infinity and -Infinity are refused rather than guessed. Python keeps the last of repeated keys
and other parsers the first, so `{"name": "A", "name": "B"}` would be read one way here and another way by
whatever wrote or checked it. Used for request bodies (web/body.py) and uploaded scripts (scripts/loader.py).
"""

from __future__ import annotations

import json
from typing import Any


class NotStrictJson(ValueError):
    """What Python's parser accepts and JSON does not, or leaves to the reader to guess."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise NotStrictJson(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise NotStrictJson(f"{name} is not a JSON number")


def loads(text: str | bytes) -> Any:
    """`json.loads`, refusing repeated keys and NaN/Infinity with NotStrictJson (json.JSONDecodeError, a
    ValueError too, for text that is not JSON at all)."""
    return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
