"""API.md's result codes over HTTP: `no_answer`, `busy`, `voicemail` and `not_home` send the contact back to
the queue after `retry_minutes` until `max_attempts`; `do_not_call` also puts the phone on the do-not-call
list; the rest are final; every recorded result appears in the results export and in the counters.

The campaign (tests/integration/test_api_batches.py's world): 5 contacts, batches of 2, `max_attempts` 2,
`retry_minutes` 60, a clock the test moves."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.conftest import ADMIN
from tests.integration.test_api_batches import World, take, world  # noqa: F401 - the fixture

__all__ = ["world"]


def call_everyone_handed_out(w: World, outcomes: dict[str, str]) -> list[str]:
    """Takes batches until nobody is handed out, records `outcomes[first_name]` for each contact (first
    names are '=CMD|<n>'), releases each batch; returns the first names handed out, in order."""
    handed: list[str] = []
    while True:
        status, batch = take(w, w.volunteer)
        if status != 201:
            assert status == 409 and batch["error"]["code"] == "no_contacts", batch
            return handed
        for contact in batch["contacts"]:
            handed.append(contact["first_name"])
            r = w.client.post(
                f"/api/batches/{batch['id']}/results",
                json={"contact_id": contact["id"], "result": outcomes[contact["first_name"]]},
                headers=w.volunteer,
            )
            assert r.status_code == 200 and r.json() == {"recorded": True, "duplicate": False}, r.text
        assert w.client.post(f"/api/batches/{batch['id']}/release", headers=w.volunteer).status_code == 200


def export(w: World) -> list[dict[str, Any]]:
    r = w.client.get("/api/campaigns/dc/results.csv", headers=ADMIN)
    assert r.status_code == 200
    return list(csv.DictReader(io.StringIO(r.text)))


def test_retries_until_max_attempts_finals_and_do_not_call(world: World) -> None:  # noqa: F811
    w = world
    first = {
        "=CMD|0": "no_answer",
        "=CMD|1": "busy",
        "=CMD|2": "do_not_call",
        "=CMD|3": "wrong_number",
        "=CMD|4": "voicemail",
    }
    assert sorted(call_everyone_handed_out(w, first)) == sorted(first)
    # Nobody is due: the retries wait `retry_minutes`, the rest are final.
    w.clock[0] += 59 * 60
    assert call_everyone_handed_out(w, {}) == []
    # After `retry_minutes` the three retries come back (attempt 2 of 2); not_home sends one back again.
    w.clock[0] += 2 * 60
    second = {"=CMD|0": "not_home", "=CMD|1": "contacted", "=CMD|4": "no_answer"}
    assert sorted(call_everyone_handed_out(w, second)) == sorted(second)
    # `max_attempts` reached: nobody comes back, however long one waits.
    w.clock[0] += 3 * 3600
    assert call_everyone_handed_out(w, {}) == []

    rows = export(w)
    assert [(r["result"], r["attempt"]) for r in rows if r["first_name"] == "'=CMD|0"] == [
        ("no_answer", "1"),
        ("not_home", "2"),
    ]
    assert len(rows) == 8
    stats = w.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["calls"] == 8 and stats["contacts_reached"] == 1
    assert {code: n for code, n in stats["results"].items() if n} == {
        "no_answer": 2,
        "busy": 1,
        "do_not_call": 1,
        "wrong_number": 1,
        "voicemail": 1,
        "not_home": 1,
        "contacted": 1,
    }
    # do_not_call put the phone on the list: another campaign's list skips it.
    dnc_phone = next(r["phone"] for r in rows if r["result"] == "do_not_call")
    r = w.client.post(
        "/api/campaigns",
        json={"id": "dc2", "name": "DC 2", "script_id": "gotv-2026", "caller_id": "+12025550199"},
        headers=ADMIN,
    )
    assert r.status_code == 201, r.text
    r = w.client.post(
        "/api/campaigns/dc2/contacts",
        content=f"phone\n{dnc_phone}\n+12025550198\n",
        headers={**ADMIN, "Content-Type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["imported"], r.json()["skipped_dnc"]) == (1, 1)
