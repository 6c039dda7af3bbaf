"""Simulated volunteers: API clients that call through a campaign exactly as a person at the call page does.

Each one signs in with a token, takes a batch over HTTP, opens the call socket, asks the (simulated)
carrier to dial each contact (or, in a preview campaign with `preview_conference`, joins its conference and
has the server call each voter into it), waits for the carrier's progress, walks the script when a voter
answers (answers at random under a seed) or records the carrier's outcome when nobody does, and finishes
with an idempotency key; between calls it follows the switch of the dialing mode. The demo runs several
(dialer/volunteer_crowd.py), the end-to-end tests one, through the public HTTP and WebSocket interface."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

from dialer.simulation.answers import answer_for

log = logging.getLogger("dialer.volunteers")

FINAL_STATUSES = {"completed", "busy", "no-answer", "failed", "canceled"}
PLACE_TRIES = 50  # Call refused as "already on a call" while the last voter's end is on its way
PLACE_RETRY_SECONDS = 0.1
DIALING_MODES = ("power", "predictive")
RESUME_SECONDS = 5.0  # a cut-off conversation's step comes right after the socket's `campaign` message
CLOSED = "_closed"  # put in the inbox when the call socket ends
Inbox = asyncio.Queue[dict[str, Any]]
Stop = asyncio.Event | None


@dataclass
class VolunteerReport:
    calls: int = 0
    reached: int = 0
    refused: int = 0
    results: dict[str, int] = field(default_factory=dict)
    call_sids: list[str] = field(default_factory=list)
    recordings: int = 0  # power/predictive calls whose recording started (after reading the notice)


class SimulatedVolunteer:
    def __init__(
        self,
        base_url: str,
        token: str,
        campaign_id: str,
        *,
        seed: int = 1,
        think_seconds: float = 0.5,
        call_timeout: float = 120.0,
        on_mode: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        """`on_mode`: told each mode this volunteer starts calling in (the demo's log, the tests)."""
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.campaign_id = campaign_id
        self.rng = random.Random(seed)
        self.think = think_seconds
        self.call_timeout = call_timeout
        self.report = VolunteerReport()
        self.conference = False  # preview_conference: the voter is called into the volunteer's conference
        self.records: bool | None = None  # power/predictive: does the campaign record (known at the 1st call)
        self.mode: str | None = None  # the campaign's, as its `campaign` messages say
        self.on_call: str | None = None  # power/predictive: the bridged voter's contact until it is saved
        self.recording_heard: dict[str, asyncio.Event] = {}  # by CallSid: the page said started or failed
        self.on_mode = on_mode
        self.http = httpx.AsyncClient(
            base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def follow(
        self, mode: str = "preview", max_calls: int | None = None, stop: asyncio.Event | None = None
    ) -> VolunteerReport:
        """Call in the campaign's mode (`mode` until the server says), changing over between calls when the
        organizers switch it, as the call page does on the `campaign` message's `mode`: a preview list is
        handed back for the dialer, or the dialing pool left for a list. Until `max_calls` results are
        recorded, `stop` is set, or the list is exhausted."""
        self.mode = mode
        while True:
            before = self.mode
            if before in DIALING_MODES:
                await self.run_dialer(max_calls, stop)
            else:
                await self.run(max_calls, stop)
            if self.mode == before or (self.mode in DIALING_MODES) == (before in DIALING_MODES):
                return self.report
            log.info("volunteer follows the switch from %s to %s", before, self.mode)

    def _dialing(self) -> bool | None:
        """Whether the campaign's mode, as last heard, has the server dial (None before any word)."""
        return None if self.mode is None else self.mode in DIALING_MODES

    async def _opened(self, inbox: asyncio.Queue[dict[str, Any]], dialing: bool) -> bool:
        """The socket's first message says the campaign's mode: False if it is not this loop's."""
        await self._next(inbox, {"campaign"}, 30)
        return self._dialing() is dialing

    async def _calling(self) -> None:
        if self.on_mode is not None:
            await self.on_mode(str(self.mode))

    async def run(self, max_calls: int | None = None, stop: asyncio.Event | None = None) -> VolunteerReport:
        """Preview: call until `max_calls` results are recorded, `stop` is set, the list is exhausted, or
        the organizers switch to a dialing mode (between calls: the list is handed back)."""
        ws_url = self.base_url.replace("http", "ws", 1) + f"/ws/call/{self.campaign_id}?token={self.token}"
        async with websockets.connect(ws_url, max_size=2**20) as ws:
            inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
            reader = asyncio.create_task(self._read(ws, inbox))
            try:
                if not await self._opened(inbox, dialing=False):
                    return self.report
                await self._calling()
                self.conference = await self._join_conference()
                while max_calls is None or self.report.calls < max_calls:
                    if stop is not None and stop.is_set():
                        break
                    batch = await self._take_batch(stop)
                    if batch is None:
                        break
                    for contact in batch["contacts"]:
                        if self._dialing():
                            await self.http.post(f"/api/batches/{batch['id']}/release")
                            return self.report
                        if (max_calls is not None and self.report.calls >= max_calls) or (
                            stop and stop.is_set()
                        ):
                            break
                        if await self._call(ws, inbox, contact["id"]):
                            continue
                        if await self._paused() or not await self._skip(batch["id"], contact["id"]):
                            # As a person would: hand the list back and wait for the campaign to resume
                            # (_take_batch waits), rather than run down the list with every call refused;
                            # or, out of skips, hand back a list whose names cannot be called.
                            await self.http.post(f"/api/batches/{batch['id']}/release")
                            break
            finally:
                reader.cancel()
        return self.report

    async def run_dialer(
        self, max_calls: int | None = None, stop: asyncio.Event | None = None, heartbeat: float = 20.0
    ) -> VolunteerReport:
        """Power and predictive modes: say ready, wait for the server to bridge a voter, walk the script,
        finish, and say ready again, until `max_calls` results are recorded, `stop` is set or the
        organizers switch to preview (between calls: out of the pool)."""
        ws_url = self.base_url.replace("http", "ws", 1) + f"/ws/call/{self.campaign_id}?token={self.token}"
        async with websockets.connect(ws_url, max_size=2**20) as ws:
            inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
            reader = asyncio.create_task(self._read(ws, inbox))
            dropped = False  # the socket lost (a web process killed): the page reconnects, saying nothing
            try:
                if self.mode is None:
                    self.mode = "power"  # called as run_dialer: a dialing campaign until the server says
                if await self._opened(inbox, dialing=True):
                    await self._take_voters(ws, inbox, max_calls, stop, heartbeat)
            except (ConnectionError, websockets.ConnectionClosed):
                dropped = True  # ready false set us away: a voter bridged meanwhile was not resumed
                raise
            finally:
                reader.cancel()
                if not dropped:  # stopping: out of the pool, as the page's leave() does
                    with contextlib.suppress(httpx.HTTPError):
                        await self._say_ready(False)
        return self.report

    async def _take_voters(
        self, ws: Any, inbox: Inbox, max_calls: int | None, stop: Stop, heartbeat: float
    ) -> None:
        """The pool on an open call socket. A conversation the last socket's end cut off (a web process
        killed) is finished first, as the page does (ready first ended it: its voter stayed in the list with
        no result); with none, `alive`: a voter put through to us meanwhile is kept (ready hangs it up)."""
        resumed = self.on_call is not None
        if resumed:
            await self._converse(ws, inbox, {"contact_id": self.on_call}, RESUME_SECONDS)
        await self._say_ready(True, alive=not resumed)
        await self._calling()
        while (max_calls is None or self.report.calls < max_calls) and not (stop and stop.is_set()):
            if self._dialing() is False:
                break  # switched to preview (say, during the last call): out of the pool, to a list
            try:
                bridged = await self._next(inbox, {"bridged", "campaign"}, heartbeat)
            except TimeoutError:
                await self._say_ready(True, alive=True)  # the sign of life that keeps us in the pool
                continue
            if bridged["type"] == "campaign":
                continue  # its mode was noted as it came in (_read): the loop's test follows it
            self.report.reached += 1
            self.on_call = str(bridged["contact_id"])
            await self._start_recording(str(bridged.get("call_sid") or ""))
            await self._converse(ws, inbox, bridged, 30)
            if (max_calls is None or self.report.calls < max_calls) and self._dialing():
                await self._say_ready(True)

    async def _converse(self, ws: Any, inbox: Inbox, bridged: dict[str, Any], wait: float) -> None:
        """A bridged voter's conversation (its first step within `wait` seconds), walked and saved."""
        try:
            step = await self._next(inbox, {"step", "done"}, wait)
        except TimeoutError:  # a resumed call the socket no longer has (its session ended): nothing to save
            self.on_call = None
            return
        done = await self._walk(ws, inbox, step)
        await self._finish(ws, inbox, str(bridged["contact_id"]), {})
        self.on_call = None
        self.report.calls += 1
        self.report.results[done["result"]] = self.report.results.get(done["result"], 0) + 1
        self.report.call_sids.append(str(bridged.get("call_sid") or ""))

    async def _start_recording(self, call_sid: str) -> None:
        """A recording campaign: the volunteer reads the notice, then presses "I read it: start recording"
        (the socket's `recording` message says whether it started). As a person would, they go on once
        the page shows it; a page that never does (no pacer running) is waited for 10 s at most."""
        if self.records is False or not call_sid:
            return
        heard = self.recording_heard.setdefault(call_sid, asyncio.Event())
        r = await self.http.post(f"/api/campaigns/{self.campaign_id}/calls/{call_sid}/recording")
        self.records = r.status_code != 409 or r.json().get("error", {}).get("code") != "not_recorded"
        if r.status_code == 202:
            try:
                await asyncio.wait_for(heard.wait(), 10)
            except TimeoutError:
                log.info("no word on the recording of %s", call_sid)
        self.recording_heard.pop(call_sid, None)

    async def _say_ready(self, ready: bool, alive: bool = False) -> None:  # alive: the waiting page's beat
        body = {"ready": ready, "alive": True} if alive else {"ready": ready}
        r = await self.http.post(f"/api/campaigns/{self.campaign_id}/ready", json=body)
        if r.status_code != 200:
            raise RuntimeError(f"ready answered {r.status_code}: {r.text[:200]}")

    async def _read(self, ws: Any, inbox: asyncio.Queue[dict[str, Any]]) -> None:
        try:
            async for frame in ws:
                message = json.loads(frame)
                if message.get("type") == "campaign" and message.get("mode"):
                    self.mode = str(message["mode"])  # followed between calls, as the call page does
                if message.get("type") == "recording":
                    self.report.recordings += message.get("status") == "started"
                    self.recording_heard.setdefault(str(message.get("call_sid")), asyncio.Event()).set()
                    continue
                await inbox.put(message)
        finally:  # the socket is over (a server restart drops it without a word): whoever waits must know
            inbox.put_nowait({"type": CLOSED})

    async def _take_batch(self, stop: asyncio.Event | None) -> dict[str, Any] | None:
        while True:
            r = await self.http.post(f"/api/campaigns/{self.campaign_id}/batches")
            if r.status_code in (200, 201):
                batch: dict[str, Any] = r.json()
                return batch
            reason = (r.json().get("error", {}).get("details") or [{}])[0].get("reason")
            if r.status_code != 409 or reason == "exhausted":
                log.info("volunteer stops: %s %s", r.status_code, r.text[:200])
                return None
            # Paused, or outside calling hours: wait as a volunteer would, then ask again.
            try:
                await asyncio.wait_for((stop or asyncio.Event()).wait(), timeout=5)
                return None
            except TimeoutError:
                continue

    async def _next(
        self, inbox: asyncio.Queue[dict[str, Any]], kinds: set[str], timeout: float
    ) -> dict[str, Any]:
        while True:
            message = await asyncio.wait_for(inbox.get(), timeout)
            if message.get("type") == CLOSED:
                inbox.put_nowait(message)  # for any later wait too
                raise ConnectionError("the call socket closed")  # the page reconnects (volunteer_crowd.py)
            if message.get("type") in kinds:
                return message
            if message.get("type") == "error":
                raise RuntimeError(f"call socket error: {message}")

    async def _paused(self) -> bool:
        r = await self.http.get(f"/api/campaigns/{self.campaign_id}")
        return r.status_code == 200 and r.json().get("status") != "active"

    async def _join_conference(self) -> bool:
        """A preview campaign with preview_conference: the browser joins the volunteer's own conference
        first, as the call page does on its first Call (True then)."""
        r = await self.http.get(f"/api/campaigns/{self.campaign_id}")
        campaign = r.json() if r.status_code == 200 else {}
        if campaign.get("mode") != "preview" or not campaign.get("preview_conference"):
            return False
        r = await self.http.post(f"/api/campaigns/{self.campaign_id}/conference-leg")
        if r.status_code != 201:
            log.info("could not join the conference: %s", r.text[:200])
        return r.status_code == 201

    async def _skip(self, batch_id: str, contact_id: str) -> bool:
        """A refused call's name skipped (back to the queue): the same list taken again would bring the
        same refusal at once, over and over (a name dialed twice in it without a result)."""
        r = await self.http.post(f"/api/batches/{batch_id}/skip", json={"contact_id": contact_id})
        return r.status_code == 200

    async def _place(self, contact_id: str) -> httpx.Response:
        """The page's Call: the browser's own call, or the voter called into the volunteer's conference."""
        if not self.conference:
            return await self.http.post(
                f"/api/campaigns/{self.campaign_id}/calls", json={"contact_id": contact_id}
            )
        path = f"/api/campaigns/{self.campaign_id}/phone-leg/calls"
        for _ in range(PLACE_TRIES):
            r = await self.http.post(path, json={"contact_id": contact_id})
            # The last voter's hang-up is reported by the carrier a moment after the result is saved.
            if r.status_code != 409 or r.json()["error"]["code"] != "already_on_call":
                break
            await asyncio.sleep(PLACE_RETRY_SECONDS)
        return r

    async def _call(self, ws: Any, inbox: asyncio.Queue[dict[str, Any]], contact_id: str) -> bool:
        """One contact called and its result recorded: True; the call refused: False."""
        await ws.send(json.dumps({"type": "start", "contact_id": contact_id}))
        step = await self._next(inbox, {"step", "done"}, 30)
        while step.get("contact_id") != contact_id:  # a call the socket resumed on connect: not this one
            step = await self._next(inbox, {"step", "done"}, 30)
        if step["type"] == "done":
            # A conversation had before a restart, its script at an end but not saved: the page offers Save,
            # not Call. Dialing again and saving the new line's outcome was refused (`bad_result`: the
            # script ended with another result), and the volunteer reconnected, over and over.
            await self._finish(ws, inbox, contact_id, {})
            self.report.calls += 1
            self.report.results[step["result"]] = self.report.results.get(step["result"], 0) + 1
            return True
        r = await self._place(contact_id)
        if r.status_code != 201:
            self.report.refused += 1
            log.info("call to %s refused: %s", contact_id, r.text[:200])
            return False
        call_sid = r.json()["call_sid"]
        outcome = await self._await_answer(inbox, contact_id, call_sid)
        if outcome == "in-progress":
            self.report.reached += 1
            done = await self._walk(ws, inbox, step)
            result = done["result"]
            finish: dict[str, Any] = {}
        else:
            result = outcome
            finish = {"result": result}
        await self._finish(ws, inbox, contact_id, finish)
        self.report.calls += 1
        self.report.results[result] = self.report.results.get(result, 0) + 1
        self.report.call_sids.append(call_sid)
        return True

    async def _finish(self, ws: Any, inbox: Inbox, contact_id: str, extra: dict[str, Any]) -> None:
        """The page's Save, until the socket answers `recorded`. Its key is random, not from the seed: a
        restarted demo's volunteer (same seed and batch) would resend its last run's keys, refused."""
        key = str(uuid.uuid4())
        message = {"type": "finish", "contact_id": contact_id, "notes": "", "idempotency_key": key, **extra}
        await ws.send(json.dumps(message))
        await self._next(inbox, {"recorded"}, 30)
        self.acknowledged(contact_id, key)

    def acknowledged(self, contact_id: str, key: str) -> None:
        """Each result the server acknowledged, with its idempotency key (bench/crowd_kill.py's ledgers)."""

    async def _await_answer(self, inbox: Inbox, contact_id: str, call_sid: str) -> str:
        """'in-progress' when a person answered `call_sid`, else the result code to record for the carrier's
        outcome. News of an earlier call (resumed on connect after a restart) is not this call's."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.call_timeout
        while True:
            try:
                message = await self._next(inbox, {"call_status"}, max(0.1, deadline - loop.time()))
            except TimeoutError:
                return "no_answer"
            sid = message.get("call_sid")
            if message.get("contact_id") != contact_id or (sid and sid != call_sid):
                continue
            if message.get("answered_by", "").startswith("machine"):
                return "voicemail"
            status = message.get("status")
            if status == "in-progress":
                return "in-progress"
            if status in FINAL_STATUSES:
                return str(message.get("suggested_result") or "no_answer")

    async def _walk(self, ws: Any, inbox: Inbox, message: dict[str, Any]) -> dict[str, Any]:
        for _ in range(200):  # a bound: no script needs more steps than this in one call
            if message["type"] == "done":
                return message
            step = message["step"]
            await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))
            answer = answer_for(step, self.rng)
            await ws.send(json.dumps(answer))
            message = await self._next(inbox, {"step", "done"}, 30)
        raise RuntimeError("the script did not end within 200 steps")
