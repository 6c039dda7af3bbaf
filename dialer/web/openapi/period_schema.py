"""The OpenAPI schema of the abandonment cap's current 30-day period in the dialer's numbers (`period`,
dialer/dialing/stats.py; the rule: dialer/abandon_periods.py)."""

from __future__ import annotations

from typing import Any

_INT, _NUMBER = {"type": "integer"}, {"type": "number"}
_TIME_OR_NULL = {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]}

ABANDON_PERIOD: dict[str, Any] = {
    "type": "object",
    "required": ["index", "started_at", "ends_at", "live_answers", "abandoned", "abandon_rate"],
    "properties": {
        "index": _INT,
        "started_at": _TIME_OR_NULL,
        "ends_at": _TIME_OR_NULL,
        "live_answers": _INT,
        "abandoned": _INT,
        "abandon_rate": _NUMBER,
    },
}
