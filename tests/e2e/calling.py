"""Setting up a call day for end-to-end tests: the example script, a campaign, contacts, volunteers."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

from dialer.connections import async_client
from dialer.contacts import Contact
from dialer.queue.lease import LeaseQueue
from dialer.scripts.loader import load_script
from dialer.stores.scripts import ScriptStore
from tests.servers import ServerProcess

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PASSWORD = "a long password"


# A place at each whole-hour UTC offset that keeps no daylight saving: a call list's `timezone` cell must
# name a place (UTC and the Etc/GMT offsets are passed over for the area code's zone at import).
PLACE_AT_OFFSET = {
    -11: "Pacific/Pago_Pago", -10: "Pacific/Honolulu", -9: "Pacific/Gambier", -8: "Pacific/Pitcairn",
    -7: "America/Phoenix", -6: "America/Regina", -5: "America/Panama", -4: "America/Puerto_Rico",
    -3: "America/Argentina/Buenos_Aires", -2: "America/Noronha", -1: "Atlantic/Cape_Verde",
    0: "Africa/Abidjan", 1: "Africa/Lagos", 2: "Africa/Johannesburg", 3: "Asia/Riyadh", 4: "Asia/Dubai",
    5: "Asia/Karachi", 6: "Asia/Dhaka", 7: "Asia/Bangkok", 8: "Asia/Singapore", 9: "Asia/Tokyo",
    10: "Pacific/Port_Moresby", 11: "Pacific/Guadalcanal", 12: "Pacific/Tarawa",
}  # fmt: skip


def place_at_hour(now: float, hour: int) -> str:
    """An IANA place zone where it is `hour` o'clock (give or take the minutes) at `now`."""
    offset = (hour - time.gmtime(now).tm_hour) % 24
    return PLACE_AT_OFFSET[offset - 24 if offset > 12 else offset]


def midday_zone(now: float) -> str:
    """An IANA zone where it is about noon right now, so calling hours are open whenever the test runs."""
    return place_at_hour(now, 12)


async def seed_script(url: str) -> None:
    client = async_client(url)
    try:
        script = load_script((EXAMPLES / "gotv.yaml").read_bytes(), "application/yaml").script
        await ScriptStore(client).save(script, time.time())
    finally:
        await client.aclose()


async def seed(url: str, campaign_id: str, n: int) -> None:
    client = async_client(url)
    try:
        zone = midday_zone(time.time())
        contacts = [
            Contact(phone=f"+1202555{100 + i:04d}", timezone=zone, first_name=f"Voter{i}", last_name="Test")
            for i in range(n)
        ]
        await LeaseQueue(client).add_contacts(campaign_id, contacts, time.time())
    finally:
        await client.aclose()


def gotv_campaign(server: ServerProcess, campaign_id: str, **fields: Any) -> None:
    """A campaign on the example GOTV script (which must be stored already), created through the API."""
    body = {"id": campaign_id, "name": campaign_id.upper(), "script_id": "gotv-2026",
            "caller_id": "+12025550199", **fields}  # fmt: skip
    with server.client() as admin:
        r = admin.post("/api/campaigns", json=body)
        assert r.status_code == 201, r.text


def signup(base_url: str, email: str, name: str = "Vol") -> str:
    """A new volunteer's bearer token."""
    r = httpx.post(f"{base_url}/api/auth/signup", json={"email": email, "name": name, "password": PASSWORD})
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


# A simulated voter who always answers and stays on the line (DIALER_SIM_PROFILE): tests that need a call
# still up when they act on it (save, hang up, walk the page mid-call) do not depend on the draw.
STAYS_ON_THE_LINE = json.dumps(
    {
        "human_rate": 1.0,
        "machine_rate": 0.0,
        "busy_rate": 0.0,
        "fail_rate": 0.0,
        "talk_mean": 36000,
        "talk_sd": 0,
    }
)
