"""Power-mode calls recorded end to end: `dialer serve` with the simulated carrier, the pacer (in this
process, as the worker runs it) placing the calls and starting their recordings, and a simulated volunteer
who, on each voter, reads the notice and presses "start recording" before walking the script. Each call's
recording reaches the organizers under its voter once the line ends; the audit log says who read the
notice; a campaign that does not record is never recorded."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from dialer.connections import async_client
from dialer.dialing.runner import run_pacers
from dialer.settings import Settings
from dialer.telephony.simulated import SimulatedCarrier
from dialer.volunteer_sim import SimulatedVolunteer, VolunteerReport
from tests.e2e.test_power_dialing import SECRET, SPEED, create_campaign, seed
from tests.servers import ADMIN_TOKEN, ServerProcess
from tests.stores import audit_entries


async def call_day(redis_url: str, port: int, base_url: str, admin_token: str, token: str, calls: int,
                   expect_recordings: int) -> tuple[VolunteerReport, list[dict[str, object]]]:  # fmt: skip
    settings = Settings(redis_url=redis_url, secret_key=SECRET, port=port, sim_speed=SPEED, sim_seed=9)
    client = async_client(redis_url)
    carrier = SimulatedCarrier(settings, speed=SPEED)
    stopped = False
    pacers = asyncio.create_task(run_pacers(client, carrier, settings, stop=lambda: stopped))
    volunteer = SimulatedVolunteer(base_url, token, "pw", seed=3, think_seconds=0.01, call_timeout=30)
    admin = httpx.AsyncClient(base_url=base_url, headers={"Authorization": f"Bearer {admin_token}"})
    try:
        report = await asyncio.wait_for(volunteer.run_dialer(max_calls=calls), 45)
        # Saving hangs the voter's line up; the carrier posts each finished recording when its line ends.
        recordings: list[dict[str, object]] = []
        for _ in range(200):
            recordings = (await admin.get("/api/campaigns/pw/recordings")).json()["recordings"]
            if len(recordings) >= expect_recordings:
                break
            await asyncio.sleep(0.05)
        return report, recordings
    finally:
        stopped = True
        await asyncio.wait_for(pacers, 10)
        await volunteer.aclose()
        await admin.aclose()
        await carrier.aclose()
        await client.aclose()


@pytest.mark.parametrize("records", [True, False])
def test_power_calls_record_after_the_volunteer_reads_the_notice(
    tmp_path: Path, clean_redis: str, records: bool
) -> None:
    env = {"DIALER_SIM_SPEED": str(SPEED), "DIALER_SIM_SEED": "9"}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        create_campaign(admin, "power", clean_redis)
        r = admin.patch("/api/campaigns/pw", json={"record_calls": records})
        assert r.status_code == 200, r.text
        asyncio.run(seed(clean_redis, "pw", 20))
        r = httpx.post(
            f"{server.base_url}/api/auth/signup",
            json={"email": "rec@example.org", "name": "Rae Corder", "password": "a long password"},
        )
        assert r.status_code == 201, r.text
        token, uid = r.json()["token"], r.json()["user"]["id"]
        expected = 2 if records else 0
        report, recordings = asyncio.run(
            call_day(clean_redis, server.port, server.base_url, ADMIN_TOKEN, token, 2, expected)
        )
        assert report.calls == 2
        assert report.recordings == expected
        results = admin.get("/api/campaigns/pw/results.csv").text
        talked = set(report.call_sids)
        assert {str(rec["call_sid"]) for rec in recordings} == (talked if records else set())
        assert all(str(rec["contact_id"]) and f"{rec['call_sid']}" in results for rec in recordings)
        started = [e for e in audit_entries(clean_redis, "pw") if e["action"] == "recording_start"]
        assert [e["user"] for e in started] == [uid] * expected
        assert {e["detail"]["call_sid"] for e in started} == {str(rec["call_sid"]) for rec in recordings}
        assert not server.tracebacks(), server.tracebacks()
