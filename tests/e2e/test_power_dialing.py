"""Power and predictive modes end to end: `dialer serve` with the simulated carrier at high speed, the
pacer loop placing calls against it (in this process, as the worker runs it), and three simulated
volunteers who say ready, get voters bridged to them over the call socket, walk the script and record.
Results reach the stats and the export, and nobody is abandoned beyond the campaign's cap."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.dialing.runner import run_pacers
from dialer.queue.lease import LeaseQueue
from dialer.settings import Settings
from dialer.telephony.simulated import SimulatedCarrier
from dialer.telephony.simulated_plan import SimProfile
from dialer.volunteer_sim import SimulatedVolunteer, VolunteerReport
from tests.e2e.calling import STAYS_ON_THE_LINE, midday_zone, seed_script
from tests.processes import worker_process
from tests.servers import ADMIN_TOKEN, ServerProcess

SPEED = 20.0
SLOWER = 5.0  # where a test needs the pacer to act inside a few carrier seconds
SECRET = "test-secret-key"  # what ServerProcess gives the server: the simulated carrier signs with it too


async def seed(url: str, campaign_id: str, n: int) -> None:
    client = async_client(url)
    try:
        zone = midday_zone(time.time())
        contacts = [
            Contact(
                phone=f"+1415555{100 + i:04d}", timezone=zone, first_name=f"Voter{i}", phone_type="landline"
            )
            for i in range(n)
        ]
        await LeaseQueue(client).add_contacts(campaign_id, contacts, time.time())
    finally:
        await client.aclose()


async def call_day(redis_url: str, port: int, base_url: str, tokens: list[str]) -> list[VolunteerReport]:
    settings = Settings(redis_url=redis_url, secret_key=SECRET, port=port, sim_speed=SPEED, sim_seed=5)
    client = async_client(redis_url)
    carrier = SimulatedCarrier(settings, speed=SPEED)
    stopped = False
    pacers = asyncio.create_task(run_pacers(client, carrier, settings, stop=lambda: stopped))
    volunteers = [
        SimulatedVolunteer(base_url, token, "pw", seed=i, think_seconds=0.01, call_timeout=30)
        for i, token in enumerate(tokens)
    ]
    try:
        return await asyncio.wait_for(asyncio.gather(*(v.run_dialer(max_calls=3) for v in volunteers)), 45)
    finally:
        stopped = True
        await asyncio.wait_for(pacers, 10)
        for v in volunteers:
            await v.aclose()
        await carrier.aclose()
        await client.aclose()


def create_campaign(admin: httpx.Client, mode: str, redis_url: str, **fields: str) -> None:
    asyncio.run(seed_script(redis_url))
    body = {
        "id": "pw",
        "name": "Call day",
        "script_id": "gotv-2026",
        "caller_id": "+14155550199",
        "mode": mode,
    }
    r = admin.post("/api/campaigns", json={**body, **fields})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize("mode", ["power", "predictive"])
def test_three_volunteers_call_with_the_server_dialing(tmp_path: Path, clean_redis: str, mode: str) -> None:
    env = {"DIALER_SIM_SPEED": str(SPEED), "DIALER_SIM_SEED": "5"}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        create_campaign(admin, mode, clean_redis, voicemail_message="Please remember to vote on Tuesday.")
        asyncio.run(seed(clean_redis, "pw", 60))
        tokens = []
        for i in range(3):
            r = httpx.post(
                f"{server.base_url}/api/auth/signup",
                json={"email": f"vol{i}@example.org", "name": f"Vol {i}", "password": "a long password"},
            )
            assert r.status_code == 201, r.text
            tokens.append(r.json()["token"])

        reports = asyncio.run(call_day(clean_redis, server.port, server.base_url, tokens))
        assert [report.calls for report in reports] == [3, 3, 3]
        talked = {sid for report in reports for sid in report.call_sids}
        assert len(talked) == 9 and all(sid.startswith("CA") for sid in talked)

        stats = admin.get("/api/campaigns/pw/stats").json()
        assert stats["mode"] == mode
        assert stats["abandon_rate"] <= 0.03
        by_volunteer = {row["name"]: row["calls"] for row in stats["leaderboard"]}
        assert all(by_volunteer[f"Vol {i}"] == 3 for i in range(3))
        # Lines nobody talked through were recorded by the server (no answer, busy, voicemail ...).
        assert stats["calls"] >= 9 and sum(stats["results"].values()) == stats["calls"]

        dialer = admin.get("/api/campaigns/pw/dialer").json()
        assert dialer["mode"] == mode and dialer["live_answers"] >= 9
        assert dialer["abandoned"] <= 0.03 * dialer["live_answers"]
        assert dialer["dials"] >= stats["calls"]

        rows = list(csv.DictReader(io.StringIO(admin.get("/api/campaigns/pw/results.csv").text)))
        assert len(rows) == stats["calls"]
        assert talked <= {row["call_sid"] for row in rows}
        assert not server.tracebacks(), server.tracebacks()


def power_day(server: ServerProcess, admin: httpx.Client, redis_url: str, name: str, contacts: int) -> str:
    """A power campaign `pw` with the standard script and `contacts` voters, and a volunteer signed up
    (vol@example.org) on `server`; the volunteer's token."""
    create_campaign(admin, "power", redis_url, name=name)
    asyncio.run(seed(redis_url, "pw", contacts))
    r = httpx.post(
        f"{server.base_url}/api/auth/signup",
        json={"email": "vol@example.org", "name": "Vol", "password": "a long password"},
    )
    return str(r.json()["token"])


def dialer_calls(base_url: str, token: str, *, seed: int, calls: int, timeout: float) -> VolunteerReport:
    """A simulated volunteer of campaign `pw` taking `calls` calls from the server's dialer."""

    async def run() -> VolunteerReport:
        volunteer = SimulatedVolunteer(base_url, token, "pw", seed=seed, think_seconds=0.01)
        try:
            return await asyncio.wait_for(volunteer.run_dialer(max_calls=calls), timeout)
        finally:
            await volunteer.aclose()

    return asyncio.run(run())


def test_the_worker_process_runs_the_pacer(tmp_path: Path, clean_redis: str) -> None:
    env = {"DIALER_SIM_SPEED": str(SPEED), "DIALER_SIM_SEED": "7"}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        token = power_day(server, admin, clean_redis, "Worker day", 30)
        log_path = tmp_path / "worker.log"
        with worker_process({**server.env, "PORT": str(server.port)}, tmp_path, log_path):
            report = dialer_calls(server.base_url, token, seed=1, calls=2, timeout=40)
        assert report.calls == 2, log_path.read_text()[-3000:]
        stats = admin.get("/api/campaigns/pw/stats").json()
        assert {row["name"]: row["calls"] for row in stats["leaderboard"]}["Vol"] == 2
        assert "Traceback" not in log_path.read_text(), log_path.read_text()[-3000:]


async def leave_while_ringing(
    redis_url: str, port: int, base_url: str, token: str, admin: httpx.Client
) -> None:
    """One volunteer says ready, the pacer dials a line for them, they leave while it rings: nobody is left
    to talk to whoever picks up, so the line is canceled once it has rung 15 s (a voter who picked up would
    have been dropped). At 5x, the 3 carrier seconds between the cancel and the ring-out are 0.6 s."""
    settings = Settings(redis_url=redis_url, secret_key=SECRET, port=port, sim_speed=SLOWER, sim_seed=5)
    client = async_client(redis_url)
    nobody_answers = SimProfile(human_rate=0.0, machine_rate=0.0, busy_rate=0.0, fail_rate=0.0)
    carrier = SimulatedCarrier(settings, speed=SLOWER, profile=nobody_answers)
    stopped = False
    pacers = asyncio.create_task(run_pacers(client, carrier, settings, stop=lambda: stopped))
    volunteer = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
    try:
        assert (await volunteer.post("/api/campaigns/pw/ready", json={"ready": True})).status_code == 200
        for _ in range(100):
            if admin.get("/api/campaigns/pw/dialer").json()["dials"] >= 1:
                break
            await asyncio.sleep(0.02)
        assert (await volunteer.post("/api/campaigns/pw/ready", json={"ready": False})).status_code == 200
        for _ in range(300):  # the line rings out at 20 carrier seconds (4 s here) if nobody cancels it
            if admin.get("/api/campaigns/pw/dialer").json()["canceled"] >= 1:
                break
            await asyncio.sleep(0.02)
    finally:
        stopped = True
        await asyncio.wait_for(pacers, 10)
        await volunteer.aclose()
        await carrier.drain()
        await carrier.aclose()
        await client.aclose()
    statuses = [dict(d.params).get("CallStatus") for d in carrier.deliveries if "/twilio/status?" in d.url]
    assert "canceled" in statuses and "no-answer" not in statuses, statuses
    assert all(d.status_code == 204 for d in carrier.deliveries), carrier.deliveries


@pytest.mark.parametrize("mode", ["power", "predictive"])
def test_a_line_still_ringing_when_the_last_volunteer_leaves_is_canceled(
    tmp_path: Path, clean_redis: str, mode: str
) -> None:
    env = {"DIALER_SIM_SPEED": str(SLOWER)}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        create_campaign(admin, mode, clean_redis)
        asyncio.run(seed(clean_redis, "pw", 5))
        r = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "vol@example.org", "name": "Vol", "password": "a long password"},
        )
        assert r.status_code == 201, r.text

        asyncio.run(leave_while_ringing(clean_redis, server.port, server.base_url, r.json()["token"], admin))
        dialer = admin.get("/api/campaigns/pw/dialer").json()
        assert (dialer["dials"], dialer["canceled"], dialer["abandoned"]) == (1, 1, 0)
        stats = admin.get("/api/campaigns/pw/stats").json()
        assert stats["results"].get("no_answer") == 1  # recorded; the retry rules will call again
        assert stats["dialer"]["canceled"] == 1  # the stats (and the live socket) carry it too
        assert not server.tracebacks(), server.tracebacks()


async def next_of(ws: Any, kind: str, seconds: float = 30) -> dict[str, Any]:
    """The next message of `kind`; fails after `seconds` in all, however many others arrive meanwhile."""
    async with asyncio.timeout(seconds):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return dict(message)


async def ended_within(http: httpx.AsyncClient, sid: str, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while True:
        status = str((await http.get(f"/api/campaigns/pw/calls/{sid}")).json()["status"])
        if status == "completed" or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.05)


async def admin_get(base_url: str, path: str) -> httpx.Response:
    async with httpx.AsyncClient(
        base_url=base_url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    ) as admin:
        return await admin.get(path)


async def hang_up_and_save(redis_url: str, port: int, base_url: str, token: str) -> None:
    """A volunteer hangs up on a bridged voter (the line ends, they stay in their conference), saves, and
    the next voter's line ends when its result is saved: both through the pacer, which owns its lines."""
    settings = Settings(redis_url=redis_url, secret_key=SECRET, port=port, sim_speed=SPEED, sim_seed=3)
    client = async_client(redis_url)
    carrier = SimulatedCarrier(settings, speed=SPEED, profile=SimProfile(**json.loads(STAYS_ON_THE_LINE)))
    stopped = False
    pacers = asyncio.create_task(run_pacers(client, carrier, settings, stop=lambda: stopped))
    http = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {token}"})
    ws_url = base_url.replace("http", "ws", 1) + f"/ws/call/pw?token={token}"
    try:
        async with websockets.connect(ws_url) as ws:
            assert (await http.post("/api/campaigns/pw/ready", json={"ready": True})).status_code == 200
            for hang_up_first in (True, False):
                bridged = await next_of(ws, "bridged")
                sid = bridged["call_sid"]
                await next_of(ws, "step")
                if hang_up_first:
                    r = await http.post(f"/api/campaigns/pw/calls/{sid}/hangup")
                    assert r.status_code == 204, r.text
                    assert await ended_within(http, sid, 2.0) == "completed"
                    # In wrap-up: no new voter comes before they save (the page says ready after that).
                    dialer = (await admin_get(base_url, "/api/campaigns/pw/dialer")).json()
                    assert dialer["volunteers"].get("wrap_up") == 1, dialer
                finish = {"type": "finish", "contact_id": bridged["contact_id"], "notes": "",
                          "result": "refused", "idempotency_key": f"k-{sid}"}  # fmt: skip
                await ws.send(json.dumps(finish))
                await next_of(ws, "recorded")
                assert await ended_within(http, sid, 2.0) == "completed"
                assert (await http.post("/api/campaigns/pw/ready", json={"ready": True})).json()[
                    "state"
                ] == "ready"
    finally:
        stopped = True
        await asyncio.wait_for(pacers, 10)
        await http.aclose()
        await carrier.drain()
        await carrier.aclose()
        await client.aclose()


def test_hanging_up_or_saving_ends_the_voters_line_and_keeps_the_volunteer(
    tmp_path: Path, clean_redis: str
) -> None:
    with (
        ServerProcess(tmp_path, clean_redis, env={"DIALER_SIM_SPEED": str(SPEED)}) as server,
        server.client() as admin,
    ):
        create_campaign(admin, "power", clean_redis)
        asyncio.run(seed(clean_redis, "pw", 10))
        token = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "hang@example.org", "name": "Hana", "password": "a long password"},
        ).json()["token"]
        asyncio.run(hang_up_and_save(clean_redis, server.port, server.base_url, token))
        assert not server.tracebacks(), server.tracebacks()
