"""Times as the JSON API answers them: ISO 8601 with offset, in UTC (API.md's conventions).

Stores keep Unix epoch floats (sorted-set scores, hash fields); routes and WebSocket messages turn them into
these strings where the JSON is made, so every time a client reads has one format:
`2026-12-07T14:03:05+00:00`, with microseconds when the stored time has them (`datetime.isoformat`).
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso(epoch: float) -> str:
    """`epoch` (seconds since 1970, UTC) as ISO 8601 UTC with offset."""
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def iso_or_none(epoch: float | None) -> str | None:
    """As `iso`, or None when the time is unknown: stores write 0 (or nothing) for "never"."""
    return iso(epoch) if epoch else None
