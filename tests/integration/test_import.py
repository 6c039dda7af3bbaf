"""Importing call lists and the do-not-call list against a real Redis."""

from __future__ import annotations

import io
import time
from pathlib import Path

import phonenumbers
import pytest
import redis.asyncio as aioredis

from dialer.contacts import CsvError
from dialer.queue import dnc, keys
from dialer.queue.importer import import_contacts, import_progress, read_file, run_import
from dialer.queue.results import stats

pytestmark = pytest.mark.anyio
NY = "America/New_York"
T0 = 1_780_000_000.0


def fictional_phones() -> list[str]:
    """Every distinct 555-01xx number over the valid US area codes (45,100)."""
    codes = [a for a in range(200, 1000) if phonenumbers.is_valid_number(phonenumbers.parse(f"+1{a}5550100"))]
    return [f"+1{a}55501{i:02d}" for a in codes for i in range(100)]


async def test_import_report(redis: aioredis.Redis) -> None:
    await dnc.add_phones(redis, ["(202) 555-0199"])
    data = (
        b"phone,first_name,state,precinct\n"
        b"202-555-0100,Ann,DC,1\n"
        b"bogus,Bob,DC,2\n"
        b"(202) 555-0100,Ann again,DC,1\n"
        b"202.555.0199,Dee,DC,3\n"
        b"808-555-0101,Kai,,4\n"
    )
    report = await import_contacts(redis, "c1", [data], default_timezone=NY, now=T0)
    assert report.to_json() == {
        "imported": 2,
        "duplicates": 1,
        "skipped_dnc": 1,
        "invalid": [{"row": 2, "message": "invalid phone number 'bogus'"}],
    }
    assert await redis.smembers(keys.zones("c1")) == {"America/New_York", "Pacific/Honolulu"}
    contact = await redis.hgetall(keys.contact("c1", "1"))
    assert contact["phone"] == "+12025550100" and contact["fields"] == '{"precinct": "1"}'
    s = await stats(redis, "c1", T0)
    assert (s["contacts"], s["pending"]) == (2, 2)


async def test_bad_files_write_nothing(redis: aioredis.Redis) -> None:
    for bad in [b"name\nAnn\n", b"", bytes(range(256)) * 100]:
        with pytest.raises(CsvError):
            await import_contacts(redis, "c1", [bad], default_timezone=NY, now=T0)
    assert await redis.dbsize() == 0


async def test_dnc_list(redis: aioredis.Redis) -> None:
    added, invalid = await dnc.add_phones(redis, ["202-555-0142", "+12025550142", "nope", "3125550101"])
    assert (added, invalid) == (2, ["nope"])
    assert await dnc.is_listed(redis, "(202) 555-0142")
    assert await dnc.listed(redis, ["+12025550142", "+12025550143"]) == [True, False]
    assert await dnc.remove(redis, "202-555-0142") and not await dnc.remove(redis, "202-555-0142")
    added, rows = await dnc.add_csv(redis, [b"Phone\n2025550150\nxx\n"])
    assert added == 1 and [r.row for r in rows] == [2]
    with pytest.raises(CsvError):
        await dnc.add_csv(redis, [b"name\nx\n"])


async def test_background_import_progress(redis: aioredis.Redis, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("phone\n2025550101\n2025550102\nbad\n")
    report = await run_import(redis, "c1", read_file(path), default_timezone=NY, job_id="j1", now=T0)
    assert report is not None and report.imported == 2
    state = await import_progress(redis, "c1", "j1")
    assert state is not None and state["status"] == "done" and state["rows"] == 3
    assert state["report"]["invalid"] == [{"row": 3, "message": "invalid phone number 'bad'"}]
    (tmp_path / "bad.csv").write_bytes(b"nophone\n1\n")
    assert (
        await run_import(
            redis, "c1", read_file(tmp_path / "bad.csv"), default_timezone=NY, job_id="j2", now=T0
        )
        is None
    )
    failed = await import_progress(redis, "c1", "j2")
    assert failed is not None and failed["status"] == "failed" and "phone" in failed["error"]
    assert await redis.ttl(keys.import_job("c1", "j1")) > 0


async def test_hundred_thousand_rows(redis: aioredis.Redis, output_dir: Path) -> None:
    phones = fictional_phones()
    out = io.StringIO()
    out.write("phone,first_name,last_name,state,zip,precinct\n")
    for i in range(100_000):
        out.write(f"{phones[i % len(phones)]},First{i},Last{i},,,{i % 97}\n")
    data = out.getvalue().encode()
    started = time.perf_counter()
    report = await import_contacts(
        redis,
        "big",
        (data[i : i + (1 << 20)] for i in range(0, len(data), 1 << 20)),
        default_timezone=NY,
        now=T0,
    )
    elapsed = time.perf_counter() - started
    assert report.imported == len(phones) and report.duplicates == 100_000 - len(phones)
    assert report.invalid == []
    (output_dir / "import_100k.txt").write_text(f"100000 rows ({len(phones)} distinct) in {elapsed:.1f} s\n")
    assert elapsed < 45, elapsed
