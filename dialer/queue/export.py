"""results.csv: one row per recorded result, read from the campaign's results stream a page at a time.

The columns are API.md's, in its order, with `volunteer_name` added after `volunteer` (who called, as
people know them), then one column per script question. Times are ISO 8601 in UTC to the second; cells
that a spreadsheet would run as formulas are quoted (contacts.csv_safe). Excel reads a CSV file as the
computer's local code page unless it starts with a UTF-8 byte order mark, so `excel=True` writes one.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import cast

import anyio.to_thread
import redis.asyncio as aioredis
import redis.exceptions as redis_errors

from dialer.contacts import csv_safe
from dialer.queue import keys

EXPORT_COLUMNS = (
    "contact_id",
    "external_id",
    "phone",
    "first_name",
    "last_name",
    "result",
    "attempt",
    "volunteer",
    "volunteer_name",  # an addition (issue 12), next to the id it names
    "recorded_at",
    "notes",
    "call_sid",
    "script_version",
)
BOM = "\ufeff"
# The last line of an export the store cut short (a Redis restart after the download began): in the
# first column, where a person scrolling to the end sees it; download the file again.
INCOMPLETE_MARK = "# INCOMPLETE EXPORT: the data store stopped answering after {rows} rows; download it again"
log = logging.getLogger("dialer.export")


def _line(values: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([csv_safe(v) for v in values])
    return out.getvalue()


def export_time(epoch: float) -> str:
    """A results.csv time: ISO 8601 in UTC to the second (2026-12-06T15:04:05+00:00)."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def export_row(
    entry: dict[str, str], question_keys: Sequence[str], names: Mapping[str, str] | None = None
) -> list[str]:
    """One results.csv row from a results stream entry; `names` maps volunteer ids to their names."""
    volunteer = entry.get("volunteer", "")
    values = {**entry, "volunteer_name": (names or {}).get(volunteer, "")}
    row = [values.get(column, "") for column in EXPORT_COLUMNS]
    if entry.get("recorded_at"):
        row[EXPORT_COLUMNS.index("recorded_at")] = export_time(float(entry["recorded_at"]))
    try:
        answers = json.loads(entry.get("answers") or "{}")
    except ValueError:
        answers = {}
    for key in question_keys:
        value = answers.get(key, "") if isinstance(answers, dict) else ""
        row.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return row


async def export_lines(
    redis: aioredis.Redis,
    campaign_id: str,
    question_keys: Sequence[str],
    *,
    page: int = 1000,
    excel: bool = False,
) -> AsyncIterator[str]:
    """results.csv a page of lines at a time (header first), read from the stream a page at a time. `excel`
    starts the file with a UTF-8 byte order mark, without which Excel reads UTF-8 as the local code page
    ("JosÃ©").

    Each page's lines are built in a worker thread: a 100,000-row export is seconds of CPU that would
    otherwise stall every request on the process. If the store goes away mid-way (the answer's 200 is long
    sent), the file ends with a line that says it is incomplete (INCOMPLETE_MARK), never silently short."""
    yield (BOM if excel else "") + _line([*EXPORT_COLUMNS, *question_keys])
    start, rows = "-", 0
    while True:
        try:
            entries = cast(
                list[tuple[str, dict[str, str]]],
                await redis.xrange(keys.results(campaign_id), start, "+", count=page),
            )
            names = await _volunteer_names(redis, campaign_id, {e.get("volunteer", "") for _, e in entries})
        except redis_errors.RedisError as exc:
            log.warning("results export of %s cut after %d rows: %s", campaign_id, rows, exc)
            yield _line([INCOMPLETE_MARK.format(rows=rows)])
            return
        if entries:
            yield await anyio.to_thread.run_sync(_page_text, entries, question_keys, names)
            rows += len(entries)
        if len(entries) < page:
            return
        start = "(" + entries[-1][0]  # exclusive start (Redis >= 6.2)


def _page_text(
    entries: Sequence[tuple[str, dict[str, str]]], question_keys: Sequence[str], names: Mapping[str, str]
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for _entry_id, entry in entries:
        writer.writerow([csv_safe(v) for v in export_row(entry, question_keys, names)])
    return out.getvalue()


async def _volunteer_names(redis: aioredis.Redis, campaign_id: str, volunteers: set[str]) -> dict[str, str]:
    """The names the campaign's volunteers had when they last recorded a result (keys.volunteer_names)."""
    wanted = sorted(v for v in volunteers if v)
    if not wanted:
        return {}
    found = cast(list[str | None], await redis.hmget(keys.volunteer_names(campaign_id), wanted))
    return {v: name for v, name in zip(wanted, found, strict=True) if name}
