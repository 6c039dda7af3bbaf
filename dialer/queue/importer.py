"""Importing a call list into a campaign: parse (contacts.py), check the DNC list, add in pipelined chunks.

The file is read and written a chunk at a time, so memory stays flat whatever its size. A file-level
problem (no phone column, unreadable header) raises contacts.CsvError before anything is written; every
rejected row is in the report. Big files run as an RQ job (`import_file_job`) whose progress is kept in
`keys.import_job` for the API to show.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.connections import async_client, sync_client
from dialer.contacts import ContactRow, CsvError, FileWarning, InvalidRow, read_rows
from dialer.queue import keys
from dialer.queue.announce import campaign_news
from dialer.queue.dnc import listed, mirror
from dialer.queue.import_report import ImportReport
from dialer.queue.import_watch import heartbeat, mark_finished
from dialer.queue.lease import LeaseQueue
from dialer.stores.campaigns import CampaignStore

CHUNK = 5000  # contacts per DNC check and add round
JOB_TTL = 24 * 3600
READ_SIZE = 1 << 20


Progress = Callable[[ImportReport], Awaitable[None]]


async def import_contacts(
    redis: aioredis.Redis,
    campaign_id: str,
    chunks: Iterable[bytes],
    *,
    default_timezone: str,
    now: float,
    progress: Progress | None = None,
    resume_floor: int | None = None,
) -> ImportReport:
    """Imports a CSV (as byte chunks) into the campaign; raises CsvError for an unusable file."""
    queue = LeaseQueue(redis)
    report = ImportReport(resume_floor=resume_floor)
    pending: list[ContactRow] = []
    # The list's own columns, for checking the script's fields against ("": a list was imported, so a
    # campaign whose lists have none of their own is told apart from one with no list on record).
    columns: set[str] = set()

    async def flush() -> None:
        new_columns = {"", *(name for item in pending for name in item.contact.fields)} - columns
        if new_columns:
            columns.update(new_columns)
            await redis.sadd(keys.list_columns(campaign_id), *sorted(new_columns))
        on_list = await listed(redis, [item.contact.phone for item in pending])
        keep: list[ContactRow] = []
        for item, dnc in zip(pending, on_list, strict=True):
            if dnc:
                report.on_dnc_list(item)
            else:
                keep.append(item)
        added = await queue.add_contacts_detailed(campaign_id, [item.contact for item in keep], now)
        # A number listed while this chunk was being written was mirrored before the campaign had it (the
        # list's own add missed it): asked again now that it has, and finished here. Either that add sees
        # the new contacts or this read sees its number.
        phones = [item.contact.phone for item in keep]
        await mirror(
            redis, campaign_id, [p for p, on in zip(phones, await listed(redis, phones), strict=True) if on]
        )
        report.added(keep, added.new_ids, added.duplicates)
        pending.clear()
        await redis.publish(keys.events(campaign_id), '{"type":"import"}')
        if progress is not None:
            await progress(report)

    # Parsing is CPU work (phonenumbers): it runs in a worker thread a slice at a time, so a big upload
    # does not stall the event loop that serves everyone else. The next slice is parsed while this one is
    # written (Redis works in its own process meanwhile): at most two slices are held.
    items = read_rows(chunks, default_timezone=default_timezone)

    def parse_ahead() -> asyncio.Future[list[FileWarning | ContactRow | InvalidRow]]:
        return asyncio.ensure_future(asyncio.to_thread(lambda: list(itertools.islice(items, CHUNK))))

    ahead = parse_ahead()
    try:
        while parsed := await ahead:
            ahead = parse_ahead()
            for item in parsed:
                if (row := report.read(item)) is None:
                    continue
                pending.append(row)
                if len(pending) >= CHUNK:
                    await flush()
        if pending:
            await flush()
    finally:
        if not ahead.done():  # a write failed: let the slice being parsed finish before the file closes
            with contextlib.suppress(Exception):
                await asyncio.shield(ahead)
    if report.imported:
        await _tell_callers(redis, campaign_id)
    return report


async def _tell_callers(redis: aioredis.Redis, campaign_id: str) -> None:
    """Volunteers whose page says nobody is left to call take names again (queue/announce.py)."""
    campaign = await CampaignStore(redis).get(campaign_id)
    if campaign is not None:
        await campaign_news(redis, campaign_id, campaign.status.value, "contacts_added")


def read_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(READ_SIZE):
            yield chunk


async def import_progress(redis: aioredis.Redis, campaign_id: str, job_id: str) -> dict[str, Any] | None:
    """A background import's state: {status: running|done|failed, rows, imported, ..., report?, error?}."""
    data = cast(dict[str, str], await redis.hgetall(keys.import_job(campaign_id, job_id)))
    if not data:
        return None
    internal = ("report", "default_timezone", "seq_floor")  # how to run it again, not what happened
    out: dict[str, Any] = {k: int(v) if v.isdigit() else v for k, v in data.items() if k not in internal}
    if "report" in data:
        out["report"] = json.loads(data["report"])
    return out


async def run_import(
    redis: aioredis.Redis,
    campaign_id: str,
    chunks: Iterable[bytes],
    *,
    default_timezone: str,
    job_id: str,
    now: float,
) -> ImportReport | None:
    """A background import of `chunks`, its progress kept under keys.import_job for the status route.

    Run again from the first row when its worker died (queue/import_watch.py): the contact sequence as it
    was before the first run (`seq_floor`) lets the report count what that run added as imported."""
    key = keys.import_job(campaign_id, job_id)
    await redis.hsetnx(key, "seq_floor", int(await redis.get(keys.contact_seq(campaign_id)) or 0))
    await redis.hset(key, "default_timezone", default_timezone)
    restarted = int(await redis.hget(key, "restarts") or 0) > 0
    floor = int(await redis.hget(key, "seq_floor") or 0)

    async def progress(report: ImportReport) -> None:
        await redis.hset(
            key,
            mapping={
                "status": "running",
                "rows": report.rows,
                "imported": report.imported,
                "duplicates": report.duplicates,
                "skipped_dnc": report.skipped_dnc,
                "invalid": len(report.invalid),
                "skipped": report.skipped,
                "warnings": report.warnings_total,
            },
        )
        await redis.expire(key, JOB_TTL)

    async with heartbeat(redis, campaign_id, job_id):
        await progress(ImportReport())
        try:
            report = await import_contacts(
                redis, campaign_id, chunks, default_timezone=default_timezone, now=now, progress=progress,
                resume_floor=floor if restarted else None,
            )  # fmt: skip
        except CsvError as exc:
            await redis.hset(key, mapping={"status": "failed", "error": str(exc)})
            await mark_finished(redis, campaign_id, job_id)
            return None
        await progress(report)
        await redis.hset(key, mapping={"status": "done", "report": json.dumps(report.to_json())})
    await mark_finished(redis, campaign_id, job_id)
    return report


def import_file_job(
    redis_url: str, campaign_id: str, path: str, default_timezone: str, job_id: str
) -> dict[str, Any]:
    """RQ entry point (plain arguments): imports the file at `path`; progress under keys.import_job."""

    async def main() -> dict[str, Any]:
        client = async_client(redis_url)
        try:
            report = await run_import(
                client,
                campaign_id,
                read_file(Path(path)),
                default_timezone=default_timezone,
                job_id=job_id,
                now=time.time(),
            )
            return report.to_json() if report else {"error": "invalid_csv"}
        finally:
            await client.aclose()

    return asyncio.run(main())


UPLOAD_CHUNK = 1 << 20


def _upload_chunks(redis_url: str, upload_key: str) -> Iterator[bytes]:
    """The upload a megabyte at a time, read as the parser needs it (in its thread, hence a synchronous
    client): the worker holds a slice of a big upload, not all of it."""
    client = sync_client(redis_url, decode_responses=False)
    try:
        size = int(client.strlen(upload_key))
        for start in range(0, size, UPLOAD_CHUNK):
            yield cast(bytes, client.getrange(upload_key, start, start + UPLOAD_CHUNK - 1))
    finally:
        client.close()


def import_upload_job(redis_url: str, campaign_id: str, job_id: str, default_timezone: str) -> dict[str, Any]:
    """RQ entry point for an upload kept in Redis (keys.import_upload): the web and the worker need share
    nothing but Redis, as on platforms where they run on different hosts. The upload is deleted after."""

    async def main() -> dict[str, Any]:
        client = async_client(redis_url)
        raw = async_client(redis_url, decode_responses=False)
        upload_key = keys.import_upload(campaign_id, job_id)
        try:
            chunks = _upload_chunks(redis_url, upload_key)
            report = await run_import(
                client, campaign_id, chunks, default_timezone=default_timezone, job_id=job_id, now=time.time()
            )
            await raw.delete(upload_key)
            return report.to_json() if report else {"error": "invalid_csv"}
        finally:
            await client.aclose()
            await raw.aclose()

    return asyncio.run(main())
