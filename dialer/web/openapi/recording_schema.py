"""The Campaign's recording fields in the OpenAPI description: as answered, and as create/PATCH take them."""

from __future__ import annotations

from typing import Any

from dialer.recording_consent import MAX_RETENTION_DAYS

RECORDING_OUT: dict[str, Any] = {
    "record_calls": {"type": "boolean"},
    "recording_disclosure": {"type": "string"},
    "recording_retention_days": {"type": "integer"},
}
RECORDING_IN: dict[str, Any] = {
    "record_calls": {"type": "boolean", "description": "Record after telling the voter; off by default"},
    "recording_disclosure": {"type": "string", "minLength": 1, "maxLength": 500, "pattern": r"\S"},
    "recording_retention_days": {"type": "integer", "minimum": 1, "maximum": MAX_RETENTION_DAYS},
}
