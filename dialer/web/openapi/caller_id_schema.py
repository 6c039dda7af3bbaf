"""The OpenAPI schemas of a campaign's pool of caller IDs (`caller_ids`, dialer/caller_ids.py): what create
and update take, with the bounds the server checks, and what a campaign carries."""

from __future__ import annotations

from typing import Any

from dialer.caller_ids import MAX_POOL, MAX_TAGS

E164_PATTERN = "^\\+[1-9][0-9]{6,14}$"

CALLER_ID_IN: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["number"],
    "properties": {
        "number": {"type": "string", "pattern": E164_PATTERN, "examples": ["+12155550100"]},
        "area_codes": {
            "type": "array",
            "maxItems": MAX_TAGS,
            "items": {"type": "string", "pattern": "^[2-9][0-9]{2}$"},
            "examples": [["215", "267", "445"]],
        },
        "states": {
            "type": "array",
            "maxItems": MAX_TAGS,
            "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
            "examples": [["PA"]],
        },
    },
}

CALLER_IDS_IN: dict[str, Any] = {
    "type": "array",
    "maxItems": MAX_POOL,
    "items": CALLER_ID_IN,
    "description": "The campaign's local numbers. A call shows the number tagged with the voter's area "
    "code, else the first number in that area code, else the one tagged with the voter's state (the "
    "list's state, else its ZIP's), else `caller_id`. Numbers, tagged area codes and tagged states may "
    "each appear once.",
}

CALLER_ID_OUT: dict[str, Any] = {
    "type": "object",
    "required": ["number", "area_codes", "states"],
    "properties": {
        "number": {"type": "string"},
        "area_codes": {"type": "array", "items": {"type": "string"}},
        "states": {"type": "array", "items": {"type": "string"}},
    },
}
