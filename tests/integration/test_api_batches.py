"""Batches and results over HTTP against a real Redis, with a controlled clock."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.queue.lease import LeaseQueue
from dialer.scripts.loader import load_script
from dialer.settings import Settings
from dialer.stores.scripts import ScriptStore
from tests.conftest import ADMIN, ADMIN_TOKEN, bearer

NOON_NY = datetime(2026, 11, 25, 17, 0, tzinfo=UTC).timestamp()
NIGHT_NY = datetime(2026, 11, 26, 4, 0, tzinfo=UTC).timestamp()  # 23:00 in New York
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gotv.yaml"


@dataclass
class World:
    client: TestClient
    clock: list[float]
    volunteer: dict[str, str]
    other: dict[str, str]


async def _seed(url: str, n: int) -> None:
    client = async_client(url)
    try:
        await ScriptStore(client).save(load_script(EXAMPLE.read_bytes(), "application/yaml").script, NOON_NY)
        contacts = [
            Contact(
                phone=f"+1202555{100 + i:04d}",
                timezone="America/New_York",
                first_name=f"=CMD|{i}",
                external_id=f"E{i}",
            )
            for i in range(n)
        ]
        await LeaseQueue(client).add_contacts("dc", contacts, NOON_NY)
    finally:
        await client.aclose()


@pytest.fixture
def world(clean_redis: str, tmp_path: Path) -> Iterator[World]:
    settings = Settings(
        redis_url=clean_redis,
        data_dir=tmp_path,
        secret_key="s",
        admin_token=ADMIN_TOKEN,
        public_url="http://testserver",
    )
    clock = [NOON_NY]
    asyncio.run(_seed(clean_redis, 5))
    with TestClient(create_app(settings, clock=lambda: clock[0]), raise_server_exceptions=False) as client:
        r = client.post(
            "/api/campaigns",
            json={
                "id": "dc",
                "name": "DC",
                "script_id": "gotv-2026",
                "caller_id": "+12025550199",
                "batch_size": 2,
                "max_attempts": 2,
                "retry_minutes": 60,
                "lease_seconds": 600,
            },
            headers=ADMIN,
        )
        assert r.status_code == 201, r.text
        people = []
        for email in ("a@example.org", "b@example.org"):
            r = client.post(
                "/api/auth/signup",
                json={"email": email, "name": email[0].upper(), "password": "long password"},
            )
            people.append(bearer(r.json()["token"]))
        client.cookies.clear()
        yield World(client, clock, people[0], people[1])


def take(w: World, who: dict[str, str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = w.client.post("/api/campaigns/dc/batches", headers=who)
    return r.status_code, r.json()


def test_take_batch_then_the_same_batch_again(world: World) -> None:
    status, batch = take(world, world.volunteer)
    assert status == 201
    assert (
        set(batch) == {"id", "campaign_id", "expires_at", "contacts", "skips_left", "called"}
        and batch["campaign_id"] == "dc"
    )
    assert len(batch["contacts"]) == 2
    assert set(batch["contacts"][0]) == {
        "id",
        "external_id",
        "first_name",
        "last_name",
        "phone",
        "state",
        "zip",
        "timezone",
        "attempts",
        "fields",
    }
    assert batch["contacts"][0]["timezone"] == "America/New_York" and batch["contacts"][0]["attempts"] == 0
    assert batch["called"] == []
    status, again = take(world, world.volunteer)
    assert status == 200 and again["id"] == batch["id"]
    _, other = take(world, world.other)
    assert not {c["id"] for c in other["contacts"]} & {c["id"] for c in batch["contacts"]}


def test_the_batch_handed_back_lists_who_was_already_called_in_it(world: World) -> None:
    _, batch = take(world, world.volunteer)
    first, second = batch["contacts"]
    body = {"contact_id": first["id"], "result": "not_home"}
    assert world.client.post(
        f"/api/batches/{batch['id']}/results", json=body, headers=world.volunteer
    ).json()["recorded"]
    status, again = take(world, world.volunteer)  # a reload, another tab or device
    assert status == 200 and again["id"] == batch["id"]
    assert [c["id"] for c in again["contacts"]] == [second["id"]]
    assert [(c["id"], c["result"], c["first_name"]) for c in again["called"]] == [
        (first["id"], "not_home", first["first_name"])
    ]


def test_results_idempotency_fencing_and_retry(world: World) -> None:
    _, batch = take(world, world.volunteer)
    contact = batch["contacts"][0]
    url = f"/api/batches/{batch['id']}/results"
    body = {"contact_id": contact["id"], "result": "no_answer", "idempotency_key": "k1"}
    r = world.client.post(url, json=body, headers=world.volunteer)
    assert r.status_code == 200 and r.json() == {"recorded": True, "duplicate": False}
    r = world.client.post(url, json=body, headers=world.volunteer)
    assert r.json() == {"recorded": True, "duplicate": True}
    # Another volunteer cannot record through this batch (API.md: the holder's; a role too low gets 403), as
    # they cannot renew or release it.
    r = world.client.post(
        url, json={**body, "contact_id": contact["id"], "idempotency_key": "k2"}, headers=world.other
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_holder"
    # A contact of someone else's batch is not in this one.
    _, theirs = take(world, world.other)
    r = world.client.post(
        url, json={"contact_id": theirs["contacts"][0]["id"], "result": "contacted"}, headers=world.volunteer
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_in_batch"
    stats = world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["calls"] == 1 and stats["results"]["no_answer"] == 1


def test_final_result_cannot_be_recorded_twice(world: World) -> None:
    _, batch = take(world, world.volunteer)
    url = f"/api/batches/{batch['id']}/results"
    contact_id = batch["contacts"][0]["id"]
    answers = {"intro": "Speaking", "support": "no"}
    r = world.client.post(
        url,
        json={"contact_id": contact_id, "result": "contacted", "answers": answers, "idempotency_key": "a"},
        headers=world.volunteer,
    )
    assert r.status_code == 200, r.text
    r = world.client.post(
        url,
        json={"contact_id": contact_id, "result": "refused", "idempotency_key": "b"},
        headers=world.volunteer,
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_completed"


def test_answers_may_name_only_the_questions_the_client_asked(world: World) -> None:
    """API.md's Result: `answers: {question: value}`. A client that sends the questions it asked, without
    the greeting's "Speaking" or a count it did not ask, is recorded; answers that no walk of the script
    gives together are still refused (422, nothing recorded)."""
    _, batch = take(world, world.volunteer)
    url = f"/api/batches/{batch['id']}/results"
    first, second = (c["id"] for c in batch["contacts"])
    off_branch = {"support": "no", "vote_time": "morning"}  # "No" thanks the voter: no voting plan
    r = world.client.post(
        url,
        json={"contact_id": first, "result": "contacted", "answers": off_branch, "idempotency_key": "x"},
        headers=world.volunteer,
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_answers", r.text
    assert [d["path"] for d in r.json()["error"]["details"]] == ["answers.vote_time"]
    assert world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()["calls"] == 0
    asked = {"support": "undecided", "persuaded": "leaning_yes", "vote_time": "evening"}
    for contact_id, answers in ((first, {"support": "no"}), (second, asked)):
        r = world.client.post(
            url,
            json={
                "contact_id": contact_id,
                "result": "contacted",
                "answers": answers,
                "idempotency_key": contact_id,
            },
            headers=world.volunteer,
        )
        assert r.status_code == 200 and r.json() == {"recorded": True, "duplicate": False}, r.text
    rows = {
        row["contact_id"]: row
        for row in csv.DictReader(
            io.StringIO(world.client.get("/api/campaigns/dc/results.csv", headers=ADMIN).text)
        )
    }
    assert rows[first]["support"] == "no" and rows[first]["intro"] == ""
    assert (rows[second]["support"], rows[second]["persuaded"], rows[second]["vote_time"]) == (
        "undecided",
        "leaning_yes",
        "evening",
    )


def test_an_answer_is_recorded_as_the_script_spells_it_whatever_the_client_sent(world: World) -> None:
    """A number step's answer posted as "2.0" or " 2 " was stored as posted, so the export had "2.0" beside
    the socket's 2 for the same answer (and a CRM mapping or a pivot table saw two answers). Recorded as a
    call session records it: the number."""
    _, batch = take(world, world.volunteer)
    url = f"/api/batches/{batch['id']}/results"
    for contact, sent in zip(batch["contacts"], ("2.0", " 2 "), strict=True):
        answers = {"support": "yes", "household_voters": sent, "vote_time": "morning"}
        body = {
            "contact_id": contact["id"],
            "result": "contacted",
            "answers": answers,
            "idempotency_key": sent,
        }
        r = world.client.post(url, json=body, headers=world.volunteer)
        assert r.status_code == 200, r.text
    export = world.client.get("/api/campaigns/dc/results.csv", headers=ADMIN).text
    assert [row["household_voters"] for row in csv.DictReader(io.StringIO(export))] == ["2", "2"]


def test_a_second_result_in_the_same_list_is_not_called_final(world: World) -> None:
    """A busy line is not a final result, but a second result for it in the same list is refused (409
    already_completed) with a message that said 'A final result is already recorded'."""
    _, batch = take(world, world.volunteer)
    url = f"/api/batches/{batch['id']}/results"
    contact_id = batch["contacts"][0]["id"]
    for key, status in (("first", 200), ("second", 409)):
        body = {"contact_id": contact_id, "result": "busy", "idempotency_key": key}
        r = world.client.post(url, json=body, headers=world.volunteer)
        assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == "already_completed"
    assert "final result is already" not in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "path"),
    [
        ({"result": "contacted"}, 422, "contact_id"),
        ({"contact_id": "X", "result": "won"}, 422, "result"),
        ({"contact_id": "X", "result": "contacted", "answers": {"support": "maybe"}}, 422, "answers.support"),
        ({"contact_id": "X", "result": "contacted", "answers": {"nope": 1}}, 422, "answers.nope"),
        ({"contact_id": "X", "result": "contacted", "answers": []}, 422, "answers"),
        ({"contact_id": "X", "result": "call_back", "call_back_at": "tomorrow"}, 422, "call_back_at"),
        ({"contact_id": "X", "result": "contacted", "extra": True}, 422, "extra"),
        ({"contact_id": "X", "result": "contacted", "notes": "said yes\x00"}, 422, "notes"),
        ({"contact_id": "X", "result": "contacted", "notes": "\x1b[31mred"}, 422, "notes"),
    ],
)
def test_bad_results_are_422_and_change_nothing(world: World, body: dict, status: int, path: str) -> None:  # type: ignore[type-arg]
    _, batch = take(world, world.volunteer)
    body = {**body, "contact_id": batch["contacts"][0]["id"]} if "contact_id" in body else body
    r = world.client.post(f"/api/batches/{batch['id']}/results", json=body, headers=world.volunteer)
    assert r.status_code == status, r.text
    assert path in {d["path"] for d in r.json()["error"]["details"]}
    assert world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()["calls"] == 0


def test_renew_release_and_expiry(world: World) -> None:
    _, batch = take(world, world.volunteer)
    world.clock[0] += 500
    r = world.client.post(f"/api/batches/{batch['id']}/renew", headers=world.volunteer)
    assert r.status_code == 200 and r.json()["expires_at"].startswith("2026-11-25T17:18:20")
    world.clock[0] += 700  # past the renewed lease
    r = world.client.post(f"/api/batches/{batch['id']}/renew", headers=world.volunteer)
    assert r.status_code == 410 and r.json()["error"]["code"] == "lease_expired"
    _, fresh = take(world, world.volunteer)
    assert fresh["id"] != batch["id"]
    r = world.client.post(f"/api/batches/{fresh['id']}/release", headers=world.volunteer)
    assert r.status_code == 200 and r.json() == {"released": 2}
    assert world.client.post("/api/batches/nope.abc/renew", headers=world.volunteer).status_code == 404
    assert world.client.post("/api/batches/garbage/renew", headers=world.volunteer).status_code == 404


def test_a_page_that_leaves_gives_its_list_back_after_a_grace_unless_it_comes_back(world: World) -> None:
    _, batch = take(world, world.volunteer)
    url = f"/api/batches/{batch['id']}/release"
    for bad in ({"after_seconds": 0}, {"after_seconds": 601}, {"after_seconds": "60"}, {"later": True}):
        r = world.client.post(url, json=bad, headers=world.volunteer)
        assert r.status_code == 422, bad
    r = world.client.post(url, json={"after_seconds": 120}, headers=world.volunteer)  # a reload's pagehide
    assert r.status_code == 200 and r.json()["released"] == 0
    assert r.json()["expires_at"].startswith("2026-11-25T17:02:00")  # noon in New York + 2 minutes
    world.clock[0] += 60
    status, again = take(world, world.volunteer)  # the reloaded page, within the grace: the same list
    assert status == 200 and again["id"] == batch["id"]
    # A grace never extends a lease: the page that renews keeps it, the one that left loses it soon.
    r = world.client.post(url, json={"after_seconds": 600}, headers=world.volunteer)
    assert r.json()["expires_at"].startswith("2026-11-25T17:02:00")
    world.clock[0] += 61  # past the grace: the contacts are anyone's again
    _, other = take(world, world.other)
    assert {c["id"] for c in batch["contacts"]} <= {c["id"] for c in other["contacts"]}


def test_a_closed_campaign_says_closed_not_paused(world: World) -> None:
    """An organizer (who still sees a closed campaign) asking it for names was told it is paused and to try
    again when it resumes; a closed campaign cannot be reopened."""
    world.client.patch("/api/campaigns/dc", json={"status": "closed"}, headers=ADMIN)
    r = world.client.post("/api/campaigns/dc/batches", headers=ADMIN)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_contacts", r.text
    detail = r.json()["error"]["details"][0]
    assert detail["reason"] == "campaign_paused"  # one of API.md's three reasons
    assert "closed" in detail["message"] and "resume" not in detail["message"]


def test_no_contacts_reasons(world: World) -> None:
    world.clock[0] = NIGHT_NY
    status, body = take(world, world.volunteer)
    assert status == 409 and body["error"]["code"] == "no_contacts"
    assert body["error"]["details"][0]["reason"] == "outside_calling_hours"
    world.clock[0] = NOON_NY
    world.client.patch("/api/campaigns/dc", json={"status": "paused"}, headers=ADMIN)
    status, body = take(world, world.volunteer)
    assert status == 409 and body["error"]["details"][0]["reason"] == "campaign_paused"
    world.client.patch("/api/campaigns/dc", json={"status": "active"}, headers=ADMIN)
    for _ in range(3):  # 5 contacts in batches of 2: record a final result for each
        status, batch = take(world, world.volunteer)
        for c in batch["contacts"]:
            world.client.post(
                f"/api/batches/{batch['id']}/results",
                json={"contact_id": c["id"], "result": "wrong_number"},
                headers=world.volunteer,
            )
    status, body = take(world, world.volunteer)
    assert status == 409 and body["error"]["details"][0]["reason"] == "exhausted"


def test_export_neutralizes_formulas_and_has_question_columns(world: World) -> None:
    _, batch = take(world, world.volunteer)
    contact = batch["contacts"][0]
    world.clock[0] = NOON_NY + 0.654321  # recorded with microseconds; exported to the second
    world.client.post(
        f"/api/batches/{batch['id']}/results",
        json={
            "contact_id": contact["id"],
            "result": "contacted",
            "notes": '=HYPERLINK("x")',
            "answers": {"intro": "Speaking", "support": "no"},
        },
        headers=world.volunteer,
    )
    r = world.client.get("/api/campaigns/dc/results.csv", headers=ADMIN)
    assert not r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.text)))
    # API.md's columns in its order, then one per script question (API.md), then the additions: a client
    # that reads API.md's columns (or the first question's) by position finds each where API.md puts it.
    assert rows[0][:12] == [
        "contact_id",
        "external_id",
        "phone",
        "first_name",
        "last_name",
        "result",
        "attempt",
        "volunteer",
        "recorded_at",
        "notes",
        "call_sid",
        "script_version",
    ]
    assert rows[0][12:17] == ["intro", "support", "household_voters", "persuaded", "vote_time"]
    assert rows[0][17:] == ["volunteer_name"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["notes"].startswith("'=") and row["first_name"].startswith("'=")
    assert row["support"] == "no" and row["script_version"] == "1" and row["attempt"] == "1"
    assert row["volunteer_name"] == "A" and row["volunteer"] != "A"
    assert row["recorded_at"] == "2026-11-25T17:00:00+00:00"
    assert world.client.get("/api/campaigns/dc/results.csv", headers=world.volunteer).status_code == 403


def test_nobody_to_call_says_who_comes_back_and_when(world: World) -> None:
    for _ in range(3):  # 5 contacts in batches of 2: nobody answers any of them (retry in 60 minutes)
        _, batch = take(world, world.volunteer)
        for c in batch["contacts"]:
            r = world.client.post(
                f"/api/batches/{batch['id']}/results",
                json={"contact_id": c["id"], "result": "no_answer"},
                headers=world.volunteer,
            )
            assert r.status_code == 200, r.text
    status, body = take(world, world.volunteer)
    assert status == 409
    detail = body["error"]["details"][0]
    back = datetime.fromtimestamp(NOON_NY + 3600, UTC).isoformat()
    assert detail["reason"] == "exhausted" and detail["next_due_at"] == back
    assert (detail["waiting_retry"], detail["outside_hours"]) == (5, 0)
    assert "5 voters come back" in detail["message"] and body["error"]["message"] == detail["message"]
    stats = world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["to_call"] == {
        "ready": 0, "waiting_retry": 5, "outside_hours": 0, "in_lists": 0, "next_due_at": back
    }  # fmt: skip
    # At 23:00 in New York the retries are due, but nobody may be called there until 09:00.
    world.clock[0] = NIGHT_NY
    status, body = take(world, world.volunteer)
    detail = body["error"]["details"][0]
    assert detail["reason"] == "outside_calling_hours"
    assert (detail["waiting_retry"], detail["outside_hours"]) == (0, 5)
    assert detail["next_due_at"] == datetime(2026, 11, 26, 14, 0, tzinfo=UTC).isoformat()


def test_call_retries_now_makes_waiting_retries_due_but_keeps_call_backs(world: World) -> None:
    _, batch = take(world, world.volunteer)
    first, second = batch["contacts"]
    later = datetime.fromtimestamp(NOON_NY + 3 * 3600, UTC).isoformat()
    for contact, body in (
        (first, {"result": "no_answer"}),
        (second, {"result": "call_back", "call_back_at": later}),
    ):
        r = world.client.post(
            f"/api/batches/{batch['id']}/results",
            json={"contact_id": contact["id"], **body},
            headers=world.volunteer,
        )
        assert r.status_code == 200, r.text
    assert world.client.post("/api/campaigns/dc/retries-now", headers=world.volunteer).status_code == 403
    r = world.client.post("/api/campaigns/dc/retries-now", headers=ADMIN)
    assert r.status_code == 200 and r.json() == {"made_due": 1}
    stats = world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["to_call"]["ready"] == 4 and stats["to_call"]["waiting_retry"] == 1  # the call-back waits
    log = world.client.get("/api/campaigns/dc/audit", headers=ADMIN).json()
    assert [(e["action"], e["user"], e["detail"]) for e in log] == [("retries_now", "admin", {"made_due": 1})]
    # The retried voter is handed out again (attempt 2 of 2); the call-back is not, before its time.
    handed = set()
    for _ in range(5):
        status, got = take(world, world.other)
        if status != 201:
            break
        for c in got["contacts"]:
            handed.add(c["id"])
            r = world.client.post(
                f"/api/batches/{got['id']}/results",
                json={"contact_id": c["id"], "result": "wrong_number"},
                headers=world.other,
            )
            assert r.status_code == 200, r.text
    assert first["id"] in handed and second["id"] not in handed


def test_export_for_excel_starts_with_a_byte_order_mark(world: World) -> None:
    _, batch = take(world, world.volunteer)
    world.client.post(
        f"/api/batches/{batch['id']}/results",
        json={"contact_id": batch["contacts"][0]["id"], "result": "refused", "notes": "José, señora Müller"},
        headers=world.volunteer,
    )
    r = world.client.get("/api/campaigns/dc/results.csv?excel=1", headers=ADMIN)
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbfcontact_id,")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0]["notes"] == "José, señora Müller"
    assert world.client.get("/api/campaigns/dc/results.csv?excel=0", headers=ADMIN).content.startswith(
        b"contact_id,"
    )
    r = world.client.get("/api/campaigns/dc/results.csv?excel=maybe", headers=ADMIN)
    assert r.status_code == 422 and r.json()["error"]["details"] == [
        {"path": "excel", "message": "must be 1 (yes) or 0 (no)"}
    ]


def result(w: World, who: dict[str, str], batch_id: str, body: dict[str, object]) -> tuple[int, dict]:  # type: ignore[type-arg]
    r = w.client.post(f"/api/batches/{batch_id}/results", json=body, headers=who)
    return r.status_code, r.json()


def test_a_call_back_time_must_be_ahead_and_inside_the_voters_hours(world: World) -> None:
    _, batch = take(world, world.volunteer)
    contact = batch["contacts"][0]["id"]
    past = datetime.fromtimestamp(NOON_NY - 3600, UTC).isoformat()
    night = "2026-11-25T22:30:00-05:00"  # 22:30 in New York
    for when, why in ((past, "is in the past"), (night, "outside calling hours"), ("tomorrow", "ISO 8601")):
        status, body = result(
            world,
            world.volunteer,
            batch["id"],
            {"contact_id": contact, "result": "call_back", "call_back_at": when},
        )
        assert status == 422 and why in str(body), body
    status, body = result(
        world,
        world.volunteer,
        batch["id"],
        {"contact_id": contact, "result": "call_back", "call_back_at": night},
    )
    assert body["error"]["code"] == "invalid_call_back"
    assert body["error"]["details"][0]["window"] == {
        "start": "09:00",
        "end": "21:00",
        "timezone": "America/New_York",
    }
    stats = world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["calls"] == 0  # nothing half-written


def test_a_call_back_comes_back_to_the_volunteer_who_arranged_it_first(world: World) -> None:
    _, batch = take(world, world.volunteer)
    first, second = (c["id"] for c in batch["contacts"])
    for contact, minutes in ((first, 5), (second, 120)):
        at = datetime.fromtimestamp(NOON_NY + minutes * 60, UTC).isoformat()
        status, _ = result(
            world,
            world.volunteer,
            batch["id"],
            {"contact_id": contact, "result": "call_back", "call_back_at": at},
        )
        assert status == 200
    world.clock[0] = NOON_NY + 6 * 60  # the first is due while their list is still open: it joins it
    _, again = take(world, world.volunteer)
    assert again["id"] == batch["id"] and {c["id"] for c in again["contacts"]} == {first}
    world.clock[0] = NOON_NY + 121 * 60  # the second is due; kept for them for 15 minutes
    _, others = take(world, world.other)
    assert second not in {c["id"] for c in others["contacts"]}
    _, fresh = take(world, world.volunteer)  # a new list (the old one expired), the call-back first
    assert second in {c["id"] for c in fresh["contacts"]}


def test_a_call_back_goes_to_anyone_after_its_grace(world: World) -> None:
    _, batch = take(world, world.volunteer)
    contact = batch["contacts"][0]["id"]
    at = datetime.fromtimestamp(NOON_NY + 3600, UTC).isoformat()
    result(
        world,
        world.volunteer,
        batch["id"],
        {"contact_id": contact, "result": "call_back", "call_back_at": at},
    )
    world.clock[0] = NOON_NY + 3600 + 16 * 60
    seen = set()
    for _ in range(3):
        status, got = take(world, world.other)
        if status != 201:
            break
        seen |= {c["id"] for c in got["contacts"]}
        for c in got["contacts"]:
            result(world, world.other, got["id"], {"contact_id": c["id"], "result": "wrong_number"})
    assert contact in seen


def test_skipping_hands_a_contact_back_three_times_per_list(world: World) -> None:
    world.client.patch("/api/campaigns/dc", json={"batch_size": 5}, headers=ADMIN)
    _, batch = take(world, world.volunteer)
    ids = [c["id"] for c in batch["contacts"]]
    url = f"/api/batches/{batch['id']}/skip"
    for i, left in enumerate((2, 1, 0)):
        r = world.client.post(url, json={"contact_id": ids[i]}, headers=world.volunteer)
        assert r.status_code == 200 and r.json() == {"skipped": ids[i], "skips_left": left}
    r = world.client.post(url, json={"contact_id": ids[3]}, headers=world.volunteer)
    assert r.status_code == 409 and r.json()["error"]["code"] == "skip_limit"
    assert world.client.post(url, json={"contact_id": ids[3]}, headers=world.other).status_code == 403
    assert world.client.post(url, json={"contact_id": "nope"}, headers=world.volunteer).status_code == 409
    assert world.client.post(url, json={"contact": 1}, headers=world.volunteer).status_code == 422
    _, again = take(world, world.volunteer)  # the list without the skipped ones
    assert {c["id"] for c in again["contacts"]} == set(ids[3:]) and again["skips_left"] == 0
    _, other = take(world, world.other)  # the skipped ones went back to the queue, uncalled
    assert {c["id"] for c in other["contacts"]} <= set(ids[:3])
    stats = world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["calls"] == 0 and stats["skipped"] == 3  # no attempt counted


def test_the_next_caller_sees_what_earlier_callers_heard(world: World) -> None:
    _, batch = take(world, world.volunteer)
    contact = batch["contacts"][0]["id"]
    result(
        world,
        world.volunteer,
        batch["id"],
        {"contact_id": contact, "result": "no_answer", "notes": "rang out"},
    )
    url = f"/api/campaigns/dc/contacts/{contact}/history"
    assert world.client.get(url, headers=world.volunteer).status_code == 404  # no longer theirs
    world.clock[0] = NOON_NY + 3700  # the retry is due: another volunteer works through the list to it
    for _ in range(5):
        _, got = take(world, world.other)
        held = {c["id"] for c in got["contacts"]}
        if contact in held:
            break
        for c in held:
            result(world, world.other, got["id"], {"contact_id": c, "result": "wrong_number"})
    history = world.client.get(url, headers=world.other).json()
    assert history == [
        {"at": datetime.fromtimestamp(NOON_NY, UTC).isoformat(), "result": "no_answer", "attempt": 1,
         "notes": "rang out", "volunteer": "A"}
    ]  # fmt: skip
    assert world.client.get(url, headers=ADMIN).json() == history
    # A contact of another campaign, or of none, is not this campaign's: 404 as for a volunteer, not `[]`.
    other = {"id": "md", "name": "MD", "script_id": "gotv-2026", "caller_id": "+12025550198"}
    assert world.client.post("/api/campaigns", json=other, headers=ADMIN).status_code == 201
    for path in (f"/api/campaigns/md/contacts/{contact}/history", "/api/campaigns/dc/contacts/nope/history"):
        r = world.client.get(path, headers=ADMIN)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", (path, r.text)


def test_an_archived_campaign_gives_nobody_a_list_and_says_archived(world: World) -> None:
    """Archiving keeps status 'active' (for a restore), and taking a list went by that status: an organizer
    (who still sees an archived campaign) was handed names of a campaign that calls nobody."""
    r = world.client.patch("/api/campaigns/dc", json={"archived": True}, headers=ADMIN)
    assert r.status_code == 200 and r.json()["status"] == "active", r.text
    r = world.client.post("/api/campaigns/dc/batches", headers=ADMIN)
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_contacts", r.text
    detail = r.json()["error"]["details"][0]
    assert detail["reason"] == "campaign_paused"  # one of API.md's three reasons
    assert detail["message"] == r.json()["error"]["message"]
    assert "archived" in detail["message"] and "restores" in detail["message"]
    assert world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()["leased"] == 0  # nothing held
    world.client.patch("/api/campaigns/dc", json={"archived": False}, headers=ADMIN)
    assert world.client.post("/api/campaigns/dc/batches", headers=ADMIN).status_code == 201
