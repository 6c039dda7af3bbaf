"""Simulated volunteers: API clients that call through a campaign exactly as a person at the call page does.

Each one signs in with a token, takes a batch over HTTP, opens the call socket, asks the (simulated)
carrier to dial each contact (or, in a preview campaign with `preview_conference`, joins its conference and
has the server call each voter into it), waits for the carrier's progress, walks the script when a voter
answers (choosing answers at random under a seed) or records the carrier's outcome when nobody does, and
finishes with an idempotency key. The demo runs several; the end-to-end tests run one. Nothing here reaches
into Redis: only the public HTTP and WebSocket interface is used.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

log = logging.getLogger("dialer.volunteers")

FINAL_STATUSES = {"completed", "busy", "no-answer", "failed", "canceled"}
FIRST_CHOICE_SHARE = 0.7
TEXT_ANSWERS = ("in the morning", "after work", "by mail", "not sure yet")
PLACE_TRIES = 50  # Call refused as "already on a call" while the last voter's end is on its way
PLACE_RETRY_SECONDS = 0.1


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.campaign_id = campaign_id
        self.rng = random.Random(seed)
        self.think = think_seconds
        self.call_timeout = call_timeout
        self.report = VolunteerReport()
        self.conference = False  # preview_conference: the voter is called into the volunteer's conference
        self.records: bool | None = None  # power/predictive: does the campaign record (known at the 1st call)
        self.http = httpx.AsyncClient(
            base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def run(self, max_calls: int | None = None, stop: asyncio.Event | None = None) -> VolunteerReport:
        """Call until `max_calls` results are recorded, `stop` is set, or the list is exhausted."""
        ws_url = self.base_url.replace("http", "ws", 1) + f"/ws/call/{self.campaign_id}?token={self.token}"
        async with websockets.connect(ws_url, max_size=2**20) as ws:
            inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
            reader = asyncio.create_task(self._read(ws, inbox))
            try:
                self.conference = await self._join_conference()
                while max_calls is None or self.report.calls < max_calls:
                    if stop is not None and stop.is_set():
                        break
                    batch = await self._take_batch(stop)
                    if batch is None:
                        break
                    for contact in batch["contacts"]:
                        if (max_calls is not None and self.report.calls >= max_calls) or (
                            stop and stop.is_set()
                        ):
                            break
                        if not await self._call(ws, inbox, contact["id"]) and await self._paused():
                            # As a person would: hand the list back and wait for the campaign to resume
                            # (_take_batch waits), rather than run down the list with every call refused.
                            await self.http.post(f"/api/batches/{batch['id']}/release")
                            break
            finally:
                reader.cancel()
        return self.report

    async def run_dialer(
        self, max_calls: int | None = None, stop: asyncio.Event | None = None, heartbeat: float = 20.0
    ) -> VolunteerReport:
        """Power and predictive modes: say ready, wait for the server to bridge a voter, walk the script,
        finish, and say ready again, until `max_calls` results are recorded or `stop` is set."""
        ws_url = self.base_url.replace("http", "ws", 1) + f"/ws/call/{self.campaign_id}?token={self.token}"
        async with websockets.connect(ws_url, max_size=2**20) as ws:
            inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
            reader = asyncio.create_task(self._read(ws, inbox))
            try:
                await self._say_ready(True)
                while (max_calls is None or self.report.calls < max_calls) and not (stop and stop.is_set()):
                    try:
                        bridged = await self._next(inbox, {"bridged"}, heartbeat)
                    except TimeoutError:
                        await self._say_ready(True)  # the sign of life that keeps us in the pool
                        continue
                    self.report.reached += 1
                    await self._start_recording(str(bridged.get("call_sid") or ""))
                    done = await self._walk(ws, inbox, await self._next(inbox, {"step", "done"}, 30))
                    contact_id = str(bridged["contact_id"])
                    key = str(uuid.UUID(int=self.rng.getrandbits(128)))
                    await ws.send(
                        json.dumps(
                            {"type": "finish", "contact_id": contact_id, "notes": "", "idempotency_key": key}
                        )
                    )
                    await self._next(inbox, {"recorded"}, 30)
                    self.report.calls += 1
                    self.report.results[done["result"]] = self.report.results.get(done["result"], 0) + 1
                    self.report.call_sids.append(str(bridged.get("call_sid") or ""))
                    if max_calls is None or self.report.calls < max_calls:
                        await self._say_ready(True)
            finally:
                reader.cancel()
                try:
                    await self._say_ready(False)
                except httpx.HTTPError:
                    pass
        return self.report

    async def _start_recording(self, call_sid: str) -> None:
        """A recording campaign: the volunteer reads the notice, then presses "I read it: start recording"
        (the socket's `recording` message says whether it started)."""
        if self.records is False or not call_sid:
            return
        r = await self.http.post(f"/api/campaigns/{self.campaign_id}/calls/{call_sid}/recording")
        self.records = r.status_code != 409 or r.json().get("error", {}).get("code") != "not_recorded"

    async def _say_ready(self, ready: bool) -> None:
        r = await self.http.post(f"/api/campaigns/{self.campaign_id}/ready", json={"ready": ready})
        if r.status_code != 200:
            raise RuntimeError(f"ready answered {r.status_code}: {r.text[:200]}")

    async def _read(self, ws: Any, inbox: asyncio.Queue[dict[str, Any]]) -> None:
        async for frame in ws:
            message = json.loads(frame)
            if message.get("type") == "recording":
                self.report.recordings += message.get("status") == "started"
                continue
            await inbox.put(message)

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
        r = await self._place(contact_id)
        if r.status_code != 201:
            self.report.refused += 1
            log.info("call to %s refused: %s", contact_id, r.text[:200])
            return False
        call_sid = r.json()["call_sid"]
        outcome = await self._await_answer(inbox, contact_id)
        if outcome == "in-progress":
            self.report.reached += 1
            done = await self._walk(ws, inbox, step)
            result = done["result"]
            finish: dict[str, Any] = {}
        else:
            result = outcome
            finish = {"result": result}
        await ws.send(
            json.dumps(
                {
                    "type": "finish",
                    "contact_id": contact_id,
                    "notes": "",
                    "idempotency_key": str(uuid.UUID(int=self.rng.getrandbits(128))),
                    **finish,
                }
            )
        )
        await self._next(inbox, {"recorded"}, 30)
        self.report.calls += 1
        self.report.results[result] = self.report.results.get(result, 0) + 1
        self.report.call_sids.append(call_sid)
        return True

    async def _await_answer(self, inbox: asyncio.Queue[dict[str, Any]], contact_id: str) -> str:
        """'in-progress' when a person answered, else the result code to record for the carrier's outcome."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.call_timeout
        while True:
            try:
                message = await self._next(inbox, {"call_status"}, max(0.1, deadline - loop.time()))
            except TimeoutError:
                return "no_answer"
            if message.get("contact_id") != contact_id:
                continue
            if message.get("answered_by", "").startswith("machine"):
                return "voicemail"
            status = message.get("status")
            if status == "in-progress":
                return "in-progress"
            if status in FINAL_STATUSES:
                return str(message.get("suggested_result") or "no_answer")

    async def _walk(
        self, ws: Any, inbox: asyncio.Queue[dict[str, Any]], message: dict[str, Any]
    ) -> dict[str, Any]:
        for _ in range(200):  # a bound: no script needs more steps than this in one call
            if message["type"] == "done":
                return message
            step = message["step"]
            await asyncio.sleep(self.think * self.rng.uniform(0.5, 1.5))
            answer: dict[str, Any] = {"type": "answer", "step": step["id"]}
            if step["choices"]:
                # Scripts list the likely answer first ("Speaking", "Yes"): people mostly give it.
                first = self.rng.random() < FIRST_CHOICE_SHARE
                answer["choice"] = step["choices"][0 if first else self.rng.randrange(len(step["choices"]))][
                    "index"
                ]
            elif step["input"] == "number":
                low = int(step.get("min", 0))
                answer["value"] = self.rng.randint(low, int(step.get("max", low + 5)))
            elif step["input"] == "text":
                answer["value"] = self.rng.choice(TEXT_ANSWERS)
            await ws.send(json.dumps(answer))
            message = await self._next(inbox, {"step", "done"}, 30)
        raise RuntimeError("the script did not end within 200 steps")


async def run_volunteers(
    base_url: str,
    tokens: list[str],
    campaign_id: str,
    *,
    seed: int = 1,
    think_seconds: float = 1.0,
    mode: str = "preview",
) -> list[VolunteerReport]:
    """Run one simulated volunteer per token until the list is exhausted or the process is stopped."""

    async def one(index: int, token: str) -> VolunteerReport:
        await asyncio.sleep(index * 0.7)  # volunteers arrive one by one, as at a real phone bank
        volunteer = SimulatedVolunteer(
            base_url, token, campaign_id, seed=seed * 1000 + index, think_seconds=think_seconds
        )
        try:
            while True:
                try:
                    if mode in ("power", "predictive"):
                        return await volunteer.run_dialer()
                    return await volunteer.run()
                except (OSError, websockets.ConnectionClosed, httpx.HTTPError, RuntimeError) as exc:
                    # The server restarted or dropped us: come back, as a person would reload the page.
                    log.warning("volunteer %d reconnects after: %s", index, exc)
                    await asyncio.sleep(2)
        finally:
            await volunteer.aclose()

    return await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os

    parser = argparse.ArgumentParser(
        prog="python -m dialer.volunteer_sim", description="simulated volunteers"
    )
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--campaign", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a volunteer takes per script step")
    parser.add_argument("--mode", choices=("preview", "power", "predictive"), default="preview")
    args = parser.parse_args(argv)
    # Tokens come through the environment, not the command line, so they do not show in `ps`.
    tokens = [t for t in os.environ.get("DIALER_VOLUNTEER_TOKENS", "").split(",") if t]
    if not tokens:
        parser.error("set DIALER_VOLUNTEER_TOKENS to a comma-separated list of bearer tokens")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s volunteers: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        reports = asyncio.run(
            run_volunteers(
                args.base_url, tokens, args.campaign, seed=args.seed, think_seconds=args.think, mode=args.mode
            )
        )
    except KeyboardInterrupt:  # Ctrl-C on `make demo` reaches the whole process group: stop quietly
        return 130
    total = sum(r.calls for r in reports)
    log.info("simulated volunteers are done: %d calls recorded", total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
