"""`dialer import-contacts` and `dialer export` through their service functions, on a real Redis."""

from __future__ import annotations

import asyncio
import csv
import functools
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dialer.cli import build_parser
from dialer.connections import async_client
from dialer.queue import keys
from dialer.queue.cli import export_results_file, import_contacts_file
from tests.conftest import ADMIN
from tests.stores import open_store

NEW = {"id": "cli", "name": "Call day", "script_id": "gotv-2026", "caller_id": "+12025550142"}


def run_with(url: str, fn, *args: str) -> int:  # type: ignore[no-untyped-def]
    async def go() -> int:
        client = async_client(url)
        try:
            return int(await fn(client, *args))
        finally:
            await client.aclose()

    return asyncio.run(go())


def test_import_and_export(
    api: TestClient, clean_redis: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(clean_redis).set(keys.script_latest("gotv-2026"), 1)
    assert api.post("/api/campaigns", json=NEW, headers=ADMIN).status_code == 201
    good = tmp_path / "list.csv"
    good.write_bytes(b"phone,first_name\n2025550101,=cmd()\nbad,x\n")
    assert run_with(clean_redis, import_contacts_file, "cli", str(good)) == 0
    assert '"imported": 1' in capsys.readouterr().out
    assert run_with(clean_redis, import_contacts_file, "nope", str(good)) == 2
    assert run_with(clean_redis, import_contacts_file, "cli", str(tmp_path / "missing.csv")) == 2
    (tmp_path / "bad.csv").write_bytes(b"name\nx\n")
    assert run_with(clean_redis, import_contacts_file, "cli", str(tmp_path / "bad.csv")) == 2
    assert "no phone column" in capsys.readouterr().err
    out = tmp_path / "results.csv"
    assert run_with(clean_redis, export_results_file, "cli", str(out)) == 0
    with out.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["contact_id", "external_id", "phone"] and len(rows) == 1
    assert rows[0][7:9] == ["volunteer", "recorded_at"] and rows[0][-1] == "volunteer_name"  # as over HTTP
    excel = tmp_path / "excel.csv"
    assert run_with(clean_redis, functools.partial(export_results_file, excel=True), "cli", str(excel)) == 0
    assert excel.read_bytes().startswith(b"\xef\xbb\xbfcontact_id,")
    assert build_parser().parse_args(["export", "cli", "--excel", "-o", str(excel)]).excel


def test_the_cli_import_says_which_header_repeats(
    api: TestClient, clean_redis: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(clean_redis).set(keys.script_latest("gotv-2026"), 1)
    assert api.post("/api/campaigns", json=NEW, headers=ADMIN).status_code == 201
    listed = tmp_path / "list.csv"
    listed.write_bytes(b"first_name,First Name,phone\nAnn,Annie,+12125550141\n")
    assert run_with(clean_redis, import_contacts_file, "cli", str(listed)) == 0
    out = capsys.readouterr().out
    assert '"imported": 1' in out
    assert "'First Name' repeats 'first_name' (columns 1 and 2): column 1's cells were imported" in out
