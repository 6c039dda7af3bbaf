"""A script's contact fields checked where script and lists meet, over HTTP against a real Redis: an import's
report names the fields the campaign's script reads that no list has (with the nearest column), a new
version of a script in use is warned about for each campaign, and a campaign with no list says nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.queue import keys
from dialer.settings import Settings
from tests.conftest import ADMIN
from tests.stores import open_store

YAML = {**ADMIN, "Content-Type": "application/yaml"}
CSV = {**ADMIN, "Content-Type": "text/csv"}


def script(text: str, version_note: str = "") -> str:
    return f"""
id: ward-walk
title: Ward walk {version_note}
start: hello
steps:
  hello:
    text: {text!r}
    choices:
      - {{label: Yes, next: done}}
      - {{label: No, result: refused}}
  done:
    text: "Thanks!"
    result: contacted
"""


@pytest.fixture
def client(app_settings: Settings, clean_redis: str) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings), raise_server_exceptions=False) as c:
        first = script("Hi {{ contact.first_name }}, you are in ward {{ contact.wrad }}.")
        r = c.post("/api/scripts", content=first, headers=YAML)
        assert r.status_code == 201 and r.json()["warnings"] == []  # no list yet: nothing to say
        campaign = {"id": "ww", "name": "Ward walk", "script_id": "ward-walk", "caller_id": "+12025550142"}
        assert c.post("/api/campaigns", json=campaign, headers=ADMIN).status_code == 201
        yield c


def test_an_import_names_the_fields_the_script_reads_that_no_list_has(client: TestClient) -> None:
    r = client.post(
        "/api/campaigns/ww/contacts", content=b"phone,first_name,Ward\n202-555-0100,Ann,4\n", headers=CSV
    )
    assert r.status_code == 200, r.text
    (gap,) = r.json()["script_fields"]
    assert gap["field"] == "wrad" and gap["paths"] == ["steps.hello.text"] and gap["suggestion"] == "Ward"
    assert "contact.wrad" in gap["message"] and "did you mean contact.Ward?" in gap["message"]

    # The script fixed: a new version is checked against the columns of every list imported so far.
    r = client.post("/api/scripts", content=script("Ward {{ contact.Ward }}", "2"), headers=YAML)
    assert r.status_code == 201 and r.json()["warnings"] == []
    r = client.post("/api/campaigns/ww/contacts", content=b"phone\n202-555-0101\n", headers=CSV)
    assert r.json()["script_fields"] == []  # an earlier list had the column

    # A new version with a field no list has: saved, with a warning naming the campaign.
    r = client.post("/api/scripts", content=script("Precinct {{ contact.precinct }}", "3"), headers=YAML)
    assert r.status_code == 201
    assert r.json()["warnings"] == [
        {
            "path": "steps.hello.text",
            "message": "the script reads contact.precinct (step hello), but no call list of campaign 'ww' "
            "has a 'precinct' column: volunteers see a blank there",
        }
    ]


def test_a_list_of_named_columns_only_still_has_its_gaps_named(client: TestClient) -> None:
    r = client.post(
        "/api/campaigns/ww/contacts", content=b"phone,first_name\n202-555-0100,Ann\n", headers=CSV
    )
    assert [g["field"] for g in r.json()["script_fields"]] == ["wrad"]


def test_a_list_that_imports_nothing_leaves_no_columns_on_record(
    client: TestClient, clean_redis: str
) -> None:
    r = client.post("/api/campaigns/ww/contacts", content=b"phone,ward\nnope,1\n", headers=CSV)
    assert r.status_code == 200 and r.json()["script_fields"] == []
    assert not open_store(clean_redis).exists(keys.list_columns("ww"))


def test_a_background_imports_report_carries_the_gaps(client: TestClient, clean_redis: str) -> None:
    report = '{"imported": 1, "rows": 1}'
    store = open_store(clean_redis)
    store.hset(keys.import_job("ww", "j1"), mapping={"status": "done", "rows": 1, "report": report})
    store.sadd(keys.list_columns("ww"), "", "ward")
    r = client.get("/api/campaigns/ww/imports/j1", headers=ADMIN)
    assert r.status_code == 200
    assert [g["suggestion"] for g in r.json()["report"]["script_fields"]] == ["ward"]
