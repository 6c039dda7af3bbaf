"""A do-not-call upload with several phone columns, and call lists with the cells earlier walks found
(float phones, `id` beside `external_id`, UTC time zones), over HTTP against a real Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue import keys
from dialer.settings import Settings
from tests.conftest import ADMIN
from tests.stores import open_store

NEW = {"id": "dc", "name": "Call day", "script_id": "gotv-2026", "caller_id": "+12025550142"}
CSV = {**ADMIN, "Content-Type": "text/csv"}
VAN_DNC = (
    b"VANID,FirstName,LastName,Cell Phone,Home Phone\n"
    b"101,Ann,Doe,(212) 555-0101,(212) 555-0102\n"
    b"102,Bob,Roe,,3125550103.0\n"
    b"103,Cy,Poe,bad,303-555-0104\n"
)


@pytest.fixture
def client(app_settings: Settings, clean_redis: str) -> Iterator[TestClient]:
    open_store(clean_redis).set(keys.script_latest("gotv-2026"), 1)
    with TestClient(create_app(app_settings), raise_server_exceptions=False) as c:
        r = c.post("/api/campaigns", json=NEW, headers=ADMIN)
        assert r.status_code == 201, r.text
        yield c


def test_every_phone_column_of_a_do_not_call_row_is_listed(client: TestClient, clean_redis: str) -> None:
    """A VAN-style file's Cell Phone and Home Phone both go on the list (only the first number found did,
    so a voter who asked not to be called was still called at home); `added` counts numbers."""
    r = client.post("/api/dnc", content=VAN_DNC, headers=CSV)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "added": 4,
        "invalid": [{"row": 3, "line": 4, "message": "invalid phone number 'bad' in Cell Phone"}],
    }
    listed = open_store(clean_redis).smembers(keys.DNC)
    assert listed == {b"+12125550101", b"+12125550102", b"+13125550103", b"+13035550104"}
    # A call list that dials a voter's home phone now finds it listed.
    r = client.post("/api/campaigns/dc/contacts", content=b"phone\n212-555-0102\n", headers=CSV)
    assert (r.json()["imported"], r.json()["skipped_dnc"]) == (0, 1)
    entry = client.get("/api/dnc/audit", headers=ADMIN).json()["entries"][0]
    assert (entry["action"], entry["count"], entry["rejected"]) == ("upload", "4", "1")


def test_a_call_list_keeps_external_ids_float_phones_and_passes_over_utc(
    client: TestClient, clean_redis: str
) -> None:
    data = (
        b"id,external_id,phone,timezone\n"
        b"r1,V-901,2125550110.0,UTC\n"  # pandas' float; a zone that is no place
        b"r2,V-902,303-555-0111,Etc/GMT+5\n"
    )
    r = client.post("/api/campaigns/dc/contacts", content=data, headers=CSV)
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["imported"], report["invalid"]) == (2, [])
    assert [(w["line"], w["kind"], w["action"]) for w in report["warnings"]] == [
        (2, "unknown_timezone", "imported"),
        (3, "unknown_timezone", "imported"),
    ]
    assert "imported with America/New_York, from the area code" in report["warnings"][0]["message"]
    assert "imported with America/Denver, from the area code" in report["warnings"][1]["message"]
    store = open_store(clean_redis)
    stored = []
    for phone in ("+12125550110", "+13035550111"):
        contact_id = store.hget(keys.phones("dc"), phone)
        assert contact_id is not None, phone
        card = store.hgetall(keys.contact("dc", contact_id.decode()))
        stored.append((card[b"external_id"], card[b"tz"]))
    assert stored == [(b"V-901", b"America/New_York"), (b"V-902", b"America/Denver")]


def test_a_van_export_with_work_phones_imports_and_lists_them(client: TestClient, clean_redis: str) -> None:
    """An organizer uploads VAN's export as it comes (VanID ... Work Phone ... Zip5): the voter with only a
    work number was "missing phone number"; then the do-not-call file's work numbers were not listed, so
    the voter who asked not to be called at work was still called there."""
    export = (
        b"VanID,LastName,FirstName,Cell Phone,Home Phone,Work Phone,Address,City,State,Zip5\n"
        b"401,Doe,Ann,(212) 555-0140,,,1 Main St,Albany,NY,12207\n"
        b"402,Roe,Bob,,,(212) 555-0141,2 Main St,Albany,NY,12207\n"
        b"403,Poe,Cy,,,(212) 555-0142,3 Main St,Albany,NY,12207\n"
    )
    r = client.post("/api/campaigns/dc/contacts", content=export, headers=CSV)
    assert r.status_code == 200, r.text
    assert (r.json()["imported"], r.json()["invalid"]) == (3, [])
    dnc = b"VanID,Cell Phone,Home Phone,Work Phone\n403,,,(212) 555-0142\n"
    assert client.post("/api/dnc", content=dnc, headers=CSV).json() == {"added": 1, "invalid": []}
    assert open_store(clean_redis).smembers(keys.DNC) == {b"+12125550142"}
    r = client.post("/api/campaigns/dc/contacts", content=b"phone\n212-555-0142\n", headers=CSV)
    assert (r.json()["imported"], r.json()["skipped_dnc"]) == (0, 1)


def test_repeated_headers_are_told_in_the_call_list_and_do_not_call_reports(
    client: TestClient, clean_redis: str
) -> None:
    """An organizer uploads a list whose header says `note` twice: the later column's cells were dropped
    with no word. The report now names the header and the column kept; a do-not-call list with `Cell Phone`
    twice lists both columns' numbers (only the first's were) and says so; the next call list skips them."""
    r = client.post(
        "/api/campaigns/dc/contacts", content=b"phone,note,note\n+12125550140,one,two\n", headers=CSV
    )
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 1
    assert r.json()["file_warnings"] == [
        {
            "kind": "repeated_header",
            "header": "note",
            "columns": [2, 3],
            "message": "the header 'note' repeats (columns 2 and 3): column 2's cells were imported, "
            "column 3's were not",
        }
    ]
    dnc_file = b"VANID,Cell Phone,Cell Phone\n101,(212) 555-0160,(212) 555-0161\n"
    r = client.post("/api/dnc", content=dnc_file, headers=CSV)
    assert r.status_code == 200, r.text
    assert r.json()["added"] == 2
    [warning] = r.json()["file_warnings"]
    assert warning["message"].endswith("the numbers of both columns were added")
    r = client.post("/api/campaigns/dc/contacts", content=b"phone\n212-555-0161\n", headers=CSV)
    assert (r.json()["imported"], r.json()["skipped_dnc"]) == (0, 1)
    assert "file_warnings" not in r.json()  # a header without repeats: the answer as before
