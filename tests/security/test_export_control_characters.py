"""Finding (probe): a control character in front of a formula slipped past results.csv's formula guard.

The export quotes a cell that a spreadsheet would run as a formula (`'=HYPERLINK(...)`) and drops NUL-like
control characters from every cell (contacts.csv_safe). The page builder's fast path looked for formula
characters only right after a cell boundary, so an imported list whose names start with DEL or another C0
control (`\\x7f=HYPERLINK("http://...")`, kept by the import as it keeps every other character) was written
as it came: control character and live formula. Whatever drops the control character on the way into a
spreadsheet (a cleaning step, a sheet that trims it) is left with a formula that runs on the organizer's
machine. Such rows now take the careful path: the same cells csv_safe gives."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.contacts import csv_safe
from dialer.queue.export import API_COLUMNS, _page_text
from dialer.settings import Settings
from tests.conftest import ADMIN, ADMIN_TOKEN, bearer

NOON_NY = datetime(2026, 11, 25, 17, 0, tzinfo=UTC).timestamp()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gotv.yaml"
CONTROLS = ["\x01", "\x07", "\x1b", "\x7f"]
FORMULA = '=HYPERLINK("http://example.org/x","open")'


@pytest.fixture
def api(clean_redis: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        redis_url=clean_redis, data_dir=tmp_path, secret_key="s", admin_token=ADMIN_TOKEN,
        public_url="http://testserver",
    )  # fmt: skip
    with TestClient(create_app(settings, clock=lambda: NOON_NY), raise_server_exceptions=False) as client:
        yield client


def test_an_imported_name_with_a_control_character_before_a_formula_exports_as_text(api: TestClient) -> None:
    r = api.post("/api/scripts", content=EXAMPLE.read_bytes(),
                 headers={**ADMIN, "Content-Type": "application/yaml"})  # fmt: skip
    assert r.status_code == 201, r.text
    r = api.post("/api/campaigns", headers=ADMIN, json={"id": "dc", "name": "DC", "script_id": "gotv-2026",
                 "caller_id": "+12025550199", "default_timezone": "America/New_York"})  # fmt: skip
    assert r.status_code == 201, r.text
    rows = [["phone", "first_name", "last_name", "id"]]
    rows += [
        [f"+1202555{110 + i:04d}", c + FORMULA, c + "-2+3", c + "@SUM(A1)"] for i, c in enumerate(CONTROLS)
    ]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    r = api.post("/api/campaigns/dc/contacts", content=out.getvalue().encode(),
                 headers={**ADMIN, "Content-Type": "text/csv"})  # fmt: skip
    assert r.status_code == 200 and r.json()["imported"] == len(CONTROLS), r.text
    signed = api.post("/api/auth/signup", json={"email": "vera@example.org", "name": "Vera Volunteer",
                                                "password": "a long password"})  # fmt: skip
    volunteer = bearer(signed.json()["token"])
    api.cookies.clear()
    batch = api.post("/api/campaigns/dc/batches", headers=volunteer).json()
    assert len(batch["contacts"]) == len(CONTROLS), batch
    for contact in batch["contacts"]:
        result = {"contact_id": contact["id"], "result": "not_home", "idempotency_key": contact["id"]}
        assert (
            api.post(f"/api/batches/{batch['id']}/results", json=result, headers=volunteer).status_code == 200
        )

    text = api.get("/api/campaigns/dc/results.csv", headers=ADMIN).text
    assert not any(c in text for c in CONTROLS), repr(text)
    exported = list(csv.DictReader(io.StringIO(text)))
    assert len(exported) == len(CONTROLS)
    for row in exported:
        assert (row["first_name"], row["last_name"], row["external_id"]) == (
            "'" + FORMULA,
            "'-2+3",
            "'@SUM(A1)",
        )


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("after", ["=1+1", "-1", "+1", "@x", "safe", ""])
def test_the_page_builder_gives_csv_safe_cells_whatever_control_character_a_cell_holds(
    control: str, after: str
) -> None:
    entry = dict.fromkeys(API_COLUMNS, "")
    entry["notes"] = control + after
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerow([csv_safe(entry[c]) for c in API_COLUMNS] + [""])
    assert _page_text([("1-0", entry)], [], {}) == expected.getvalue()
