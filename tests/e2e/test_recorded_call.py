"""A recorded campaign end to end: `dialer serve` with the simulated carrier, which plays the voter's
whisper as Twilio does. Each answered call gets the disclosure, then recording starts, then the finished
recording is reported; organizers find it, volunteers do not. The volunteer talks for a while (think time)
so that each call outlasts its disclosure."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import datetime, timedelta
from pathlib import Path

from dialer.volunteer_sim import SimulatedVolunteer
from tests.e2e.calling import STAYS_ON_THE_LINE, gotv_campaign, seed, seed_script, signup
from tests.servers import ServerProcess

HOOK = re.compile(
    r'"POST /twilio/recording/(disclose|start|status)\?campaign_id=rc&contact_id=(\w+) HTTP/1.1" (\d+)'
)


def test_answered_calls_are_disclosed_then_recorded(tmp_path: Path, clean_redis: str) -> None:
    env = {"DIALER_SIM_SPEED": "40", "DIALER_SIM_SEED": "7", "DIALER_SIM_PROFILE": STAYS_ON_THE_LINE}
    with ServerProcess(tmp_path, clean_redis, env=env) as server, server.client() as admin:
        asyncio.run(seed_script(clean_redis))
        gotv_campaign(server, "rc", batch_size=3, record_calls=True, recording_retention_days=7)
        asyncio.run(seed(clean_redis, "rc", 3))
        token = signup(server.base_url, "rec@example.org")

        async def call() -> object:
            volunteer = SimulatedVolunteer(
                server.base_url, token, "rc", seed=3, think_seconds=0.3, call_timeout=30
            )
            try:
                return await volunteer.run(max_calls=2)
            finally:
                await volunteer.aclose()

        assert asyncio.run(call()).calls == 2  # type: ignore[attr-defined]
        deadline = time.monotonic() + 20
        recordings = admin.get("/api/campaigns/rc/recordings").json()["recordings"]
        while len(recordings) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
            recordings = admin.get("/api/campaigns/rc/recordings").json()["recordings"]
        assert len(recordings) == 2, (recordings, server.log()[-3000:])
        for r in recordings:  # ISO 8601 UTC, as every time the API answers
            created, expires = (
                datetime.fromisoformat(r["created_at"]),
                datetime.fromisoformat(r["expires_at"]),
            )
            assert created.utcoffset() == timedelta(0) and expires - created == timedelta(days=7), r

        # Per contact, in order: the disclosure, then the start, then the finished recording; each once.
        hooks: dict[str, list[str]] = {}
        for step, contact, status in HOOK.findall(server.log()):
            assert status in ("200", "204"), (step, status)
            hooks.setdefault(contact, []).append(step)
        assert sorted(hooks) == sorted(r["contact_id"] for r in recordings)
        assert all(steps == ["disclose", "start", "status"] for steps in hooks.values()), hooks
        # (A voter who hangs up during the disclosure is never recorded: Twilio never asks to start.)

        audio = admin.get(f"/api/campaigns/rc/recordings/{recordings[0]['sid']}/audio")
        assert audio.status_code == 200 and audio.headers["content-type"] == "audio/wav"
        volunteer = {"Authorization": f"Bearer {token}"}
        assert admin.get("/api/campaigns/rc/recordings", headers=volunteer).status_code == 403
        assert server.tracebacks() == ""
