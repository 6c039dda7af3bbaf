"""The organizers' console against a real Redis: the roster kept by the call socket's changes (and dropping
vanished pages), the survey tallied as results are recorded (once each), team leaders scoped to their team."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.queue.lease import LeaseQueue
from dialer.queue.roster import Roster, read_roster
from dialer.scripts.loader import load_script
from dialer.settings import Settings
from dialer.stores.scripts import ScriptStore
from tests.conftest import ADMIN, ADMIN_TOKEN, bearer

NOON_NY = datetime(2026, 11, 25, 17, 0, tzinfo=UTC).timestamp()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gotv.yaml"
DAY = "2026-11-25"


@pytest.mark.anyio
async def test_roster_entries_follow_the_socket_and_vanish_with_their_page(redis: aioredis.Redis) -> None:
    roster = Roster(redis, "c1")
    await roster.join("v1", state="waiting", name="Ada", team="t1", now=NOON_NY)
    await roster.join("v1", state="waiting", name="Ada", team="t1", now=NOON_NY + 1)  # a second tab
    await roster.join("v2", state="waiting", name="Bo", team="", now=NOON_NY)
    await roster.set_state("v1", "talking", NOON_NY + 5)
    assert await roster.hand("v2", True, NOON_NY + 6)
    assert not await roster.hand("v2", True, NOON_NY + 7)  # already up: nothing changes
    rows = {r["volunteer"]: r for r in await read_roster(redis, "c1", DAY, NOON_NY + 10)}
    assert rows["v1"]["state"] == "talking" and rows["v2"]["hand_raised"] and rows["v1"]["team"] == "t1"
    await roster.leave("v1", NOON_NY + 11)  # one tab closed, the other is still open
    assert {r["volunteer"] for r in await read_roster(redis, "c1", DAY, NOON_NY + 12)} == {"v1", "v2"}
    await roster.leave("v1", NOON_NY + 12)
    assert {r["volunteer"] for r in await read_roster(redis, "c1", DAY, NOON_NY + 13)} == {"v2"}
    await roster.set_state("v1", "waiting", NOON_NY + 14)  # a late change for a closed page adds nothing
    assert {r["volunteer"] for r in await read_roster(redis, "c1", DAY, NOON_NY + 15)} == {"v2"}
    # v2's web process died: no sign of life for a minute, and the entry is gone from the rows...
    assert await read_roster(redis, "c1", DAY, NOON_NY + 70) == []
    # ...and from Redis, at the next change anyone makes.
    await roster.join("v3", state="waiting", name="Cy", team="", now=NOON_NY + 72)
    assert set(await redis.hkeys("{c:c1}:roster")) == {"v3"}


@dataclass
class World:
    client: TestClient
    clock: list[float]
    volunteer: dict[str, str]
    volunteer_id: str
    leader: dict[str, str]
    team: str


async def _seed(url: str) -> None:
    client = async_client(url)
    try:
        await ScriptStore(client).save(load_script(EXAMPLE.read_bytes(), "application/yaml").script, NOON_NY)
        contacts = [Contact(phone=f"+1202555{100 + i:04d}", timezone="America/New_York") for i in range(6)]
        await LeaseQueue(client).add_contacts("dc", contacts, NOON_NY)
    finally:
        await client.aclose()


def _account(client: TestClient, email: str) -> tuple[str, dict[str, str]]:
    r = client.post(
        "/api/auth/signup", json={"email": email, "name": email[0].upper() + "x", "password": "long password"}
    )
    client.cookies.clear()
    return r.json()["user"]["id"], bearer(r.json()["token"])


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
    asyncio.run(_seed(clean_redis))
    with TestClient(create_app(settings, clock=lambda: clock[0]), raise_server_exceptions=False) as client:
        body = {
            "id": "dc",
            "name": "DC",
            "script_id": "gotv-2026",
            "caller_id": "+12025550199",
            "batch_size": 6,
        }
        assert client.post("/api/campaigns", json=body, headers=ADMIN).status_code == 201
        vol_id, vol = _account(client, "vera@example.org")
        leader_id, leader = _account(client, "lee@example.org")
        client.put(f"/api/users/{leader_id}/role", json={"role": "leader"}, headers=ADMIN)
        team = client.post("/api/teams", json={"name": "Eastside"}, headers=leader).json()
        client.post("/api/teams/join", json={"join_code": team["join_code"]}, headers=vol)
        yield World(client, clock, vol, vol_id, leader, team["id"])


def test_the_survey_counts_each_conversations_answers_once(world: World) -> None:
    c = world.client
    batch = c.post("/api/campaigns/dc/batches", headers=world.volunteer).json()
    ids = [contact["id"] for contact in batch["contacts"]]
    yes = {"intro": "Speaking", "support": "yes", "household_voters": 2, "vote_time": "evening"}
    no = {"intro": "Speaking", "support": "no"}
    not_home = {"intro": "Not home"}
    for cid, result, answers in (
        (ids[0], "contacted", yes),
        (ids[1], "contacted", no),
        (ids[2], "not_home", not_home),
    ):
        body = {"contact_id": cid, "result": result, "answers": answers, "idempotency_key": f"k-{cid}"}
        assert (
            c.post(f"/api/batches/{batch['id']}/results", json=body, headers=world.volunteer).status_code
            == 200
        )
        again = c.post(f"/api/batches/{batch['id']}/results", json=body, headers=world.volunteer)
        assert again.json()["duplicate"]  # a repeat counts for nothing
    survey = c.get("/api/campaigns/dc/survey", headers=ADMIN).json()
    assert survey["conversations"] == 2  # "not home" was no conversation
    support = {
        a["value"]: a for a in next(q for q in survey["questions"] if q["key"] == "support")["answers"]
    }
    assert (support["yes"]["count"], support["yes"]["share"], support["no"]["count"]) == (1, 0.5, 1)
    assert not any(q["key"] == "household_voters" for q in survey["questions"])  # typed: not tallied
    assert c.get("/api/campaigns/dc/stats", headers=ADMIN).json()["survey"] == survey
    csv_text = c.get("/api/campaigns/dc/survey.csv", headers=ADMIN).text
    assert csv_text.splitlines()[0] == "question,value,label,count,share"
    assert 'support,yes,"Yes, definitely",1,0.5' in csv_text
    # The volunteer's team sees the same numbers as theirs; the leader only their team.
    mine = c.get(f"/api/campaigns/dc/survey?team={world.team}", headers=world.leader).json()
    assert mine["conversations"] == 2
    assert c.get("/api/campaigns/dc/survey", headers=world.leader).json() == mine  # their team by default
    assert c.get("/api/campaigns/dc/survey?team=other", headers=world.leader).status_code == 403
    assert c.get("/api/campaigns/dc/survey", headers=world.volunteer).status_code == 403


def test_the_roster_and_a_raised_hand_answered(world: World) -> None:
    c = world.client

    async def join() -> None:
        client = async_client(c.app.state.deps.settings.redis_url)  # type: ignore[attr-defined]
        try:
            roster = Roster(client, "dc")
            await roster.join(world.volunteer_id, state="waiting", name="Vx", team=world.team, now=NOON_NY)
            await roster.hand(world.volunteer_id, True, NOON_NY)
        finally:
            await client.aclose()

    asyncio.run(join())
    rows = c.get("/api/campaigns/dc/roster", headers=ADMIN).json()
    assert [(r["volunteer"], r["hand_raised"], r["team"]) for r in rows] == [
        (world.volunteer_id, True, world.team)
    ]
    assert c.get("/api/campaigns/dc/roster", headers=world.leader).json() == rows  # their own team
    assert c.get("/api/campaigns/dc/roster?team=x", headers=world.leader).status_code == 403
    url = f"/api/campaigns/dc/roster/{world.volunteer_id}/hand"
    assert c.post(url, json={"raised": True}, headers=ADMIN).status_code == 422
    assert c.post(url, json={"raised": False}, headers=world.volunteer).status_code == 403
    assert (
        c.post("/api/campaigns/dc/roster/nobody/hand", json={"raised": False}, headers=ADMIN).status_code
        == 404
    )
    assert c.post(url, json={"raised": False}, headers=world.leader).status_code == 204
    assert not c.get("/api/campaigns/dc/roster", headers=ADMIN).json()[0]["hand_raised"]


def test_the_campaigns_history_by_hour_and_its_pace(world: World) -> None:
    c = world.client
    c.patch("/api/campaigns/dc", json={"goal": 10}, headers=ADMIN)
    batch = c.post("/api/campaigns/dc/batches", headers=world.volunteer).json()
    for i, contact in enumerate(batch["contacts"][:4]):
        result = "contacted" if i < 2 else "no_answer"
        body = {
            "contact_id": contact["id"],
            "result": result,
            "answers": {"intro": "Speaking"} if i < 2 else {},
        }
        assert (
            c.post(f"/api/batches/{batch['id']}/results", json=body, headers=world.volunteer).status_code
            == 200
        )
    history = c.get("/api/campaigns/dc/history", headers=ADMIN).json()
    assert history["timezone"] == "America/New_York" and history["from"] == history["to"] == "2026-11-25"
    assert len(history["hours"]) == 24
    noon = next(h for h in history["hours"] if h["hour"] == datetime.fromtimestamp(NOON_NY, UTC).isoformat())
    assert (noon["calls"], noon["conversations"]) == (4, 2)
    assert sum(h["calls"] for h in history["hours"]) == 4
    stats = c.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["conversations_last_hour"] == 2
    # 8 more conversations at 2 an hour: 4 hours from now.
    assert stats["goal_eta"] == datetime.fromtimestamp(NOON_NY + 4 * 3600, UTC).isoformat()
    # 28 more: 9 hours to 9 pm tonight, the other 5 tomorrow from 9 am (only calling hours count).
    c.patch("/api/campaigns/dc", json={"goal": 30}, headers=ADMIN)
    stats = c.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["goal_eta"] == datetime.fromtimestamp(NOON_NY + (24 + 2) * 3600, UTC).isoformat()
    rows = c.get("/api/campaigns/dc/roster", headers=ADMIN).json()
    assert rows == []  # nobody has a call page open
    for bad in ("from=2026-11-26&to=2026-11-25", "from=yesterday", "from=2026-01-01&to=2026-11-25"):
        assert c.get(f"/api/campaigns/dc/history?{bad}", headers=ADMIN).status_code == 422
    assert c.get("/api/campaigns/dc/history", headers=world.leader).status_code == 403


def test_the_survey_csv_keeps_formula_like_labels_as_text(world: World) -> None:
    """Found probing exports: results.csv quoted formula-like cells, survey.csv did not, so a choice label
    such as `=HYPERLINK(...)` ran as a formula in the spreadsheet of whoever opened the tally (team leaders
    download it too)."""
    c = world.client
    script = EXAMPLE.read_text().replace('"Yes, definitely"', "\"=HYPERLINK('http://evil.example')\"")
    r = c.post("/api/scripts", content=script, headers={**ADMIN, "Content-Type": "application/yaml"})
    assert r.status_code == 201, r.text
    rows = list(csv.reader(io.StringIO(c.get("/api/campaigns/dc/survey.csv", headers=ADMIN).text)))
    [label] = [row[2] for row in rows if row[:2] == ["support", "yes"]]
    assert label == "'=HYPERLINK('http://evil.example')"
    shown = c.get("/api/campaigns/dc/survey", headers=ADMIN).json()["questions"]
    support = next(q for q in shown if q["key"] == "support")
    assert support["answers"][0]["label"] == "=HYPERLINK('http://evil.example')"  # JSON: as written


def test_a_flood_of_wrong_answers_gets_a_short_answer(world: World) -> None:
    """Found probing results: 60,000 unknown answers (0.9 MB sent) were each listed back, quoting the
    value, a 4.4 MB answer; the list is now cut at the first few, and says how many there were."""
    c = world.client
    batch = c.post("/api/campaigns/dc/batches", headers=world.volunteer).json()
    answers = {f"q{i}": "x" * 500 for i in range(1000)}
    body = {"contact_id": batch["contacts"][0]["id"], "result": "contacted", "answers": answers,
            "idempotency_key": "k"}  # fmt: skip
    r = c.post(f"/api/batches/{batch['id']}/results", json=body, headers=world.volunteer)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_answers"
    assert "1,000" in r.json()["error"]["message"]
    details = r.json()["error"]["details"]
    assert 0 < len(details) <= 50 and details[0]["path"] == "answers.q0"
    assert len(r.content) < 20_000
    one = {"support": "y" * 100_000}
    r = c.post(f"/api/batches/{batch['id']}/results", json={**body, "answers": one}, headers=world.volunteer)
    assert r.status_code == 422 and len(r.content) < 2_000  # the value is not echoed whole


def test_the_goal_estimate_counts_the_pace_of_voters_reached_as_the_goal_does(world: World) -> None:
    """The goal counts voters reached (`contacted`); a refusal or a do-not-call is a conversation but no step
    towards it. The demo's dashboard read "59 of 500 conversations" beside "At the last hour's pace (68
    conversations)", its whole run inside that hour, and an estimate 15% too early."""
    c = world.client
    c.patch("/api/campaigns/dc", json={"goal": 10}, headers=ADMIN)
    batch = c.post("/api/campaigns/dc/batches", headers=world.volunteer).json()
    outcomes = [
        ("contacted", {"intro": "Speaking"}),
        ("contacted", {"intro": "Speaking"}),
        ("refused", {"intro": "Refused"}),
        ("do_not_call", {"intro": "Asked not to be called again"}),
    ]
    for contact, (result, answers) in zip(batch["contacts"], outcomes, strict=False):
        body = {"contact_id": contact["id"], "result": result, "answers": answers}
        r = c.post(f"/api/batches/{batch['id']}/results", json=body, headers=world.volunteer)
        assert r.status_code == 200, r.text
    stats = c.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert (stats["contacts_reached"], stats["conversations_last_hour"]) == (2, 4)
    assert stats["reached_last_hour"] == 2
    # 8 more voters to reach at 2 an hour: 4 hours from now (not 2, at the 4 conversations' pace).
    assert stats["goal_eta"] == datetime.fromtimestamp(NOON_NY + 4 * 3600, UTC).isoformat()
    # An hour later nobody was reached in the last hour: no pace, no estimate.
    world.clock[0] = NOON_NY + 3601
    stats = c.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["reached_last_hour"] == 0 and stats["goal_eta"] is None
