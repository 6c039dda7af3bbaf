"""Contact import and the do-not-call list over HTTP, against a real Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue import keys
from dialer.settings import Settings
from dialer.web import api_queue
from tests.conftest import ADMIN, bearer
from tests.stores import open_store

NEW = {"id": "dc", "name": "Call day", "script_id": "gotv-2026", "caller_id": "+12025550142"}
LIST = b"phone,first_name,ward\n202-555-0100,Ann,1\nnope,Bob,2\n202-555-0100,Ann,1\n808-555-0101,Kai,3\n"


@pytest.fixture
def client(app_settings: Settings, clean_redis: str) -> Iterator[TestClient]:
    open_store(clean_redis).set(keys.script_latest("gotv-2026"), 1)
    app = create_app(app_settings)
    paths = {getattr(r, "path", None) for r in app.router.routes}
    if "/api/dnc" not in paths:  # until the composition root wires this module in
        app.router.routes.extend(api_queue.routes)
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.post("/api/campaigns", json=NEW, headers=ADMIN).status_code == 201
        yield c


def test_import_csv_body_and_multipart(client: TestClient, clean_redis: str) -> None:
    r = client.post("/api/campaigns/dc/contacts", content=LIST, headers={**ADMIN, "Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["imported"], report["duplicates"], report["skipped_dnc"]) == (2, 1, 0)
    assert report["invalid"] == [{"row": 2, "line": 3, "message": "invalid phone number 'nope'"}]
    assert [(d["row"], d["line"]) for d in report["duplicate_rows"]] == [(3, 4)]
    assert (report["warnings"], report["skipped"], report["dnc_rows"]) == ([], 0, [])
    r = client.post(
        "/api/campaigns/dc/contacts", files={"file": ("list.csv", LIST, "text/csv")}, headers=ADMIN
    )
    assert r.status_code == 200 and r.json()["duplicates"] == 3
    stored = open_store(clean_redis, decode_responses=True)
    assert stored.smembers(keys.zones("dc")) == {"America/New_York", "Pacific/Honolulu"}


def test_import_refusals(client: TestClient, clean_redis: str) -> None:
    csv_headers = {**ADMIN, "Content-Type": "text/csv"}
    r = client.post("/api/campaigns/dc/contacts", content=b"name\nAnn\n", headers=csv_headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_csv"
    assert "phone" in r.json()["error"]["message"]
    r = client.post("/api/campaigns/dc/contacts", content=bytes(range(256)) * 50, headers=csv_headers)
    assert r.status_code == 422
    r = client.post("/api/campaigns/dc/contacts", json={"phone": "x"}, headers=ADMIN)
    assert r.status_code == 415
    r = client.post("/api/campaigns/dc/contacts", files={"other": ("a.csv", LIST)}, headers=ADMIN)
    assert r.status_code == 422
    r = client.post("/api/campaigns/nope/contacts", content=LIST, headers=csv_headers)
    assert r.status_code == 404
    assert not open_store(clean_redis).exists(keys.phones("dc"))
    r = client.post("/api/campaigns/dc/contacts", content=LIST, headers={"Content-Type": "text/csv"})
    assert r.status_code == 401
    token = client.post(
        "/api/auth/signup", json={"email": "v@example.org", "name": "V", "password": "long enough password"}
    ).json()["token"]
    client.cookies.clear()
    r = client.post(
        "/api/campaigns/dc/contacts", content=LIST, headers={**bearer(token), "Content-Type": "text/csv"}
    )
    assert r.status_code == 403


def test_a_misspelt_field_beside_phones_is_refused_and_lists_nothing(
    client: TestClient, clean_redis: str
) -> None:
    """Every other JSON body names an unknown field (422); this one took `{"phones": [...], "reason": ...}`
    and dropped the rest, so a client believing it had recorded why learned nothing."""
    body = {"phones": ["202-555-0103"], "reason": "asked on the phone", "phone": "202-555-0104"}
    r = client.post("/api/dnc", json=body, headers=ADMIN)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"] == [
        {"path": "phone", "message": "unknown field"},
        {"path": "reason", "message": "unknown field"},
    ]
    assert not open_store(clean_redis).exists(keys.DNC)
    assert client.post("/api/dnc", json={"phones": ["202-555-0103"]}, headers=ADMIN).json() == {"added": 1}


def test_dnc_routes_and_import_skips_listed(client: TestClient, clean_redis: str) -> None:
    r = client.post("/api/dnc", json={"phones": ["202-555-0100", "+18085550101"]}, headers=ADMIN)
    assert r.status_code == 200 and r.json() == {"added": 2}
    r = client.post("/api/dnc", json={"phones": ["202-555-0102", "garbage"]}, headers=ADMIN)
    assert r.status_code == 422 and r.json()["error"]["details"] == [
        {"path": "phones[1]", "message": "not a phone number"}
    ]
    assert not open_store(clean_redis).sismember(keys.DNC, "+12025550102")
    r = client.post(
        "/api/dnc", content=b"phone\n3125550101\nx\n", headers={**ADMIN, "Content-Type": "text/csv"}
    )
    assert r.status_code == 200 and r.json() == {
        "added": 1,
        "invalid": [{"row": 2, "line": 3, "message": "invalid phone number 'x'"}],
    }
    r = client.post("/api/campaigns/dc/contacts", content=LIST, headers={**ADMIN, "Content-Type": "text/csv"})
    assert r.json()["skipped_dnc"] == 3 and r.json()["imported"] == 0
    assert client.delete("/api/dnc/+12025550100", headers=ADMIN).status_code == 204
    assert client.delete("/api/dnc/garbage", headers=ADMIN).status_code == 422
    assert not open_store(clean_redis).sismember(keys.DNC, "+12025550100")
    r = client.post("/api/campaigns/dc/contacts", content=LIST, headers={**ADMIN, "Content-Type": "text/csv"})
    assert r.json()["imported"] == 1


def test_import_progress_route(client: TestClient, clean_redis: str) -> None:
    assert client.get("/api/campaigns/dc/imports/j1", headers=ADMIN).status_code == 404
    open_store(clean_redis).hset(keys.import_job("dc", "j1"), mapping={"status": "running", "rows": 5})
    r = client.get("/api/campaigns/dc/imports/j1", headers=ADMIN)
    assert r.status_code == 200 and r.json() == {"status": "running", "rows": 5}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_a_unicode_csv_is_read_by_its_byte_order_mark(client: TestClient, encoding: str) -> None:
    """Excel's "Unicode Text" is UTF-16 with a BOM: it was refused as having no phone column."""
    text = LIST.decode().replace("Ann", "Zoë")
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data  # Python's utf-16-be writes no BOM; the file has one
    csv_headers = {**ADMIN, "Content-Type": "text/csv"}
    r = client.post("/api/campaigns/dc/contacts", content=data, headers=csv_headers)
    assert r.status_code == 200, r.text
    assert (r.json()["imported"], r.json()["duplicates"], len(r.json()["invalid"])) == (2, 1, 1)
    r = client.get("/api/campaigns/dc/contacts/1/history", headers=ADMIN)
    assert r.status_code == 200  # the contact is there
    dnc = "phone\n312-555-0101\n312-555-0102\n".encode(encoding)
    if encoding == "utf-16-be":
        dnc = b"\xfe\xff" + dnc
    r = client.post("/api/dnc", content=dnc, headers=csv_headers)
    assert r.status_code == 200 and r.json() == {"added": 2, "invalid": []}, r.text


def test_a_unicode_csv_without_its_byte_order_mark_is_refused_saying_so(client: TestClient) -> None:
    csv_headers = {**ADMIN, "Content-Type": "text/csv"}
    for url in ("/api/campaigns/dc/contacts", "/api/dnc"):
        r = client.post(url, content="phone\n202-555-0100\n".encode("utf-16-le"), headers=csv_headers)
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_csv", r.text
        assert "UTF-16 or UTF-32 text without a byte-order mark" in r.json()["error"]["message"]
        r = client.post(
            url, content=b"\xff\xfe" + "phone\n".encode("utf-16-le") + b"\x00\xd8", headers=csv_headers
        )
        assert r.status_code == 422, r.text
        assert "byte-order mark says UTF-16, but it is not UTF-16 text" in r.json()["error"]["message"]
