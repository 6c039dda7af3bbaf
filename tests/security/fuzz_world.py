"""A running server with something to fuzz: the example script, a campaign whose voters are in calling
hours now (wherever the clock is: `midday_zone`), a call list, and one account per role."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from tests.e2e.calling import EXAMPLES, midday_zone
from tests.servers import ServerProcess

CAMPAIGN = "gotv-2026"  # the ids the description's examples use
ROLES = ("volunteer", "leader", "organizer", "admin")
PASSWORD = "fuzzing is fun for everyone"


@dataclass(frozen=True)
class FuzzWorld:
    base_url: str
    tokens: dict[str, str | None]  # role -> bearer token; "anonymous" -> None


def seed(server: ServerProcess, contacts: int = 60) -> FuzzWorld:
    zone = midday_zone(time.time())
    with server.client() as admin:
        script = (EXAMPLES / "gotv.yaml").read_bytes()
        r = admin.post("/api/scripts", content=script, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        r = admin.post(
            "/api/campaigns",
            json={
                "id": CAMPAIGN,
                "name": "Get out the vote",
                "script_id": CAMPAIGN,
                "caller_id": "+12025550199",
                "default_timezone": zone,
                "calling_hours": {"start": "08:00", "end": "21:00"},
            },
        )
        assert r.status_code == 201, r.text
        rows = "".join(f"+1202555{1000 + i:04d},Voter{i},{zone}\n" for i in range(contacts))
        r = admin.post(
            f"/api/campaigns/{CAMPAIGN}/contacts",
            content="phone,first_name,timezone\n" + rows,
            headers={"Content-Type": "text/csv"},
        )
        assert r.status_code == 200 and r.json()["imported"] == contacts, r.text
        tokens: dict[str, str | None] = {"anonymous": None}
        for role in ROLES:
            r = httpx.post(
                f"{server.base_url}/api/auth/signup",
                json={"email": f"{role}@example.org", "name": role.title(), "password": PASSWORD},
                timeout=30,
            )
            assert r.status_code == 201, r.text
            body = r.json()
            if role != "volunteer":
                assert (
                    admin.put(f"/api/users/{body['user']['id']}/role", json={"role": role}).status_code == 200
                )
            tokens[role] = body["token"]
    return FuzzWorld(server.base_url, tokens)
