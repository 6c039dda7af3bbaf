"""Importing call lists and the do-not-call list against a real Redis."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
import redis.asyncio as aioredis

from dialer.contacts import CsvError
from dialer.phones import parse_phone
from dialer.queue import dnc, keys
from dialer.queue.import_report import ROW_LIST_CAP
from dialer.queue.importer import import_contacts, import_progress, read_file, run_import
from dialer.queue.results import stats
from tests.stores import async_key_count

pytestmark = pytest.mark.anyio
NY = "America/New_York"
T0 = 1_780_000_000.0


def fictional_phones() -> list[str]:
    """Every distinct 555-01xx number over the valid US and Canadian area codes: voters' lines, so no
    toll-free codes (an import skips those) and no other country of the +1 plan (an import warns)."""
    home = [p for a in range(200, 1000) if (p := parse_phone(f"+1{a}5550100")) and not p.abroad]
    return [f"{p.e164[:-2]}{i:02d}" for p in home if not p.toll_free for i in range(100)]


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
        "invalid": [{"row": 2, "line": 3, "message": "invalid phone number 'bogus'"}],
        "skipped": 0,
        "warnings": [],
        "warnings_total": 0,
        "duplicate_rows": [
            {
                "row": 3,
                "line": 4,
                "phone": "+12025550100",
                "message": "(202) 555-0100 is the same number as row 2: skipped",
            }
        ],
        "dnc_rows": [
            {
                "row": 4,
                "line": 5,
                "phone": "+12025550199",
                "message": "(202) 555-0199 is on the do-not-call list: skipped",
            }
        ],
        "rows": 5,
    }
    assert await redis.smembers(keys.zones("c1")) == {"America/New_York", "Pacific/Honolulu"}
    contact = await redis.hgetall(keys.contact("c1", "1"))
    assert contact["phone"] == "+12025550100" and contact["fields"] == '{"precinct": "1"}'
    s = await stats(redis, "c1", T0)
    assert (s["contacts"], s["pending"]) == (2, 2)

    # A second list: a number from the first one is a duplicate of an earlier list, not of a row here.
    again = await import_contacts(redis, "c1", [b"phone\n\n8085550101\n"], default_timezone=NY, now=T0)
    assert again.to_json()["duplicate_rows"] == [
        {
            "row": 2,
            "line": 3,
            "phone": "+18085550101",
            "message": "(808) 555-0101 is already in this campaign (from an earlier list): skipped",
        }
    ]


async def test_warnings_say_what_was_imported_and_what_was_skipped(redis: aioredis.Redis) -> None:
    data = (
        b"phone,first_name,state,timezone\n"
        b"(800) 555-0100,Toll free,,\n"
        b"+44 20 7946 0958,Abroad,,\n"
        b"312-555-0101 ext. 12,Extension,IL,\n"
        b"415-555-0102,Unknown zone,CA,Pacific Time\n"
        b"(787) 555-0103,Puerto Rico,,\n"
        b"416-555-0104,Toronto,,America/Toronto\n"
    )
    report = (await import_contacts(redis, "c1", [data], default_timezone=NY, now=T0)).to_json()
    assert (report["imported"], report["skipped"], report["warnings_total"]) == (5, 1, 4)
    assert [(w["line"], w["kind"], w["action"]) for w in report["warnings"]] == [
        (2, "toll_free", "skipped"),
        (3, "foreign", "imported"),
        (4, "extension", "imported"),
        (5, "unknown_timezone", "imported"),
    ]
    messages = [w["message"] for w in report["warnings"]]
    assert messages[0] == (
        "(800) 555-0100 is a toll-free number, which reaches a business rather than a voter: skipped"
    )
    assert messages[1].startswith("+442079460958 is outside the US and Canada (United Kingdom): imported")
    assert "imported" in messages[1]
    assert messages[2].startswith("extension 12 cannot be dialed: imported as (312) 555-0101")
    assert messages[3] == (
        "unknown time zone 'Pacific Time' (not an IANA name like America/Chicago): imported with "
        "America/Los_Angeles, from the state"
    )
    assert report["warnings"][0]["phone"] == "+18005550100"
    phones = await redis.hgetall(keys.phones("c1"))
    assert "+18005550100" not in phones and len(phones) == 5
    extension = await redis.hgetall(keys.contact("c1", phones["+13125550101"]))
    assert json.loads(extension["fields"]) == {"extension": "12"}  # the call page shows it
    assert extension["tz"] == "America/Chicago"


async def test_rows_not_imported_bring_no_imported_warnings(redis: aioredis.Redis) -> None:
    """A list uploaded twice, with a state column nobody recognizes: the second report read "0 contacts
    imported", "20000 duplicates skipped" and "20000 imported rows to check", each saying "imported with
    America/New_York". A repeated or do-not-call row is told in its own list only; a row left out for
    its warning (toll-free) still says so."""
    await dnc.add_phones(redis, ["(202) 555-0199"])
    data = (
        b"phone,first_name,state\n"
        b"202-555-0100,Ann,XX\n"
        b"202-555-0100,Ann again,XX\n"
        b"202-555-0199,Dee,XX\n"
        b"(800) 555-0100,Toll free,\n"
        b"202-555-0101,Bo,XX\n"
    )
    first = (await import_contacts(redis, "c1", [data], default_timezone=NY, now=T0)).to_json()
    assert (first["imported"], first["duplicates"], first["skipped_dnc"], first["skipped"]) == (2, 1, 1, 1)
    assert [(w["line"], w["kind"]) for w in first["warnings"]] == [
        (2, "unknown_state"),
        (5, "toll_free"),
        (6, "unknown_state"),
    ]
    assert first["warnings_total"] == 3
    again = (await import_contacts(redis, "c1", [data], default_timezone=NY, now=T0)).to_json()
    assert (again["imported"], again["duplicates"], again["skipped_dnc"]) == (0, 3, 1)
    assert [(w["line"], w["action"]) for w in again["warnings"]] == [(5, "skipped")]
    assert again["warnings_total"] == 1


async def test_long_lists_of_rows_stop_at_the_cap_and_totals_count_everything(redis: aioredis.Redis) -> None:
    phones = fictional_phones()[:1200]
    once = "".join(f"{p}\n" for p in phones)
    data = ("phone\n" + once + once).encode()
    report = await import_contacts(redis, "c1", [data], default_timezone=NY, now=T0)
    assert (report.imported, report.duplicates) == (1200, 1200)
    assert len(report.duplicate_rows) == ROW_LIST_CAP
    # Each repeat names the row it repeats, across the importer's and the queue's chunks.
    for entry, phone, first in zip(report.duplicate_rows, phones, range(2, 1202), strict=False):
        assert entry.phone == phone and entry.row == first + 1199
        assert entry.message.endswith(f"is the same number as row {first}: skipped")


async def test_bad_files_write_nothing(redis: aioredis.Redis) -> None:
    for bad in [b"name\nAnn\n", b"", bytes(range(256)) * 100]:
        with pytest.raises(CsvError):
            await import_contacts(redis, "c1", [bad], default_timezone=NY, now=T0)
    assert await async_key_count(redis) == 0


async def test_dnc_list(redis: aioredis.Redis) -> None:
    added, invalid = await dnc.add_phones(redis, ["202-555-0142", "+12025550142", "nope", "3125550101"])
    assert (added, invalid) == (2, ["nope"])
    assert await dnc.is_listed(redis, "(202) 555-0142")
    assert await dnc.listed(redis, ["+12025550142", "+12025550143"]) == [True, False]
    assert await dnc.remove(redis, "202-555-0142") and not await dnc.remove(redis, "202-555-0142")
    added, rows = await dnc.add_csv(redis, [b"Phone\n2025550150\nxx\n"])
    assert added == 1 and [r.to_json() for r in rows] == [
        {"row": 2, "line": 3, "message": "invalid phone number 'xx'"}
    ]
    # Toll-free and foreign numbers go on the do-not-call list like any other.
    added, rows = await dnc.add_csv(redis, [b"phone\n800-555-0100\n+442079460958\n"])
    assert (added, rows) == (2, [])
    with pytest.raises(CsvError):
        await dnc.add_csv(redis, [b"name\nx\n"])


async def test_background_import_progress(redis: aioredis.Redis, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("phone\n2025550101\n2025550102\nbad\n")
    report = await run_import(redis, "c1", read_file(path), default_timezone=NY, job_id="j1", now=T0)
    assert report is not None and report.imported == 2
    state = await import_progress(redis, "c1", "j1")
    assert state is not None and state["status"] == "done" and state["rows"] == 3
    assert state["report"]["invalid"] == [{"row": 3, "line": 4, "message": "invalid phone number 'bad'"}]
    assert (state["skipped"], state["warnings"]) == (0, 0)
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
    # A figure, not a limit: a shared CI machine's load decides the seconds (bench/import_export.py measures).
    (output_dir / "import_100k.txt").write_text(f"100000 rows ({len(phones)} distinct) in {elapsed:.1f} s\n")


async def test_a_number_listed_while_its_chunk_is_written_is_not_called(
    redis: aioredis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import asks the list about a chunk before writing it; a number listed in between is mirrored
    by the list's own add only into campaigns that have it, which this one does not yet. The import asks
    again once the chunk is written, so that voter is finished, never handed out."""
    from dialer.queue import importer

    real = importer.listed
    asked: list[int] = []

    async def listed_meanwhile(r: aioredis.Redis, phones: list[str]) -> list[bool]:
        asked.append(len(phones))
        if len(asked) == 1:  # the check before the write: the number is not listed yet ...
            answer = [False] * len(phones)
            await dnc.add_phones(r, ["+12025550111"])  # ... and is, before the chunk reaches the campaign
            return answer
        return await real(r, phones)

    monkeypatch.setattr(importer, "listed", listed_meanwhile)
    data = b"phone\n202-555-0110\n202-555-0111\n202-555-0112\n"
    report = await import_contacts(redis, "c1", [data], default_timezone=NY, now=T0)
    assert report.imported == 3 and len(asked) == 2
    s = await stats(redis, "c1", T0)
    assert (s["pending"], s["completed"]) == (2, 1)
    listed_id = await redis.hget(keys.phones("c1"), "+12025550111")
    assert await redis.hget(keys.lease_of("c1"), listed_id) == "done"
    assert await redis.sismember(keys.dnc_mirror("c1"), "+12025550111")
