"""results.csv: one row per recorded result, read from the campaign's results stream a page at a time.

The columns are API.md's, in its order, then one column per script question (as API.md says), then the
columns added since (ADDED_COLUMNS: `volunteer_name`, who called as people know them), last so that a
client reading API.md's columns by position finds each where API.md puts it. Times are ISO 8601 in UTC to
the second; cells that a spreadsheet would run as formulas are quoted (contacts.csv_safe). Excel reads a
CSV file as the computer's local code page unless it starts with a UTF-8 byte order mark, so `excel=True`
writes one.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import operator
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import cast

import anyio.to_thread
import redis.asyncio as aioredis
import redis.exceptions as redis_errors

from dialer.contacts import FORMULA_STARTS, csv_safe
from dialer.queue import keys

API_COLUMNS = (
    "contact_id",
    "external_id",
    "phone",
    "first_name",
    "last_name",
    "result",
    "attempt",
    "volunteer",
    "recorded_at",
    "notes",
    "call_sid",
    "script_version",
)
ADDED_COLUMNS = ("volunteer_name",)  # additions (issue 12), after the question columns
EXPORT_COLUMNS = API_COLUMNS + ADDED_COLUMNS  # the fixed columns: no script question may take their names
_VOLUNTEER = API_COLUMNS.index("volunteer")
_RECORDED_AT = API_COLUMNS.index("recorded_at")
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
    row = [entry.get(column, "") for column in API_COLUMNS]
    if entry.get("recorded_at"):
        row[_RECORDED_AT] = export_time(float(entry["recorded_at"]))
    row.extend(_answer_cells(entry.get("answers") or "{}", question_keys))
    row.append((names or {}).get(row[_VOLUNTEER], ""))  # volunteer_name
    return row


Page = tuple[list[tuple[str, dict[str, str]]], dict[str, str]]  # stream entries, their volunteers' names
PAGE = 2000  # entries per XRANGE: fewer round trips and thread hops than 1,000, and still ~1 MB at most
ANSWER_CELLS = 10_000  # distinct `answers` values whose cells an export keeps (they repeat a lot)


async def export_lines(
    redis: aioredis.Redis,
    campaign_id: str,
    question_keys: Sequence[str],
    *,
    page: int = PAGE,
    excel: bool = False,
) -> AsyncIterator[str]:
    """results.csv a page of lines at a time (header first), read from the stream a page at a time. `excel`
    starts the file with a UTF-8 byte order mark, without which Excel reads UTF-8 as the local code page
    ("JosÃ©").

    Each page's lines are built in a worker thread: a 100,000-row export is seconds of CPU that would
    otherwise stall every request on the process. (Reading the next page meanwhile measured no faster: the
    read and the build both hold the GIL.) If the store goes away mid-way (the answer's 200 is long sent),
    the file ends with a line that says it is incomplete (INCOMPLETE_MARK), never silently short."""
    yield (BOM if excel else "") + _line([*API_COLUMNS, *question_keys, *ADDED_COLUMNS])
    stream, start, rows = keys.results(campaign_id), "-", 0
    answer_cells: dict[str, list[str]] = {}
    while True:
        try:
            entries, names = await _page(redis, campaign_id, stream, start, page)
        except redis_errors.RedisError as exc:
            log.warning("results export of %s cut after %d rows: %s", campaign_id, rows, exc)
            yield _line([INCOMPLETE_MARK.format(rows=rows)])
            return
        if entries:
            yield await anyio.to_thread.run_sync(_page_text, entries, question_keys, names, answer_cells)
            rows += len(entries)
        if len(entries) < page:
            return
        start = "(" + entries[-1][0]  # exclusive start (Redis >= 6.2)


async def _page(redis: aioredis.Redis, campaign_id: str, stream: str, start: str, count: int) -> Page:
    """The stream's next `count` entries from `start`, and the names of their volunteers."""
    entries = cast(list[tuple[str, dict[str, str]]], await redis.xrange(stream, start, "+", count=count))
    names = await _volunteer_names(redis, campaign_id, {e.get("volunteer", "") for _, e in entries})
    return entries, names


_DEFAULTS = dict.fromkeys(API_COLUMNS, "")
_CELLS = operator.itemgetter(*API_COLUMNS)
# A cell csv_safe changes, looked for in the whole row at once (each cell after a NUL): one that starts
# with a formula character, unless it is a plain number (contacts._PLAIN_NUMBER). A row with a NUL of its
# own goes cell by cell.
_RISKY = re.compile(
    r"\x00(?:["
    + re.escape("".join(c for c in FORMULA_STARTS if c not in "+-"))
    + r"]|[+-](?!\d+(?:\.\d+)?(?:\x00|\Z)))"
)


def _page_text(
    entries: Sequence[tuple[str, dict[str, str]]],
    question_keys: Sequence[str],
    names: Mapping[str, str],
    answer_cells: dict[str, list[str]] | None = None,
) -> str:
    """The page's CSV lines: `export_row`'s cells through `csv_safe`, as `_line` writes them, with a few
    C-level steps a row instead of a Python step a cell (a page's answers often repeat: `answer_cells` keeps
    their cells between pages)."""
    cache = {} if answer_cells is None else answer_cells
    minutes: dict[int, str] = {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    lines = []
    for _entry_id, entry in entries:
        row = list(_CELLS({**_DEFAULTS, **entry}))
        name = names.get(row[_VOLUNTEER], "")
        if row[_RECORDED_AT]:
            row[_RECORDED_AT] = _export_time(row[_RECORDED_AT], minutes)
        joined = "\x00" + "\x00".join(row)
        if joined.count("\x00") != len(row) or _RISKY.search(joined):
            row = [csv_safe(value) for value in row]
        if question_keys:
            raw = entry.get("answers") or "{}"
            cells = cache.get(raw)
            if cells is None:
                cells = [csv_safe(v) for v in _answer_cells(raw, question_keys)]
                if len(cache) >= ANSWER_CELLS:
                    cache.clear()
                cache[raw] = cells
            row.extend(cells)
        row.append(csv_safe(name))  # volunteer_name
        line = ",".join(row)
        if not line.isprintable():
            # A control character csv_safe drops (an imported list keeps them) may hide a formula from the
            # test above ("\x7f=HYPERLINK(...)"), or it is a tab or a line break: every cell as csv_safe
            # gives it (a cell it gave already, it leaves as it is). One C-level scan of the line.
            row = [csv_safe(value) for value in row]
            line = ",".join(row)
        if line.count(",") == len(row) - 1 and '"' not in line and "\r" not in line and "\n" not in line:
            lines.append(line)  # no cell the csv writer would quote: its line is the cells joined
        else:
            out.seek(0)
            out.truncate()
            writer.writerow(row)
            lines.append(out.getvalue()[:-2])
    lines.append("")
    return "\r\n".join(lines)


_SECONDS = tuple(f"{second:02d}+00:00" for second in range(60))


def _export_time(raw: str, minutes: dict[int, str]) -> str:
    """export_time(float(raw)), each minute's date and clock worked out once: a time that cannot round up
    to the next second (datetime rounds to the microsecond) is its second's, anything else export_time's."""
    epoch = float(raw)
    if not 0 <= epoch < 1e11:
        return export_time(epoch)
    whole = int(epoch)
    if epoch - whole >= 0.999999:
        return export_time(epoch)
    prefix = minutes.get(whole // 60)
    if prefix is None:
        prefix = minutes[whole // 60] = export_time(whole - whole % 60)[:17]  # 2026-12-06T15:04:
    return prefix + _SECONDS[whole % 60]


def _answer_cells(raw: str, question_keys: Sequence[str]) -> list[str]:
    """The question columns of one `answers` value, as `export_row` writes them."""
    try:
        answers = json.loads(raw)
    except ValueError:
        answers = {}
    cells = []
    for key in question_keys:
        value = answers.get(key, "") if isinstance(answers, dict) else ""
        cells.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return cells


async def _volunteer_names(redis: aioredis.Redis, campaign_id: str, volunteers: set[str]) -> dict[str, str]:
    """The names the campaign's volunteers had when they last recorded a result (keys.volunteer_names)."""
    wanted = sorted(v for v in volunteers if v)
    if not wanted:
        return {}
    found = cast(list[str | None], await redis.hmget(keys.volunteer_names(campaign_id), wanted))
    return {v: name for v, name in zip(wanted, found, strict=True) if name}
