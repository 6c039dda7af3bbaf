"""Seeds the demo through the public API, as an organizer would, and starts the simulated volunteers.

Everything goes through HTTP with the admin token: the example script, a campaign, a call list of
fictional voters (555-01xx numbers in real area codes), volunteer and organizer accounts. Run twice on the
same data dir, it reuses what is there.
"""

from __future__ import annotations

import csv
import io
import random
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CAMPAIGN_ID = "demo"
# A second, small preview campaign called from volunteers' own phones (tel: links; nothing is dialed).
OWN_PHONE_ID = "demo-own-phone"
OWN_PHONE_VOTERS = 20
BATCH_SIZE = 10
ORGANIZER_EMAIL = "organizer@demo.example.org"
ORGANIZER_PASSWORD = "demo-organizer-password"
VOLUNTEER_PASSWORD = "demo-volunteer-password"
# Real area codes, each with its own fictional 555-0100..0199 block, and the zone the area code is in.
AREA_CODES = [
    ("202", "DC", "America/New_York"),
    ("312", "IL", "America/Chicago"),
    ("303", "CO", "America/Denver"),
    ("602", "AZ", "America/Phoenix"),
    ("415", "CA", "America/Los_Angeles"),
    ("907", "AK", "America/Anchorage"),
    ("808", "HI", "Pacific/Honolulu"),
    ("617", "MA", "America/New_York"),
    ("512", "TX", "America/Chicago"),
    ("206", "WA", "America/Los_Angeles"),
    ("305", "FL", "America/New_York"),
    ("404", "GA", "America/New_York"),
    ("612", "MN", "America/Chicago"),
    ("702", "NV", "America/Los_Angeles"),
    ("801", "UT", "America/Denver"),
    ("503", "OR", "America/Los_Angeles"),
    ("215", "PA", "America/New_York"),
    ("313", "MI", "America/Detroit"),
    ("713", "TX", "America/Chicago"),
    ("480", "AZ", "America/Phoenix"),
    ("916", "CA", "America/Los_Angeles"),
    ("718", "NY", "America/New_York"),
    ("414", "WI", "America/Chicago"),
    ("504", "LA", "America/Chicago"),
    ("615", "TN", "America/Chicago"),
    ("919", "NC", "America/New_York"),
    ("208", "ID", "America/Boise"),
    ("406", "MT", "America/Denver"),
    ("505", "NM", "America/Denver"),
    ("802", "VT", "America/New_York"),
]
# Each area code has its own block of fictional numbers: 555-0100..0199.
MAX_VOTERS = 100 * len(AREA_CODES)
# One city zone per hour of UTC offset: whatever the hour, one of them is around midday (see daytime_zone).
DAYTIME_ZONES = [
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Denver", "America/Chicago",
    "America/New_York", "America/Halifax", "America/Sao_Paulo", "Atlantic/South_Georgia", "Atlantic/Azores",
    "Europe/London", "Europe/Berlin", "Europe/Athens", "Europe/Moscow", "Asia/Dubai", "Asia/Karachi",
    "Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore", "Asia/Tokyo", "Australia/Brisbane", "Pacific/Noumea",
    "Pacific/Auckland",
]  # fmt: skip
# The demo's voters are called while it is between these local hours where they live (inside the campaign's
# default 09:00-21:00 calling hours, with room on both sides).
DEMO_OPEN = (10, 20)
FIRST = [
    "Alex",
    "Blair",
    "Casey",
    "Dana",
    "Emery",
    "Finley",
    "Gray",
    "Harper",
    "Indy",
    "Jordan",
    "Kai",
    "Logan",
    "Morgan",
    "Noel",
    "Oakley",
    "Parker",
    "Quinn",
    "Reese",
    "Sage",
    "Taylor",
]
LAST = ["Rivera", "Chen", "Okafor", "Novak", "Haddad", "Larsen", "Moreau", "Tanaka", "Silva", "Kowalski"]


@dataclass
class Seeded:
    links: list[tuple[str, str]] = field(default_factory=list)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _local_hours(zone: str, now: float) -> float:
    local = datetime.fromtimestamp(now, ZoneInfo(zone))
    return local.hour + local.minute / 60


def open_now(zone: str, now: float) -> bool:
    """Is it the demo's calling time (DEMO_OPEN) in `zone` at `now`?"""
    return DEMO_OPEN[0] <= _local_hours(zone, now) < DEMO_OPEN[1]


def daytime_zone(now: float) -> str:
    """The zone of DAYTIME_ZONES where it is closest to 1 pm at `now`: open for hours yet, at any `now`."""
    return min(DAYTIME_ZONES, key=lambda zone: abs(_local_hours(zone, now) - 13))


def call_list(n: int, now: float, seed: int = 7, start: int = 0, *, cells: bool = True) -> bytes:
    """A CSV of `n` fictional voters, the `start`-th onwards (so later lists add new numbers). A voter whose
    area code's zone is asleep at `now` gets a zone where it is daytime instead, so the demo calls at any
    hour with any list size (the README says so). Without `cells` every number is a landline: the power
    and predictive demos claim no cell consent, so their pacer may dial landlines only, and a list half of
    cells left their volunteers waiting with nobody to dial once the landlines were called."""
    rng = random.Random(seed + start)
    daytime = daytime_zone(now)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "first_name", "last_name", "phone", "state", "timezone", "phone_type", "street"])
    for i in range(start, min(start + n, MAX_VOTERS)):
        area, state, zone = AREA_CODES[i // 100]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        kind = rng.choice(["landline", "cell"])  # drawn either way: the same names with or without cells
        writer.writerow(
            [
                f"V{i + 1:05d}",
                first,
                last,
                f"({area}) 555-{100 + i % 100:04d}",
                state,
                zone if open_now(zone, now) else daytime,
                kind if cells else "landline",
                f"{rng.randint(10, 999)} Main St",
            ]
        )
    return out.getvalue().encode()


def _check(r: httpx.Response, *ok: int) -> httpx.Response:
    if r.status_code not in ok:
        raise SystemExit(
            f"dialer demo: {r.request.method} {r.request.url.path} answered {r.status_code}: {r.text[:500]}"
        )
    return r


def _account(client: httpx.Client, email: str, name: str, password: str) -> tuple[str, str]:
    r = client.post("/api/auth/signup", json={"email": email, "name": name, "password": password})
    if r.status_code == 409:
        r = client.post("/api/auth/login", json={"email": email, "password": password})
    _check(r, 200, 201)
    client.cookies.clear()
    return r.json()["user"]["id"], r.json()["token"]


def _own_phone_campaign(admin: httpx.Client) -> None:
    """The own-phone campaign, with its list, unless an earlier demo run made it."""
    r = admin.post(
        "/api/campaigns",
        json={
            "id": OWN_PHONE_ID,
            "name": "Demo: call from your own phone",
            "script_id": "gotv-2026",
            "caller_id": "+12025550199",
            "batch_size": 5,
            "calling_method": ["own_phone"],
        },
    )
    if _check(r, 201, 409).status_code == 201:
        voters = call_list(OWN_PHONE_VOTERS, time.time(), start=MAX_VOTERS - OWN_PHONE_VOTERS)
        _check(
            admin.post(
                f"/api/campaigns/{OWN_PHONE_ID}/contacts",
                content=voters,
                headers={"Content-Type": "text/csv"},
            ),
            200,
        )


def seed_and_start(
    base_url: str,
    admin_token: str,
    *,
    volunteers: int,
    contacts: int,
    env: dict[str, str],
    mode: str = "preview",
) -> Seeded:
    admin = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {admin_token}"}, timeout=120)
    anon = httpx.Client(base_url=base_url, timeout=30)
    try:
        script = (EXAMPLES / "gotv.yaml").read_bytes()
        _check(admin.post("/api/scripts", content=script, headers={"Content-Type": "application/yaml"}), 201)
        r = admin.post(
            "/api/campaigns",
            json={
                "id": CAMPAIGN_ID,
                "name": "Demo call day: get out the vote",
                "script_id": "gotv-2026",
                "caller_id": "+12025550199",
                "batch_size": BATCH_SIZE,
                "goal": contacts,
                "lease_seconds": 900,
                # power/predictive: the worker's pacer dials (landlines only: no cell consent is claimed).
                "mode": mode,
                "voicemail_message": "Hi, this is the demo campaign. Please remember to vote on Tuesday!",
            },
        )
        _check(r, 201, 409)
        if r.status_code == 201:
            report = _check(
                admin.post(
                    f"/api/campaigns/{CAMPAIGN_ID}/contacts",
                    content=call_list(contacts, time.time(), cells=mode == "preview"),
                    headers={"Content-Type": "text/csv"},
                ),
                200,
            ).json()
            print(
                f"imported {report['imported']} demo voters ({len(report['invalid'])} rows rejected)",
                flush=True,
            )
        else:
            _check(admin.patch(f"/api/campaigns/{CAMPAIGN_ID}", json={"status": "active", "mode": mode}), 200)
        _own_phone_campaign(admin)
        org_id, _ = _account(anon, ORGANIZER_EMAIL, "Demo Organizer", ORGANIZER_PASSWORD)
        _check(admin.put(f"/api/users/{org_id}/role", json={"role": "organizer"}), 200)
        tokens = [
            _account(anon, f"volunteer{i + 1}@demo.example.org", f"Volunteer {i + 1}", VOLUNTEER_PASSWORD)[1]
            for i in range(volunteers)
        ]
    finally:
        admin.close()
        anon.close()
    seeded = Seeded(
        links=[
            ("sign in", f"{base_url}/signin"),
            ("organizer sign-in", f"{ORGANIZER_EMAIL} / {ORGANIZER_PASSWORD}"),
            ("organizer dashboard", f"{base_url}/campaigns/{CAMPAIGN_ID}/dashboard"),
            ("join link to share", f"{base_url}/join/{CAMPAIGN_ID} (new volunteers sign up there)"),
            ("volunteer call page", f"{base_url}/call/{CAMPAIGN_ID}"),
            ("own-phone call page", f"{base_url}/call/{OWN_PHONE_ID} (dial from your own phone)"),
            ("stats (JSON)", f"{base_url}/api/campaigns/{CAMPAIGN_ID}/stats"),
        ]
    )
    if volunteers:
        child_env = {**env, "DIALER_VOLUNTEER_TOKENS": ",".join(tokens)}
        seeded.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "dialer.volunteer_crowd",
                    "--base-url",
                    base_url,
                    "--campaign",
                    CAMPAIGN_ID,
                    "--mode",
                    mode,
                ],
                env={k: v for k, v in child_env.items() if k != "DIALER_ADMIN_TOKEN"}
                | {"PYTHONUNBUFFERED": "1"},
            )
        )
    return seeded
