"""Preview calls through a conference end to end: the app served by uvicorn with the simulated carrier, real
HTTP and a real WebSocket, every webhook signed and delivered as Twilio would. The volunteer of a
`preview_conference` campaign joins their conference from the browser (the carrier asks /twilio/voice with
leg=agent), calls a voter into it, an organizer listens in and then barges, the volunteer hands the voter
on to the rides desk's staff line (which the carrier answers after 5 simulated seconds), and the result is
saved without hanging the voter up; the volunteer is free for the next voter at once."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as aioredis
import websockets

from dialer.connections import async_client
from dialer.queue import keys
from dialer.telephony.simulated_plan import SimProfile
from dialer.volunteer_sim import SimulatedVolunteer
from tests.e2e.calling import STAYS_ON_THE_LINE, seed
from tests.integration.test_call_me_simulated import ADMIN, Served, served
from tests.integration.test_phone_dial_simulated import next_of, next_status
from tests.unit.test_transfers import RIDES, SCRIPT

__all__ = ["served"]


async def account(http: httpx.AsyncClient, email: str, role: str | None = None) -> tuple[str, str]:
    r = await http.post(
        "/api/auth/signup", json={"email": email, "name": email[:4], "password": "long password"}
    )
    http.cookies.clear()
    uid, token = r.json()["user"]["id"], r.json()["token"]
    if role:
        assert (
            await http.put(f"/api/users/{uid}/role", json={"role": role}, headers=ADMIN)
        ).status_code == 200
    return uid, token


@pytest.fixture
async def store(served: Served) -> AsyncIterator[aioredis.Redis]:
    """A client of the served Redis, closed even when the test fails (a client left open is collected later,
    under another test, as an unraisable 'loop is closed' warning)."""
    client = async_client(served.redis_url, decode_responses=True)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_preview_conference_call_is_coached_and_handed_on(
    served: Served, store: aioredis.Redis
) -> None:
    served.carrier.profile = SimProfile(**json.loads(STAYS_ON_THE_LINE))
    redis = store
    async with httpx.AsyncClient(base_url=served.base_url) as http:
        r = await http.post(
            "/api/scripts", content=SCRIPT, headers={**ADMIN, "Content-Type": "application/yaml"}
        )
        assert r.status_code == 201, r.text
        body = {"id": "pcs", "name": "PCS", "script_id": "rides", "caller_id": "+12025550199",
                "mode": "preview", "transfer_targets": [RIDES], "preview_conference": True}  # fmt: skip
        assert (await http.post("/api/campaigns", json=body, headers=ADMIN)).status_code == 201
        await seed(served.redis_url, "pcs", 3)
        uid, token = await account(http, "vol@example.org")
        _, organizer = await account(http, "org@example.org", "organizer")
        me, org = {"Authorization": f"Bearer {token}"}, {"Authorization": f"Bearer {organizer}"}
        batch = (await http.post("/api/campaigns/pcs/batches", headers=me)).json()
        contact, second = batch["contacts"][0]["id"], batch["contacts"][1]["id"]

        ws_url = served.base_url.replace("http", "ws", 1) + f"/ws/call/pcs?token={token}"
        async with websockets.connect(ws_url) as ws:
            # Before the browser joins its conference, Call places nothing.
            r = await http.post(
                "/api/campaigns/pcs/phone-leg/calls", json={"contact_id": contact}, headers=me
            )
            assert r.status_code == 409 and r.json()["error"]["code"] == "phone_not_connected", r.text
            r = await http.post("/api/campaigns/pcs/conference-leg", headers=me)
            assert r.status_code == 201, r.text
            leg = r.json()["call_sid"]
            assert await redis.get(keys.agent_leg("pcs", uid)) == leg  # remembered by /twilio/voice

            await ws.send(json.dumps({"type": "start", "contact_id": contact}))
            assert (await next_of(ws, "step"))["step"]["id"] == "intro"
            r = await http.post(
                "/api/campaigns/pcs/phone-leg/calls", json={"contact_id": contact}, headers=me
            )
            assert r.status_code == 201, r.text
            sid = r.json()["call_sid"]
            await next_status(ws, "in-progress", sid)

            # The organizer listens in, then barges; the volunteer's socket hears each.
            coach = f"/api/campaigns/pcs/roster/{uid}/coach"
            r = await http.post(coach, json={"mode": "listen"}, headers=org)
            assert r.status_code == 201, r.text
            assert (await next_of(ws, "coach"))["mode"] == "listen"
            r = await http.post(coach, json={"mode": "barge"}, headers=org)
            assert r.status_code == 200 and r.json()["mode"] == "barge", r.text
            assert (await next_of(ws, "coach"))["mode"] == "barge"
            r = await http.delete(coach, headers=org)
            assert r.status_code == 204
            assert (await next_of(ws, "coach"))["mode"] is None

            # "Yes, transfer": the rides desk is dialed into the conference and answers.
            r = await http.post("/api/campaigns/pcs/transfers", json={"contact_id": contact,
                                "target": RIDES["name"]}, headers=me)  # fmt: skip
            assert r.status_code == 201 and r.json()["status"] == "ringing", r.text
            assert (await next_of(ws, "transfer"))["status"] == "ringing"
            assert (await next_of(ws, "transfer", seconds=15))["status"] == "answered"
            await ws.send(json.dumps({"type": "answer", "step": "intro", "choice": 0}))
            assert (await next_of(ws, "done"))["result"] == "contacted"
            finish = {"type": "finish", "contact_id": contact, "notes": "", "idempotency_key": "k-1"}
            await ws.send(json.dumps(finish))
            await next_of(ws, "recorded")
            assert await redis.hget(keys.attempt("pcs", sid), "status") == "in-progress"  # with the staff

            # The handed-on call does not keep the volunteer from the next voter.
            r = await http.post("/api/campaigns/pcs/phone-leg/calls", json={"contact_id": second}, headers=me)
            assert r.status_code == 201, r.text
            following = r.json()["call_sid"]
            await next_status(ws, "ringing", following)
            assert (
                await http.post(f"/api/campaigns/pcs/calls/{following}/hangup", headers=me)
            ).status_code == 204
        rows = (await http.get("/api/campaigns/pcs/results.csv", headers=ADMIN)).text
        saved = [row for row in rows.splitlines() if ",contacted," in row]
        # The question's answer, then volunteer_name (the last column).
        assert len(saved) == 1 and sid in saved[0] and saved[0].rsplit(",", 1)[0].endswith(",ride"), rows
        audit = (await http.get("/api/campaigns/pcs/audit", headers=ADMIN)).json()
        coaching = [e["action"] for e in audit if e["action"].startswith("coach_")]
        assert coaching[:3] == ["coach_leave", "coach_switch", "coach_join"], audit
        handed = [e["action"] for e in audit if e["action"].startswith("transfer_")]
        assert handed == ["transfer_answered", "transfer_start"], audit
    await served.carrier.hangup(sid)  # the staff member and the voter say goodbye
    async with asyncio.timeout(30):
        await served.carrier.drain()
    assert all(d.status_code in (200, 204) for d in served.carrier.deliveries), served.carrier.deliveries


@pytest.mark.anyio
async def test_simulated_volunteers_call_through_their_conference(
    served: Served, store: aioredis.Redis
) -> None:
    """The demo's volunteers take the same path as the page: join the conference, then each voter is placed
    into it by the server (the attempt's leg is the placed call itself, not a browser's child leg)."""
    redis = store
    async with httpx.AsyncClient(base_url=served.base_url) as http:
        body = {"id": "pcv", "name": "PCV", "script_id": "gotv-2026", "caller_id": "+12025550199",
                "mode": "preview", "batch_size": 3, "preview_conference": True}  # fmt: skip
        assert (await http.post("/api/campaigns", json=body, headers=ADMIN)).status_code == 201
        await seed(served.redis_url, "pcv", 4)
        uid, token = await account(http, "sim@example.org")
    volunteer = SimulatedVolunteer(served.base_url, token, "pcv", seed=3, think_seconds=0.01, call_timeout=30)
    try:
        report = await volunteer.run(max_calls=3)
    finally:
        await volunteer.aclose()
    assert report.calls == 3 and report.refused == 0, report
    assert await redis.get(keys.agent_leg("pcv", uid))  # the browser's leg joined through /twilio/voice
    for sid in report.call_sids:
        attempt = await redis.hgetall(keys.attempt("pcv", sid))
        assert attempt["leg_sid"] == sid and attempt["volunteer"] == uid, attempt
    async with httpx.AsyncClient(base_url=served.base_url) as http:
        r = await http.patch("/api/campaigns/pcv", json={"preview_conference": False}, headers=ADMIN)
        assert r.status_code == 200, r.text
        r = await http.post("/api/campaigns/pcv/conference-leg", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 409 and r.json()["error"]["code"] == "no_conference", r.text
        assert "Goodbye" not in r.json()["error"]["message"]  # said to a page, not read on a phone
    async with asyncio.timeout(30):
        await served.carrier.drain()
    assert all(d.status_code in (200, 204) for d in served.carrier.deliveries), served.carrier.deliveries


@pytest.mark.anyio
async def test_recorded_conference_calls_are_disclosed_before_recording(served: Served) -> None:
    """The simulated carrier follows the placed call's redirect as Twilio does: the voter hears the
    disclosure, recording starts after it, the voter is bridged, and the finished recording is kept."""
    served.carrier.profile = SimProfile(**json.loads(STAYS_ON_THE_LINE))
    async with httpx.AsyncClient(base_url=served.base_url) as http:
        body = {"id": "pcr", "name": "PCR", "script_id": "gotv-2026", "caller_id": "+12025550199",
                "mode": "preview", "batch_size": 2, "preview_conference": True, "record_calls": True,
                "recording_disclosure": "This call is recorded for training."}  # fmt: skip
        assert (await http.post("/api/campaigns", json=body, headers=ADMIN)).status_code == 201
        await seed(served.redis_url, "pcr", 2)
        _, token = await account(http, "rec@example.org")
        volunteer = SimulatedVolunteer(
            served.base_url, token, "pcr", seed=3, think_seconds=0.3, call_timeout=30
        )
        try:
            report = await volunteer.run(max_calls=2)
        finally:
            await volunteer.aclose()
        assert report.calls == 2 and report.reached == 2, report
        async with asyncio.timeout(30):
            await served.carrier.drain()
            while (
                len(
                    kept := (await http.get("/api/campaigns/pcr/recordings", headers=ADMIN)).json()[
                        "recordings"
                    ]
                )
                < 2
            ):
                await asyncio.sleep(0.1)
    assert sorted(r["call_sid"] for r in kept) == sorted(report.call_sids), kept
    told = {s.call_sid for s in served.carrier.spoken if s.text == "This call is recorded for training."}
    assert told == set(report.call_sids)
    hooks = [
        d.url.split("?")[0].rsplit("/", 1)[1] for d in served.carrier.deliveries if "/recording/" in d.url
    ]
    assert hooks.count("disclose") == hooks.count("start") == hooks.count("status") == 2, hooks
    assert all(d.status_code in (200, 204) for d in served.carrier.deliveries), served.carrier.deliveries
