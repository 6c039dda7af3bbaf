"""A 1,000,000-row call list imported in the background, then a 1,000,000-row results.csv exported.

    .venv/bin/python bench/import_export.py [--redis-url URL] [--rows 1000000] [--results 1000000]

Import: the CSV is kept in Redis and queued as the upload route does (`?background=1`: the upload key, the
job's status hash, `dialer.jobs.enqueuer`), and an RQ `SimpleWorker` in a process of its own runs the job
(`importer.import_upload_job`, what `dialer worker`'s work horse runs). The bench samples that process'
RSS and the job's progress hash as it goes, so the figures say whether memory stays flat. Baseline, in
the same run: parsing the same file with `contacts.read_rows` alone (no Redis), the floor of any import.

The only fictional numbers are 555-0100..0199 in real area codes: about 45,000 callable ones. So the
file's first rows are distinct and the rest repeat them: the import reads and checks all 1,000,000 rows, adds
about 45,000 contacts and reports the rest as duplicates. `new_contacts_per_s` (the rate over the distinct
rows) and `import_1m_distinct_s_estimate` say what 1,000,000 distinct contacts would take.

Export: the campaign's results stream gets `--results` entries shaped as record.lua writes them, then
`export.export_lines` (what GET results.csv streams) is read to the end. Baseline, same run: paging the
same stream with XRANGE alone, without building CSV. Targets (issue 16): import < 180 s, export < 60 s.
`--rows 0` runs the export alone; `--rounds N` alternates N exports with N XRANGE passes and reports the
medians. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import phonenumbers
import redis.asyncio as aioredis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialer.contacts import read_rows  # noqa: E402
from dialer.embedded import EmbeddedRedis  # noqa: E402
from dialer.jobs import enqueuer  # noqa: E402
from dialer.queue import import_watch, keys  # noqa: E402
from dialer.queue.export import export_lines  # noqa: E402
from dialer.queue.importer import read_file  # noqa: E402

ZONE = "America/New_York"
QUESTIONS = ("support", "volunteer")
WORKER = """
import sys
from rq import Queue, SimpleWorker
from dialer.connections import plain_sync_client
connection = plain_sync_client(sys.argv[1], decode_responses=False)
SimpleWorker([Queue("dialer-low", connection=connection)], connection=connection).work(burst=True)
"""


def fictional_numbers() -> list[str]:
    """Every 555-01xx number in a valid NANP area code that is not toll-free or premium (the import skips
    those), as people write them: (202) 555-0142."""
    callable_types = {
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    codes = [
        a
        for a in range(200, 1000)
        if phonenumbers.is_valid_number(n := phonenumbers.parse(f"+1{a}5550100"))
        and phonenumbers.number_type(n) in callable_types
    ]
    return [f"({a}) 555-01{i:02d}" for a in codes for i in range(100)]


def write_csv(path: Path, rows: int) -> int:
    """The call list; returns how many of its rows have a number no earlier row has."""
    numbers = fictional_numbers()
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("external_id,first_name,last_name,phone,zip\r\n")
        for i in range(rows):
            phone, zip_code = numbers[i % len(numbers)], 20001 + i % 900
            f.write(f"V{i:07d},First{i % 997},Last{i % 1009},{phone},{zip_code:05d}\r\n")
    return min(rows, len(numbers))


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def parse_only(path: Path) -> tuple[float, int]:
    """Baseline: seconds to parse the file with read_rows (E.164, time zones), no Redis."""
    started = time.perf_counter()
    n = sum(1 for _ in read_rows(read_file(path), default_timezone=ZONE))
    return time.perf_counter() - started, n


async def bench_import(url: str, path: Path, distinct: int) -> dict[str, Any]:
    redis = aioredis.Redis.from_url(url, decode_responses=True)
    campaign_id, job_id = f"bench-import-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex[:16]
    job_key = keys.import_job(campaign_id, job_id)
    try:
        # What the upload route does with ?background=1 (api_queue._import_in_background).
        await redis.set(keys.import_upload(campaign_id, job_id), path.read_bytes(), ex=24 * 3600)
        await redis.hset(job_key, mapping={"status": "queued", "rows": 0, "default_timezone": ZONE})
        await import_watch.mark_queued(redis, campaign_id, job_id, time.time())
        await enqueuer(url, url)("dialer.queue.importer.import_upload_job", campaign_id, job_id, ZONE)

        started = time.perf_counter()
        worker = subprocess.Popen([sys.executable, "-c", WORKER, url], env={**os.environ, "PYTHONPATH": "."})
        samples: list[tuple[float, int, int, int]] = []  # (seconds, RSS KiB, rows read, imported)
        first_pass: tuple[float, int] | None = None  # (seconds, contacts added) once the distinct rows are in
        while worker.poll() is None:
            rss = rss_kib(worker.pid)
            state = await redis.hmget(job_key, "rows", "imported")
            at = time.perf_counter() - started
            rows_read, imported = int(state[0] or 0), int(state[1] or 0)
            if rss is not None:
                samples.append((at, rss, rows_read, imported))
            if first_pass is None and rows_read >= distinct:
                first_pass = (at, imported)
            await asyncio.sleep(0.25)
        elapsed = time.perf_counter() - started
        status = await redis.hgetall(job_key)
        if worker.returncode != 0 or status.get("status") != "done":
            raise SystemExit(f"the import did not finish: worker exit {worker.returncode}, {status}")
        rss = [s[1] for s in samples]
        # Flat: the RSS once a tenth of the rows were read against the end (start-up and imports excluded).
        settled = [s[1] for s in samples if s[2] >= int(status["rows"]) // 10] or rss
        return {
            "import_s": round(elapsed, 1),
            "rows": int(status["rows"]),
            "imported": int(status["imported"]),
            "duplicates": int(status["duplicates"]),
            "rows_per_s": round(int(status["rows"]) / elapsed),
            # Over the first pass (every row a new contact): what a list of distinct numbers would take.
            "new_contacts_per_s": round(first_pass[1] / first_pass[0]) if first_pass else None,
            "import_1m_distinct_s_estimate": round(1e6 * first_pass[0] / first_pass[1]) if first_pass else 0,
            "worker_rss_mib": {
                "first": round(rss[0] / 1024, 1) if rss else None,
                "after_10pct": round(settled[0] / 1024, 1) if settled else None,
                "max": round(max(rss) / 1024, 1) if rss else None,
                "last": round(rss[-1] / 1024, 1) if rss else None,
                "samples": len(rss),
            },
            "worker_rss_growth_after_10pct_mib": round((max(settled) - settled[0]) / 1024, 1)
            if settled
            else None,
        }
    finally:
        await _drop(redis, campaign_id)
        await redis.aclose()


async def bench_export(url: str, results: int, rounds: int = 1) -> dict[str, Any]:
    redis = aioredis.Redis.from_url(url, decode_responses=True)
    campaign_id = f"bench-export-{uuid.uuid4().hex[:6]}"
    stream = keys.results(campaign_id)
    numbers = fictional_numbers()
    try:
        recorded = 1_780_000_000.0
        for start in range(0, results, 10_000):
            async with redis.pipeline(transaction=False) as pipe:
                for i in range(start, min(results, start + 10_000)):
                    pipe.xadd(stream, _result_entry(i, numbers[i % len(numbers)], recorded + i))
                await pipe.execute()

        xrange_s: list[float] = []
        export_s: list[float] = []
        size = 0
        for _ in range(rounds):  # alternating, so that a busy machine weighs on both alike
            started = time.perf_counter()
            entries, first = 0, "-"
            while True:
                page = await redis.xrange(stream, first, "+", count=1000)
                entries += len(page)
                if len(page) < 1000:
                    break
                first = "(" + page[-1][0]
            xrange_s.append(time.perf_counter() - started)

            started = time.perf_counter()
            size, lines = 0, 0
            async for text in export_lines(redis, campaign_id, QUESTIONS):
                size += len(text.encode("utf-8"))
                lines += text.count("\r\n")
            export_s.append(time.perf_counter() - started)
            if lines != results + 1 or entries != results:
                raise SystemExit(
                    f"export has {lines} lines for {results} results (+ header); xrange saw {entries}"
                )
        ours, baseline = statistics.median(export_s), statistics.median(xrange_s)
        return {
            "results": results,
            "export_s": round(ours, 1),
            "export_rows_per_s": round(results / ours),
            "export_mib": round(size / 2**20, 1),
            "baseline_xrange_s": round(baseline, 1),
            "export_vs_xrange": round(ours / baseline, 2),
            "export_1m_s_estimate": round(1e6 * ours / results, 1),
            "export_rounds": rounds,
        }
    finally:
        await _drop(redis, campaign_id)
        await redis.aclose()


def _result_entry(i: int, phone: str, recorded_at: float) -> dict[str, str]:
    """A results stream entry with record.lua's fields."""
    return {
        "contact_id": str(i + 1),
        "external_id": f"V{i:07d}",
        "phone": phone,
        "first_name": f"First{i % 997}",
        "last_name": f"Last{i % 1009}",
        "result": ("answered", "no_answer", "busy", "voicemail")[i % 4],
        "attempt": str(1 + i % 3),
        "volunteer": f"u{i % 300}",
        "recorded_at": repr(recorded_at),
        "notes": "" if i % 5 else 'call back after 6, "maybe"',
        "call_sid": f"CA{i:032x}",
        "script_version": "3",
        "answers": json.dumps({"support": ("yes", "no", "undecided")[i % 3], "volunteer": i % 7 == 0}),
        "batch": f"bench.{i // 20:08x}",
        "idempotency_key": f"k{i}",
    }


async def _drop(redis: aioredis.Redis, campaign_id: str) -> None:
    async for key in redis.scan_iter(match=f"{keys.tag(campaign_id)}*", count=10_000):
        await redis.unlink(key)


async def bench(url: str, rows: int, results: int, tmp: Path, rounds: int = 1) -> dict[str, Any]:
    if rows == 0:  # the export alone
        return await bench_export(url, results, rounds)
    path = tmp / "contacts.csv"
    distinct = write_csv(path, rows)
    parse_s, parsed = parse_only(path)
    report: dict[str, Any] = {"csv_mib": round(path.stat().st_size / 2**20, 1), "distinct_numbers": distinct}
    report.update(await bench_import(url, path, distinct))
    report["baseline_parse_only_s"] = round(parse_s, 1)
    report["import_vs_parse_only"] = round(report["import_s"] / parse_s, 2)
    report["import_target_s"] = 180
    report.update(await bench_export(url, results, rounds))
    report["export_target_s"] = 60
    if parsed != rows:
        raise SystemExit(f"parsed {parsed} rows of {rows}")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis-url")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=1, help="export rounds (alternating with XRANGE)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.redis_url:
            report = asyncio.run(bench(args.redis_url, args.rows, args.results, Path(tmp), args.rounds))
        else:
            with EmbeddedRedis(Path(tmp) / "redis") as server:
                report = asyncio.run(bench(server.url, args.rows, args.results, Path(tmp), args.rounds))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
