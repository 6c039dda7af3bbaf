"""The demo's simulated volunteer after a restart: the call socket resumes the call left open by the previous
run (its step, and its last carrier status) before the volunteer starts the next one. Taking that step as
the new call's, or that old status as the new call's answer, had it answer a step the call was not at, or
before anyone picked up: `wrong_step` and `not_connected` errors, and a reconnect each time (a restarted
`make demo` logged several in its first seconds)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import websockets

from dialer.volunteer_sim import SimulatedVolunteer

STEP = {"id": "intro", "text": "Hi", "choices": [{"index": 0, "label": "Speaking"}], "input": None}


class FakeSocket:
    """The server's side of the call socket, as far as one unanswered call needs it."""

    def __init__(self, inbox: asyncio.Queue[dict[str, Any]]) -> None:
        self.inbox = inbox
        self.sent: list[dict[str, Any]] = []

    async def send(self, text: str) -> None:
        message = json.loads(text)
        self.sent.append(message)
        if message["type"] == "start":
            await self.inbox.put({"type": "step", "contact_id": message["contact_id"], "step": STEP})
        elif message["type"] == "finish":
            await self.inbox.put({"type": "recorded", "contact_id": message["contact_id"]})
        else:  # an answer: this call was never picked up
            await self.inbox.put({"type": "error", "code": "not_connected", "message": "nobody on the line"})


def volunteer_with(carrier: Any) -> SimulatedVolunteer:
    """A simulated volunteer whose HTTP requests (placing the call) `carrier` answers."""
    volunteer = SimulatedVolunteer("http://dialer.example.org", "token", "demo", think_seconds=0)
    volunteer.http = httpx.AsyncClient(
        base_url="http://dialer.example.org", transport=httpx.MockTransport(carrier)
    )
    return volunteer


def test_a_resumed_call_is_not_taken_for_the_new_one() -> None:
    async def scenario() -> list[dict[str, Any]]:
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        # What the socket sends on connect: the previous run's call to c2 at its 'plan' step, and the last
        # status of the previous run's call to c1 (answered; it never ended: that carrier stopped).
        stale = {**STEP, "id": "plan"}
        await inbox.put({"type": "step", "contact_id": "c2", "step": stale})
        await inbox.put(
            {"type": "call_status", "contact_id": "c1", "status": "in-progress", "call_sid": "CAold"}
        )
        ws = FakeSocket(inbox)

        async def carrier(request: httpx.Request) -> httpx.Response:
            # The new call rings out: nobody answers it.
            for status in ("ringing", "no-answer"):
                await inbox.put(
                    {"type": "call_status", "contact_id": "c1", "status": status, "call_sid": "CAnew"}
                )
            return httpx.Response(201, json={"call_sid": "CAnew"})

        volunteer = volunteer_with(carrier)
        try:
            assert await asyncio.wait_for(volunteer._call(ws, inbox, "c1"), 10)
        finally:
            await volunteer.aclose()
        return ws.sent

    sent = asyncio.run(scenario())
    assert [m["type"] for m in sent] == ["start", "finish"], sent  # no answer to a step nobody heard
    assert sent[1]["result"] == "no_answer" and sent[1]["contact_id"] == "c1"


class DroppedSocket:
    """A call socket whose server dies after one message: no close frame, the iterator raises."""

    def __aiter__(self) -> DroppedSocket:
        self.sent = False
        return self

    async def __anext__(self) -> str:
        if not self.sent:
            self.sent = True
            return json.dumps({"type": "campaign", "mode": "power"})
        raise websockets.ConnectionClosedError(None, None)


def test_a_socket_dropped_by_a_server_restart_ends_the_wait_so_the_volunteer_reconnects() -> None:
    """A web process killed under power-mode volunteers: the reader died with the socket, but the volunteer
    went on waiting for a voter on it (saying ready over HTTP every 20 s, so voters were bridged to a page
    that was not there) instead of reconnecting; 1 of 8 reconnected after a restart."""

    async def scenario() -> None:
        volunteer = SimulatedVolunteer("http://127.0.0.1:9", "token", "pw")
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        with pytest.raises(websockets.ConnectionClosedError):
            await volunteer._read(DroppedSocket(), inbox)
        assert (await volunteer._next(inbox, {"campaign"}, 1))["mode"] == "power"
        for _ in range(2):  # every later wait too
            with pytest.raises(ConnectionError):
                await volunteer._next(inbox, {"bridged"}, 1)
        await volunteer.aclose()

    asyncio.run(scenario())


def test_a_resumed_call_whose_script_ended_is_saved_not_dialed_again() -> None:
    """A crowd run with `dialer serve` killed (bench/crowd_kill.py): a volunteer's conversation reached the
    script's end (`call_back`) and the crash came before it was saved. Back on the socket, the volunteer
    dialed the voter again and saved that line's outcome (`disconnected`), which the server refused
    (`bad_result`: the script ended with 'call_back'), and the volunteer reconnected, 9 times in the run."""

    async def scenario() -> list[dict[str, Any]]:
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        done = {"type": "done", "contact_id": "c1", "result": "call_back", "answers": {}}

        class EndedSocket(FakeSocket):
            async def send(self, text: str) -> None:
                message = json.loads(text)
                if message["type"] == "start":
                    self.sent.append(message)
                    await self.inbox.put(done)  # the call as the socket resumes it: at its end
                else:
                    await super().send(text)

        ws = EndedSocket(inbox)
        placed: list[httpx.Request] = []

        async def carrier(request: httpx.Request) -> httpx.Response:
            placed.append(request)
            await inbox.put(
                {"type": "call_status", "contact_id": "c1", "status": "failed", "call_sid": "CA2"}
            )
            return httpx.Response(201, json={"call_sid": "CA2"})

        volunteer = volunteer_with(carrier)
        try:
            assert await asyncio.wait_for(volunteer._call(ws, inbox, "c1"), 10)
        finally:
            await volunteer.aclose()
        assert not placed, "the voter was dialed again"
        return ws.sent

    sent = asyncio.run(scenario())
    assert [m["type"] for m in sent] == ["start", "finish"], sent
    assert "result" not in sent[1], sent[1]  # the script's own result is saved, as the page's Save does


def test_a_power_conversation_cut_off_by_a_web_restart_is_finished_before_saying_ready() -> None:
    """A predictive crowd run with a web process killed (bench/crowd_kill.py): volunteers mid-conversation
    came back on a new socket and said ready at once, which ends the call they were on (ready while
    talking hangs up); their voters stayed in their lists with no result (10 in one run). The socket
    resumes the conversation at its step: the volunteer finishes and saves it first, as the page does."""
    order: list[str] = []

    class ResumingSocket:
        def __init__(self, inbox: asyncio.Queue[dict[str, Any]]) -> None:
            self.inbox = inbox

        async def send(self, text: str) -> None:
            message = json.loads(text)
            order.append(f"ws {message['type']}")
            if message["type"] == "answer":
                done = {"type": "done", "contact_id": "c1", "result": "contacted", "answers": {}}
                await self.inbox.put(done)
            elif message["type"] == "finish":
                await self.inbox.put({"type": "recorded", "contact_id": message["contact_id"]})

    async def server(request: httpx.Request) -> httpx.Response:
        order.append(f"http {request.url.path} {json.loads(request.content)}")
        return httpx.Response(200, json={})

    async def scenario() -> None:
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await inbox.put({"type": "talking", "contact_id": "c1", "call_sid": "CA1"})
        await inbox.put({"type": "step", "contact_id": "c1", "step": STEP})  # resumed where it was
        volunteer = volunteer_with(server)
        volunteer.on_call = "c1"  # bridged to c1 on the socket that died
        try:
            await asyncio.wait_for(
                volunteer._take_voters(ResumingSocket(inbox), inbox, 1, None, heartbeat=5), 10
            )
        finally:
            await volunteer.aclose()
        assert volunteer.report.calls == 1 and volunteer.on_call is None

    asyncio.run(scenario())
    assert order == [
        "ws answer",
        "ws finish",
        "http /api/campaigns/demo/ready {'ready': True}",  # only once the conversation is saved
    ], order


def test_a_restarted_volunteer_saves_with_keys_its_previous_run_did_not_use() -> None:
    """`make demo` stopped and started again (README: "a restart carries on"): each simulated volunteer is
    made again with the same seed and carries on in the same batch. Its idempotency keys came from that
    seed, so the new run's first saves reused the previous run's keys for other voters, which the server
    refuses (`idempotency_key_reused`), and the volunteer reconnected: 3 times in a restarted power demo's
    first 30 s."""

    async def save(contact_id: str) -> str:
        inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        ws = FakeSocket(inbox)
        volunteer = SimulatedVolunteer("http://127.0.0.1:9", "token", "demo", seed=1000)
        try:
            await asyncio.wait_for(volunteer._finish(ws, inbox, contact_id, {"result": "busy"}), 10)
        finally:
            await volunteer.aclose()
        return str(ws.sent[0]["idempotency_key"])

    before_restart = asyncio.run(save("c1"))
    after_restart = asyncio.run(save("c2"))  # the same volunteer, the same seed, the same batch
    assert before_restart != after_restart


def test_a_socket_dropped_by_a_web_restart_does_not_say_ready_false(monkeypatch: pytest.MonkeyPatch) -> None:
    """A power crowd run with a web process killed (bench/crowd_kill.py): the server had just bridged a
    voter to volunteers whose socket died before `bridged` reached them. On the way out the simulated
    volunteer said `{ready: false}`, which the page never does on a lost socket (it reconnects; its
    leave() on closing keeps a talking volunteer): the server set them away, so the new socket had no
    voter to resume, and 3 voters in one run talked to nobody and kept no result. A lost socket says
    nothing: the server's own `gone` keeps a talking volunteer; a volunteer who stops still leaves."""
    posted: list[dict[str, Any]] = []

    async def server(request: httpx.Request) -> httpx.Response:
        posted.append(json.loads(request.content))
        return httpx.Response(200, json={"state": "ready"})

    class Dropping:
        def __init__(self, frames: list[dict[str, Any]]) -> None:
            self.frames = frames

        def __aiter__(self) -> Dropping:
            return self

        async def __anext__(self) -> str:
            if self.frames:
                return json.dumps(self.frames.pop(0))
            raise websockets.ConnectionClosedError(None, None)

        async def send(self, text: str) -> None:
            pass

    @contextlib.asynccontextmanager
    async def connect(url: str, **kwargs: Any) -> AsyncIterator[Dropping]:
        yield Dropping([{"type": "campaign", "mode": "power"}])

    monkeypatch.setattr("dialer.volunteer_sim.websockets.connect", connect)

    async def scenario() -> None:
        volunteer = volunteer_with(server)
        try:
            with pytest.raises(ConnectionError):
                await asyncio.wait_for(volunteer.run_dialer(), 10)
            assert posted == [{"ready": True, "alive": True}], posted  # joined the pool, never left it
            stop = asyncio.Event()
            stop.set()  # the volunteer stops calling: leaving the pool, as the page's leave() does
            await asyncio.wait_for(volunteer.run_dialer(stop=stop), 10)
            assert posted[-1] == {"ready": False}, posted
        finally:
            await volunteer.aclose()

    asyncio.run(scenario())
