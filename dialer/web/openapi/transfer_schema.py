"""The OpenAPI schemas of a campaign's warm-transfer targets (`transfer_targets`, dialer/transfers.py)."""

from __future__ import annotations

from typing import Any

from dialer.transfers import MAX_NAME, MAX_TARGETS

TRANSFER_TARGET: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "phone"],
    "properties": {
        "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_NAME,
            "pattern": r"\S",
            "description": "What a script's `transfer` names",
        },  # fmt: skip
        "phone": {"type": "string", "pattern": r"^\+[1-9][0-9]{7,14}$", "examples": ["+12025550142"]},
    },
}
TRANSFER_TARGETS_IN: dict[str, Any] = {
    "type": "array",
    "maxItems": MAX_TARGETS,
    "items": TRANSFER_TARGET,
    "description": "Staff lines a script's choice may hand the voter on to (`transfer: <name>`); names are "
    "unique, and the campaign's script may name no other.",
}
TRANSFER_TARGETS_OUT: dict[str, Any] = {
    "type": "array",
    "items": {**TRANSFER_TARGET, "required": ["name"]},
    "description": "`phone` for organizers only: volunteers and leaders transfer by name and read `{name}`",
}
