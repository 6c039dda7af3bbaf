"""Preview mode end to end: `dialer serve` with the simulated carrier; a volunteer takes a batch, calls,
walks the script over the call socket and records; results and call attempts meet in the export."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import httpx

from dialer.connections import async_client
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.volunteer_sim import SimulatedVolunteer
from tests.e2e.calling import gotv_campaign, seed, seed_script, signup
from tests.servers import ServerProcess


def test_volunteer_calls_through_the_simulated_carrier(tmp_path: Path, clean_redis: str) -> None:
    env = {"DIALER_SIM_SPEED": "40", "DIALER_SIM_SEED": "11"}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        asyncio.run(seed_script(clean_redis))  # the script first; the campaign refers to it
        r = admin.post(
            "/api/campaigns",
            json={
                "id": "dc",
                "name": "DC call day",
                "script_id": "gotv-2026",
                "caller_id": "+12025550199",
                "batch_size": 5,
            },
        )
        assert r.status_code == 201, r.text
        asyncio.run(seed(clean_redis, "dc", 8))
        r = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "vol@example.org", "name": "Vol", "password": "a long password"},
        )
        token = r.json()["token"]

        async def call() -> object:
            volunteer = SimulatedVolunteer(
                server.base_url, token, "dc", seed=3, think_seconds=0.01, call_timeout=30
            )
            try:
                return await volunteer.run(max_calls=4)
            finally:
                await volunteer.aclose()

        report = asyncio.run(call())
        assert report.calls == 4  # type: ignore[attr-defined]

        stats = admin.get("/api/campaigns/dc/stats").json()
        assert stats["calls"] == 4
        assert sum(stats["results"].values()) == 4
        assert stats["leaderboard"][0]["name"] == "Vol"

        r = admin.get("/api/campaigns/dc/results.csv")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len(rows) == 4
        assert {row["call_sid"] for row in rows} == set(report.call_sids)  # type: ignore[attr-defined]
        assert all(row["call_sid"].startswith("CA") for row in rows)
        assert all(row["volunteer"] for row in rows) and all(row["script_version"] == "1" for row in rows)
        assert "support" in r.text.splitlines()[0]  # one column per script question
        assert not server.tracebacks(), server.tracebacks()


def test_volunteer_hangs_up_a_simulated_call(tmp_path: Path, clean_redis: str) -> None:
    # Slow calls (speed 1) so the call is still ringing or talking when the volunteer hangs up.
    with (
        ServerProcess(tmp_path, clean_redis, env={"DIALER_SIM_SEED": "5"}) as server,
        server.client() as admin,
    ):
        asyncio.run(seed_script(clean_redis))
        assert (
            admin.post(
                "/api/campaigns",
                json={"id": "hu", "name": "Hang up", "script_id": "gotv-2026", "caller_id": "+12025550199"},
            ).status_code
            == 201
        )
        asyncio.run(seed(clean_redis, "hu", 2))
        token = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "h@example.org", "name": "H", "password": "a long password"},
        ).json()["token"]
        other = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "o@example.org", "name": "O", "password": "a long password"},
        ).json()["token"]
        vol = {"Authorization": f"Bearer {token}"}
        contact = httpx.post(f"{server.base_url}/api/campaigns/hu/batches", headers=vol).json()["contacts"][0]
        placed = httpx.post(
            f"{server.base_url}/api/campaigns/hu/calls", headers=vol, json={"contact_id": contact["id"]}
        )
        assert placed.status_code == 201, placed.text
        sid = placed.json()["call_sid"]
        url = f"{server.base_url}/api/campaigns/hu/calls/{sid}/hangup"
        assert httpx.post(url, headers={"Authorization": f"Bearer {other}"}).status_code == 404  # not theirs
        assert httpx.post(url, headers=vol).status_code == 204

        async def final_status() -> str:
            client = async_client(clean_redis)
            try:
                for _ in range(100):
                    attempt = await AttemptStore(client).get("hu", sid)
                    if attempt and attempt.get("status") in ("completed", "canceled"):
                        return attempt["status"]
                    await asyncio.sleep(0.1)
                return str(attempt)
            finally:
                await client.aclose()

        assert asyncio.run(final_status()) in ("completed", "canceled")


def test_a_restarted_server_keeps_calling_with_fresh_call_sids(tmp_path: Path, clean_redis: str) -> None:
    """Unseeded, the simulated carrier draws a new seed per start: a restart against the same Redis must
    not reissue CallSids whose attempts (and applied callbacks) the last run left, or progress stalls."""
    env = {"DIALER_SIM_SPEED": "40", "DIALER_SIM_SEED": ""}
    asyncio.run(seed_script(clean_redis))
    runs = []
    for run in range(2):
        with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
            if run == 0:
                assert (
                    admin.post(
                        "/api/campaigns",
                        json={
                            "id": "rs",
                            "name": "Restart",
                            "script_id": "gotv-2026",
                            "caller_id": "+12025550199",
                            "batch_size": 3,
                        },
                    ).status_code
                    == 201
                )
                asyncio.run(seed(clean_redis, "rs", 6))
            r = httpx.post(
                f"{server.base_url}/api/auth/signup",
                json={"email": f"r{run}@example.org", "name": "R", "password": "a long password"},
            )
            token = r.json()["token"]

            async def call(token: str = token, run: int = run) -> list[str]:
                volunteer = SimulatedVolunteer(
                    server.base_url, token, "rs", seed=run, think_seconds=0.01, call_timeout=15
                )
                try:
                    await volunteer.run(max_calls=2)
                    return volunteer.report.call_sids
                finally:
                    await volunteer.aclose()

            runs.append(asyncio.run(call()))

    async def statuses(sids: list[str]) -> list[str]:
        client = async_client(clean_redis)
        try:
            return [str((await AttemptStore(client).get("rs", sid) or {}).get("status")) for sid in sids]
        finally:
            await client.aclose()

    assert not set(runs[0]) & set(runs[1])
    # Before the fix the second run's callbacks were taken for repeats of the first's: stuck at 'initiated'.
    moved = {"ringing", "in-progress", "completed", "busy", "no-answer", "failed", "canceled"}
    second = asyncio.run(statuses(runs[1]))
    assert second and all(s in moved for s in second), second


def test_a_simulated_volunteer_hands_the_list_back_when_the_campaign_pauses(
    tmp_path: Path, clean_redis: str
) -> None:
    """Regression (new-user trial): on pause the demo's volunteers ran down their lists, each call refused."""
    env = {"DIALER_SIM_SPEED": "40", "DIALER_SIM_SEED": "11"}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        asyncio.run(seed_script(clean_redis))
        gotv_campaign(server, "pz", batch_size=6)
        asyncio.run(seed(clean_redis, "pz", 6))
        token = signup(server.base_url, "pat@example.org", "Pat")

        async def call_then_pause() -> object:
            volunteer = SimulatedVolunteer(
                server.base_url, token, "pz", seed=3, think_seconds=0.01, call_timeout=30
            )
            stop = asyncio.Event()
            task = asyncio.create_task(volunteer.run(stop=stop))
            try:
                while volunteer.report.calls < 1:
                    await asyncio.sleep(0.05)
                async with httpx.AsyncClient(base_url=server.base_url, headers=admin.headers) as http:
                    paused = await http.patch("/api/campaigns/pz", json={"status": "paused"})
                    assert paused.status_code == 200
                await asyncio.sleep(3)
                return volunteer.report
            finally:
                stop.set()
                await asyncio.wait_for(task, 15)
                await volunteer.aclose()

        report = asyncio.run(call_then_pause())
        assert report.refused <= 1, report  # type: ignore[attr-defined]
        stats = admin.get("/api/campaigns/pz/stats").json()
        assert stats["leased"] == 0 and stats["pending"] == 6 - stats["calls"], stats


def test_a_simulated_volunteer_follows_the_organizers_mode_switches(tmp_path: Path, clean_redis: str) -> None:
    """Regression (new-user walk): the demo's volunteers kept calling in the mode they started in. They now
    change over between calls as the call page does, on the `campaign` message's `mode`: a preview list is
    handed back for the dialing pool, and the pool left for a list when the organizers switch back."""
    env = {"DIALER_SIM_SPEED": "40", "DIALER_SIM_SEED": "11"}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        asyncio.run(seed_script(clean_redis))
        gotv_campaign(server, "ms", batch_size=3)
        asyncio.run(seed(clean_redis, "ms", 6))
        token = signup(server.base_url, "mo@example.org", "Mo")
        assert admin.patch("/api/campaigns/ms", json={"mode": "power"}).status_code == 200
        seen: list[str] = []

        async def call() -> object:
            async with httpx.AsyncClient(base_url=server.base_url, headers=admin.headers) as http:

                async def on_mode(mode: str) -> None:
                    seen.append(mode)
                    if mode == "power":  # in the dialing pool: the organizers switch back to preview
                        roster = (await http.get("/api/campaigns/ms/roster")).json()
                        assert [row["state"] for row in roster] == ["waiting"], roster
                        assert (
                            await http.patch("/api/campaigns/ms", json={"mode": "preview"})
                        ).status_code == 200

                volunteer = SimulatedVolunteer(
                    server.base_url, token, "ms", seed=3, think_seconds=0.01, call_timeout=30, on_mode=on_mode
                )
                try:  # started as the demo's `--mode preview`: the server's first word is power
                    return await asyncio.wait_for(volunteer.follow("preview", max_calls=1), 60)
                finally:
                    await volunteer.aclose()

        report = asyncio.run(call())
        assert seen == ["power", "preview"]
        assert report.calls == 1  # type: ignore[attr-defined]
        stats = admin.get("/api/campaigns/ms/stats").json()
        assert stats["calls"] == 1 and stats["mode"] == "preview", stats
        assert not server.tracebacks(), server.tracebacks()


def test_a_simulated_volunteer_skips_a_name_whose_call_is_refused(tmp_path: Path, clean_redis: str) -> None:
    """Regression (new-user walk): a name dialed twice in a list without a result (the demo restarted
    mid-call) is refused for that list; the demo's volunteer took the same list back at once and was
    refused again, about 40 times a second for minutes. It skips the name, as a person would: the name
    goes back to the queue and is dialed again from a new list."""
    env = {"DIALER_SIM_SPEED": "40", "DIALER_SIM_SEED": "11"}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        asyncio.run(seed_script(clean_redis))
        gotv_campaign(server, "rf", batch_size=5)
        asyncio.run(seed(clean_redis, "rf", 1))
        token = signup(server.base_url, "ray@example.org", "Ray")
        with httpx.Client(base_url=server.base_url, headers={"Authorization": f"Bearer {token}"}) as ray:
            batch = ray.post("/api/campaigns/rf/batches").json()
        (contact,) = batch["contacts"]

        async def dialed_twice_in_this_list() -> None:
            client = async_client(clean_redis)
            try:  # the state two dials of this list leave (dial_start.lua), without their calls
                fields = {"dials": 2, "dial_batch": batch["id"], "batch_dials": 2}
                await client.hset(keys.contact("rf", contact["id"]), mapping=fields)
            finally:
                await client.aclose()

        asyncio.run(dialed_twice_in_this_list())

        async def call() -> object:
            volunteer = SimulatedVolunteer(
                server.base_url, token, "rf", seed=3, think_seconds=0.01, call_timeout=30
            )
            stop = asyncio.Event()
            task = asyncio.create_task(volunteer.run(max_calls=1, stop=stop))
            try:
                while volunteer.report.calls < 1 and volunteer.report.refused < 20 and not task.done():
                    await asyncio.sleep(0.05)
                return volunteer.report
            finally:
                stop.set()
                await asyncio.wait_for(task, 15)
                await volunteer.aclose()

        report = asyncio.run(call())
        assert report.refused == 1 and report.calls == 1, report  # type: ignore[attr-defined]
        assert admin.get("/api/campaigns/rf/stats").json()["calls"] == 1
