"""The call socket with a real WebSocket client against a running `dialer serve`."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import websockets

from tests.e2e.calling import STAYS_ON_THE_LINE, gotv_campaign, midday_zone, seed, seed_script, signup
from tests.servers import ADMIN_TOKEN, ServerProcess
from tests.stores import open_store


@dataclass
class Setup:
    server: ServerProcess
    token: str
    contacts: list[dict[str, Any]]

    @property
    def ws_url(self) -> str:
        return self.server.base_url.replace("http", "ws", 1) + f"/ws/call/dc?token={self.token}"


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Setup]:

    open_store(redis_url).flushdb()
    env = {"DIALER_SIM_PROFILE": STAYS_ON_THE_LINE, "DIALER_SIM_SPEED": "10"}
    with ServerProcess(tmp_path_factory.mktemp("call-socket"), redis_url, env=env) as server:
        asyncio.run(seed_script(redis_url))
        gotv_campaign(server, "dc", batch_size=3)
        asyncio.run(seed(redis_url, "dc", 60))  # each malformed-frame case takes a batch
        token = signup(server.base_url, "ws@example.org", "Wes")
        batch = httpx.post(
            f"{server.base_url}/api/campaigns/dc/batches", headers={"Authorization": f"Bearer {token}"}
        )
        assert batch.status_code == 201
        yield Setup(server, token, batch.json()["contacts"])


async def reply(ws: Any, kinds: tuple[str, ...] = ("step", "done", "error", "recorded")) -> dict[str, Any]:
    """The next message of one of `kinds`; call progress (`call_status`) comes on its own time: skipped."""
    while True:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
        if message["type"] in kinds:
            return message


async def exchange(ws: Any, message: dict[str, Any] | str | bytes) -> dict[str, Any]:
    await ws.send(message if isinstance(message, (str, bytes)) else json.dumps(message))
    return await reply(ws)


async def on_the_line(ws: Any, base_url: str, token: str, contact_id: str) -> None:
    """Places the call to the contact (the simulated voter answers) and waits until they are on the line:
    the script's answers are refused before (`not_connected`)."""
    placed = httpx.post(
        f"{base_url}/api/campaigns/dc/calls",
        json={"contact_id": contact_id},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert placed.status_code == 201, placed.text
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == "call_status" and message["status"] == "in-progress":
            return


async def hello(ws: Any) -> None:
    """The first message on a call socket: the campaign's status, so a page knows whether it may call, and its
    mode, so a page drawn for another one changes over."""
    first = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert first == {"type": "campaign", "status": "active", "reason": "connected", "mode": "preview"}


def test_branching_walk_with_back_reconnect_and_finish(setup: Setup) -> None:
    contact = setup.contacts[0]

    async def walk() -> None:
        async with websockets.connect(setup.ws_url) as ws:
            await hello(ws)
            step = await exchange(ws, {"type": "start", "contact_id": contact["id"]})
            assert step["type"] == "step" and step["step"]["id"] == "intro"
            assert contact["first_name"] in step["step"]["text"]
            assert step["step"]["choices"][0] == {"index": 0, "label": "Speaking"}
            assert step["step"]["input"] is None
            # No call placed yet: the script walks as API.md's call socket says (start, answer, back).
            early = await exchange(ws, {"type": "answer", "step": "intro", "choice": 0})
            assert early["type"] == "step" and early["step"]["id"] == "support", early
            step = await exchange(ws, {"type": "back"})
            assert step["step"]["id"] == "intro"
            await on_the_line(ws, setup.server.base_url, setup.token, contact["id"])
            step = await exchange(ws, {"type": "answer", "step": "intro", "choice": 0})
            assert step["step"]["id"] == "support"
            step = await exchange(ws, {"type": "answer", "step": "support", "choice": 1})  # undecided
            assert step["step"]["id"] == "household" and step["step"]["input"] == "number"
            error = await exchange(ws, {"type": "answer", "step": "household", "value": "lots"})
            assert error["type"] == "error"
            step = await exchange(ws, {"type": "answer", "step": "household", "value": 2})
            assert step["step"]["id"] == "persuade"  # the conditional rule: support == 'undecided'
            step = await exchange(ws, {"type": "back"})
            assert step["step"]["id"] == "household"
            step = await exchange(ws, {"type": "answer", "step": "household", "value": 1})
            assert step["step"]["id"] == "persuade"
            step = await exchange(ws, {"type": "answer", "step": "persuade", "choice": 0})
            assert step["step"]["id"] == "plan" and "What time of day will you go" in step["step"]["text"]
        # The connection drops in the middle of the call; a new one resumes at the same step.
        async with websockets.connect(setup.ws_url) as ws:
            await hello(ws)
            resumed = await reply(ws)
            assert resumed["type"] == "step" and resumed["step"]["id"] == "plan"
            assert resumed["contact_id"] == contact["id"]
            step = await exchange(ws, {"type": "answer", "step": "plan", "choice": 2})
            assert step["step"]["id"] == "thanks"
            done = await exchange(ws, {"type": "answer", "step": "thanks"})
            assert done == {
                "type": "done",
                "contact_id": contact["id"],
                "result": "contacted",
                "answers": {
                    "intro": "Speaking",
                    "support": "undecided",
                    "household_voters": 1,
                    "persuaded": "leaning_yes",
                    "vote_time": "evening",
                },
            }
            recorded = await exchange(
                ws, {"type": "finish", "contact_id": contact["id"], "notes": "nice", "idempotency_key": "k-1"}
            )
            assert recorded == {"type": "recorded", "contact_id": contact["id"]}
            again = await exchange(ws, {"type": "start", "contact_id": contact["id"]})
            assert again["type"] == "error" and again["code"] == "already_completed"

    asyncio.run(walk())
    log = setup.server.log()
    assert "/ws/call/dc?token=[redacted]" in log and setup.token not in log  # tokens stay out of logs
    with setup.server.client() as admin:
        rows = admin.get("/api/campaigns/dc/results.csv").text.splitlines()
        assert len(rows) == 2 and "undecided" in rows[1] and "nice" in rows[1]


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("this is not json", "bad_message"),
        (b"\x00\x01binary", "bad_message"),
        ({"type": "bogus"}, "unknown_type"),
        ({"no": "type"}, "bad_message"),  # no type is malformed; an unknown one is unknown_type
        ([1, 2, 3], "bad_message"),
        ({"type": "start"}, "bad_message"),
        ({"type": "start", "contact_id": "not-mine"}, "not_in_batch"),
        # Not text: the socket's batch check looked these up in a dict (TypeError, the socket closed 1006).
        ({"type": "start", "contact_id": ["not-mine"]}, "bad_message"),
        ({"type": "start", "contact_id": {"id": "x"}}, "bad_message"),
        ({"type": "answer", "step": "intro", "choice": 0}, "no_call"),
        ("x" * 100_000, "bad_message"),
        ("[" * 50_000, "bad_message"),
    ],
)
def test_malformed_frames_get_errors_and_the_session_goes_on(setup: Setup, frame: Any, code: str) -> None:
    # A volunteer of their own, so that no call is in progress from another case.
    base = setup.server.base_url
    email = f"v{abs(hash(repr(frame))) % 10**9}@example.org"
    token = httpx.post(
        f"{base}/api/auth/signup", json={"email": email, "name": "V", "password": "a long password"}
    ).json()["token"]
    batch = httpx.post(f"{base}/api/campaigns/dc/batches", headers={"Authorization": f"Bearer {token}"})
    contact = batch.json()["contacts"][0]
    url = base.replace("http", "ws", 1) + f"/ws/call/dc?token={token}"

    async def go() -> None:
        async with websockets.connect(url, max_size=2**21) as ws:
            await hello(ws)
            error = await exchange(ws, frame if isinstance(frame, (str, bytes)) else json.dumps(frame))
            assert error["type"] == "error", error
            assert error["code"] == code and error["message"]
            step = await exchange(ws, {"type": "start", "contact_id": contact["id"]})
            assert step["type"] == "step"
            await on_the_line(ws, base, token, contact["id"])
            wrong = await exchange(ws, {"type": "answer", "step": "plan", "choice": 0})
            assert wrong["type"] == "error"  # an answer for another step
            assert (await exchange(ws, {"type": "answer", "step": "intro", "choice": 0}))["step"][
                "id"
            ] == "support"

    asyncio.run(go())


def test_a_ping_is_answered_with_a_pong(setup: Setup) -> None:
    """The page's heartbeat: a connection that died without a word is noticed by the pong not coming."""

    async def go() -> None:
        async with websockets.connect(setup.ws_url) as ws:
            await hello(ws)
            for _ in range(2):
                await ws.send(json.dumps({"type": "ping"}))
                assert await reply(ws, ("pong", "error")) == {"type": "pong"}

    asyncio.run(go())


def test_socket_auth_and_unknown_campaign(setup: Setup) -> None:
    base = setup.server.base_url.replace("http", "ws", 1)

    async def closed_with(url: str, **kw: Any) -> int:
        async with websockets.connect(url, **kw) as ws:
            with pytest.raises(websockets.ConnectionClosed) as info:
                await asyncio.wait_for(ws.recv(), 5)
            assert info.value.rcvd is not None
            return info.value.rcvd.code

    assert asyncio.run(closed_with(f"{base}/ws/call/dc")) == 4401
    assert asyncio.run(closed_with(f"{base}/ws/call/dc?token=wrong")) == 4401
    assert asyncio.run(closed_with(f"{base}/ws/call/nope?token={setup.token}")) == 4404
    cross = asyncio.run(closed_with(setup.ws_url, origin="https://evil.example"))  # type: ignore[arg-type]
    assert cross == 4403


def test_an_archived_campaign_is_ended_on_every_call_page(setup: Setup) -> None:
    """Archived, the campaign calls nobody, yet its status stays active (for a restore): the pages heard
    "active" and said nothing until Call answered "No campaign 'day2'". They hear it has ended; restored,
    it is active again."""

    async def go() -> None:
        async with websockets.connect(setup.ws_url) as ws:
            await hello(ws)
            with setup.server.client() as admin:
                for archived, status in ((True, "closed"), (False, "active")):
                    r = admin.patch("/api/campaigns/dc", json={"archived": archived})
                    assert r.status_code == 200 and r.json()["status"] == "active", r.text
                    news = await reply(ws, ("campaign",))
                    assert (news["status"], news["reason"]) == (status, "settings"), news

    asyncio.run(go())


def test_pause_and_resume_reach_every_call_socket(setup: Setup) -> None:
    async def go() -> None:
        async with websockets.connect(setup.ws_url) as ws, websockets.connect(setup.ws_url) as other:
            await hello(ws)
            await hello(other)
            with setup.server.client() as admin:
                for status in ("paused", "active"):
                    assert admin.patch("/api/campaigns/dc", json={"status": status}).status_code == 200
                    for sock in (ws, other):
                        news = await reply(sock, ("campaign",))
                        assert news == {
                            "type": "campaign",
                            "status": status,
                            "reason": "status",
                            "mode": "preview",
                        }
                assert admin.patch("/api/campaigns/dc", json={"goal": 50}).status_code == 200
                for sock in (ws, other):
                    news = await reply(sock, ("campaign",))
                    assert news == {
                        "type": "campaign",
                        "status": "active",
                        "reason": "settings",
                        "mode": "preview",
                    }
                # An organizer switches the mode: every open page hears the new one (and follows it).
                assert admin.patch("/api/campaigns/dc", json={"mode": "power"}).status_code == 200
                for sock in (ws, other):
                    news = await reply(sock, ("campaign",))
                    assert news == {
                        "type": "campaign",
                        "status": "active",
                        "reason": "settings",
                        "mode": "power",
                    }
                assert admin.patch("/api/campaigns/dc", json={"mode": "preview"}).status_code == 200
                for sock in (ws, other):
                    assert (await reply(sock, ("campaign",)))["mode"] == "preview"
                csv = f"phone,timezone\n+13125550177,{midday_zone(time.time())}\n"
                headers = {"Content-Type": "text/csv"}
                r = admin.post("/api/campaigns/dc/contacts", content=csv, headers=headers)
                assert r.status_code == 200 and r.json()["imported"] == 1, r.text
                news = await reply(other, ("campaign",))
                assert news == {
                    "type": "campaign",
                    "status": "active",
                    "reason": "contacts_added",
                    "mode": "preview",
                }

    asyncio.run(go())


def test_the_roster_follows_the_page_and_a_raised_hand_is_answered(setup: Setup) -> None:
    base = setup.server.base_url
    email = "rosa@example.org"
    r = httpx.post(
        f"{base}/api/auth/signup", json={"email": email, "name": "Rosa Roster", "password": "a long password"}
    )
    token, me = r.json()["token"], r.json()["user"]["id"]
    contact = httpx.post(
        f"{base}/api/campaigns/dc/batches", headers={"Authorization": f"Bearer {token}"}
    ).json()["contacts"][0]
    url = base.replace("http", "ws", 1) + f"/ws/call/dc?token={token}"
    live_url = base.replace("http", "ws", 1) + f"/ws/campaigns/dc/live?token={ADMIN_TOKEN}"

    def mine(admin: httpx.Client) -> dict[str, Any] | None:
        rows = admin.get("/api/campaigns/dc/roster").json()
        return next((row for row in rows if row["volunteer"] == me), None)

    async def go() -> None:
        with setup.server.client() as admin:
            async with websockets.connect(live_url) as live, websockets.connect(url) as ws:
                await hello(ws)
                row = mine(admin)
                assert row is not None and row["state"] == "waiting" and row["name"] == "Rosa Roster"
                await ws.send(json.dumps({"type": "start", "contact_id": contact["id"]}))
                await on_the_line(ws, base, token, contact["id"])
                assert mine(admin)["state"] == "talking"  # type: ignore[index]
                await ws.send(json.dumps({"type": "hand", "raised": True}))
                assert await reply(ws, ("hand",)) == {"type": "hand", "raised": True}
                # The organizers' live socket shows it within a second.
                while True:
                    pushed = json.loads(await asyncio.wait_for(live.recv(), 5))
                    rows = pushed.get("volunteers", []) if pushed["type"] == "roster" else []
                    if any(r["volunteer"] == me and r["hand_raised"] for r in rows):
                        break
                answered = admin.post(f"/api/campaigns/dc/roster/{me}/hand", json={"raised": False})
                assert answered.status_code == 204
                assert await reply(ws, ("hand",)) == {"type": "hand", "raised": False, "by": "Administrator"}
                assert not mine(admin)["hand_raised"]  # type: ignore[index]
            for _ in range(50):  # the page closed: off the roster
                if mine(admin) is None:
                    break
                await asyncio.sleep(0.1)
            assert mine(admin) is None

    asyncio.run(go())


def test_a_retry_comes_back_in_a_new_batch_and_can_be_called_again(setup: Setup) -> None:
    base = setup.server.base_url
    r = httpx.post(
        f"{base}/api/auth/signup",
        json={"email": "ria@example.org", "name": "Ria", "password": "a long password"},
    )
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    url = base.replace("http", "ws", 1) + f"/ws/call/dc?token={r.json()['token']}"
    first = httpx.post(f"{base}/api/campaigns/dc/batches", headers=auth).json()
    contact = first["contacts"][0]["id"]

    async def go() -> None:
        async with websockets.connect(url) as ws:
            await hello(ws)
            await exchange(ws, {"type": "start", "contact_id": contact})
            finish = {
                "type": "finish",
                "contact_id": contact,
                "notes": "",
                "result": "no_answer",
                "idempotency_key": "r1",
            }
            assert (await exchange(ws, finish))["type"] == "recorded"
            # The list is handed back; the organizer makes retries due; the voter comes back to Ria.
            assert httpx.post(f"{base}/api/batches/{first['id']}/release", headers=auth).status_code == 200
            with setup.server.client() as admin:
                assert admin.post("/api/campaigns/dc/retries-now").json()["made_due"] >= 1
            for _ in range(30):  # the voters due before it are called (here: found to be wrong numbers)
                batch = httpx.post(f"{base}/api/campaigns/dc/batches", headers=auth).json()
                if contact in {c["id"] for c in batch["contacts"]}:
                    break
                for c in batch["contacts"]:
                    body = {"contact_id": c["id"], "result": "wrong_number"}
                    httpx.post(f"{base}/api/batches/{batch['id']}/results", json=body, headers=auth)
            else:
                raise AssertionError("the retried voter never came back")
            again = await exchange(ws, {"type": "start", "contact_id": contact})
            assert again["type"] == "step", again  # not "already_completed": a new batch, a new call

    asyncio.run(go())


def test_a_page_that_leaves_before_its_reply_is_no_error_in_the_log(setup: Setup, redis_url: str) -> None:
    """A phone that drops right after pressing Call: the reply to its `start` finds the socket gone. That
    raised inside the socket's task group, which wrapped it in an exception group that the handler's
    `except WebSocketDisconnect` did not catch: an ERROR and a traceback in the log for each (20 of 20 on
    the demo). Normal on a call day; an operator's log should not cry wolf."""
    base = setup.server.base_url
    gotv_campaign(setup.server, "gone", batch_size=3)  # its own list: the other cases use up dc's
    asyncio.run(seed(redis_url, "gone", 3))
    token = signup(base, "gone@example.org", "Gone")
    batch = httpx.post(f"{base}/api/campaigns/gone/batches", headers={"Authorization": f"Bearer {token}"})
    assert batch.status_code == 201, batch.text
    contact = batch.json()["contacts"][0]
    url = base.replace("http", "ws", 1) + f"/ws/call/gone?token={token}"

    async def leave_before_the_reply() -> None:
        ws = await websockets.connect(url)
        await hello(ws)
        await ws.send(json.dumps({"type": "start", "contact_id": contact["id"]}))
        ws.transport.abort()  # gone without a closing handshake, as a phone losing its signal

    async def go() -> None:
        for _ in range(10):
            await leave_before_the_reply()
        async with websockets.connect(url) as ws:  # the server is still there, and so is the session
            await hello(ws)
            await ws.send(json.dumps({"type": "ping"}))
            assert await reply(ws, ("pong", "error")) == {"type": "pong"}

    asyncio.run(go())
    assert setup.server.tracebacks() == ""
