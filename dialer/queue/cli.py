"""`dialer import-contacts CAMPAIGN FILE` and `dialer export CAMPAIGN [-o FILE]` (called from admin.py).

Each returns the process exit code: 0, or 2 with a message on stderr for a missing campaign, an unreadable
file or a CSV that cannot be imported. The import report is printed as JSON, as the API answers it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TextIO

import redis.asyncio as aioredis

from dialer.contacts import CsvError
from dialer.queue.export import export_lines
from dialer.queue.importer import import_contacts, read_file
from dialer.stores.campaigns import CampaignStore
from dialer.stores.scripts import export_questions


def _fail(message: str) -> int:
    print(f"dialer: {message}", file=sys.stderr)
    return 2


async def import_contacts_file(redis: aioredis.Redis, campaign_id: str, path: str) -> int:
    campaign = await CampaignStore(redis).get(campaign_id)
    if campaign is None:
        return _fail(f"no campaign {campaign_id!r}")
    if not Path(path).is_file():
        return _fail(f"no file {path!r}")
    try:
        report = await import_contacts(
            redis,
            campaign.id,
            read_file(Path(path)),
            default_timezone=campaign.default_timezone,
            now=time.time(),
        )
    except CsvError as exc:
        return _fail(f"{path}: {exc}")
    except OSError as exc:
        return _fail(f"{path}: {exc.strerror or exc}")
    print(json.dumps(report.to_json(), indent=2))
    return 0


async def export_results_file(
    redis: aioredis.Redis, campaign_id: str, output: str, *, excel: bool = False
) -> int:
    """Writes results.csv to `output` ("-": standard output), streaming from the results stream, as the
    HTTP export does (`excel`: with a UTF-8 byte order mark)."""
    campaign = await CampaignStore(redis).get(campaign_id)
    if campaign is None:
        return _fail(f"no campaign {campaign_id!r}")
    questions = await export_questions(redis, campaign.id, campaign.script_id)
    if output == "-":
        await _write(redis, campaign.id, questions, sys.stdout, excel)
        return 0
    try:
        with open(output, "w", encoding="utf-8", newline="") as out:
            await _write(redis, campaign.id, questions, out, excel)
    except OSError as exc:
        return _fail(f"{output}: {exc.strerror or exc}")
    return 0


async def _write(
    redis: aioredis.Redis, campaign_id: str, questions: list[str], out: TextIO, excel: bool
) -> None:
    async for line in export_lines(redis, campaign_id, questions, excel=excel):
        out.write(line)
    out.flush()
