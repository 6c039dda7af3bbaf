"""The ledgers of bench/crowd_kill.py: a simulated volunteer that writes down every contact it was handed
(when, in which batch, until when) and every result the server acknowledged (with its idempotency key),
and the checks of those ledgers against Redis and the results export once the run is over."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from dialer.volunteer_sim import SimulatedVolunteer


@dataclass
class Hand:
    """A contact in one volunteer's hands: from `start` until `end` (None: still held when the run ended)."""

    volunteer: int
    contact: str
    batch: str  # "" for a voter the dialer bridged (power, predictive)
    start: float
    expires: float = float("inf")
    end: float | None = None
    why: str = ""


class LedgerVolunteer(SimulatedVolunteer):
    def __init__(self, index: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.index = index
        self.hands: list[Hand] = []
        self.held: dict[tuple[str, str], Hand] = {}  # (batch, contact) -> its hand, while held
        self.seen: set[tuple[str, str]] = set()
        self.acks: list[tuple[str, str, float]] = []  # (contact, idempotency key, when)
        self.http.event_hooks["response"] = [self._saw]

    def _hand(self, batch: str, contact: str, expires: float = float("inf")) -> None:
        if (batch, contact) in self.seen and batch:
            return  # the same open batch answered again (200): the same hand
        self.seen.add((batch, contact))
        hand = Hand(self.index, contact, batch, time.time(), expires)
        self.hands.append(hand)
        self.held[(batch, contact)] = hand

    def _let_go(self, why: str, contact: str | None = None, batch: str | None = None) -> None:
        now = time.time()
        for (b, c), hand in list(self.held.items()):
            if (contact is None or c == contact) and (batch is None or b == batch):
                hand.end, hand.why = now, why
                del self.held[(b, c)]

    async def _saw(self, response: httpx.Response) -> None:
        request = response.request
        if request.method != "POST" or response.status_code not in (200, 201):
            return
        path = request.url.path
        if path.endswith(f"/campaigns/{self.campaign_id}/batches"):
            await response.aread()
            batch = response.json()
            expires = datetime.fromisoformat(batch["expires_at"].replace("Z", "+00:00")).timestamp()
            for contact in batch["contacts"]:
                self._hand(batch["id"], contact["id"], expires)
        elif path.endswith("/release"):
            self._let_go("released", batch=path.split("/")[-2])
        elif path.endswith("/skip"):
            self._let_go(
                "skipped", contact=json.loads(request.content)["contact_id"], batch=path.split("/")[-2]
            )

    async def _next(
        self, inbox: asyncio.Queue[dict[str, Any]], kinds: set[str], timeout: float
    ) -> dict[str, Any]:
        message = await super()._next(inbox, kinds, timeout)
        if message.get("type") == "bridged":
            self._hand("", str(message["contact_id"]))
        return message

    def acknowledged(self, contact_id: str, key: str) -> None:
        self.acks.append((contact_id, key, time.time()))
        self._let_go("recorded", contact=contact_id)


def stream_time(entry_id: str) -> float:
    return int(entry_id.split("-")[0]) / 1000


def check(
    volunteers: list[LedgerVolunteer],
    stream: list[tuple[str, dict[str, str]]],
    export_csv: str,
    counters: dict[str, str],
    lease_of: dict[str, str],
    leases: dict[str, float],
    now: float,
) -> dict[str, Any]:
    """The run's promises, checked: every acknowledged result in the stream exactly once, and in the export;
    no contact in two volunteers' hands at once; nothing leased by a batch that is not open; the counters
    equal to what the stream says. Each list of violations gives the first few, with the count."""
    by_key = Counter(fields.get("idempotency_key", "") for _, fields in stream)
    acked = [(v.index, c, k) for v in volunteers for c, k, _ in v.acks]
    missing = [a for a in acked if by_key[a[2]] == 0]
    twice = [a for a in acked if by_key[a[2]] > 1]
    export_rows = list(csv.DictReader(io.StringIO(export_csv)))
    # When the server recorded a result for a contact (acknowledged or not: a crash can eat the answer),
    # that contact left the batch then.
    recorded_at: dict[tuple[str, str], list[float]] = defaultdict(list)
    for entry_id, fields in stream:
        recorded_at[(fields.get("batch", ""), fields["contact_id"])].append(stream_time(entry_id))
        recorded_at[("", fields["contact_id"])].append(stream_time(entry_id))
    intervals: dict[str, list[tuple[float, float, int, str]]] = defaultdict(list)
    for v in volunteers:
        for h in v.hands:
            ends = [h.end if h.end is not None else now, h.expires]
            ends += [t for t in recorded_at[(h.batch, h.contact)] if t >= h.start - 0.001]
            intervals[h.contact].append((h.start, min(ends), h.volunteer, h.batch))
    overlaps = []
    for contact, spans in intervals.items():
        spans.sort()
        for i, (s1, e1, v1, b1) in enumerate(spans):
            for s2, e2, v2, b2 in spans[i + 1 :]:
                if v1 != v2 and s2 < e1:
                    overlaps.append({"contact": contact, "first": [v1, b1, s1, e1], "then": [v2, b2, s2, e2]})
    held_by = Counter(v for v in lease_of.values() if v not in ("pending", "done"))
    orphaned = {b: n for b, n in held_by.items() if b not in leases}
    expired_but_held = {b: n for b, n in held_by.items() if b in leases and leases[b] <= now}
    results = Counter(fields["result"] for _, fields in stream)
    counter_mismatch = {}
    for name, want in {"calls": len(stream), **{f"result:{r}": n for r, n in results.items()}}.items():
        if int(counters.get(name, 0)) != want:
            counter_mismatch[name] = {"counter": int(counters.get(name, 0)), "stream": want}
    for name, want in {
        "leased": sum(held_by.values()),
        "pending": sum(1 for v in lease_of.values() if v == "pending"),
        "completed": sum(1 for v in lease_of.values() if v == "done"),
    }.items():
        if int(counters.get(name, 0)) != want:
            counter_mismatch[name] = {"counter": int(counters.get(name, 0)), "lease_of": want}
    return {
        "acknowledged": len(acked),
        "stream_entries": len(stream),
        "export_rows": len(export_rows),
        "violations": {
            "acknowledged_missing": {"count": len(missing), "first": missing[:5]},
            "acknowledged_twice": {"count": len(twice), "first": twice[:5]},
            "stream_keys_repeated": sum(1 for k, n in by_key.items() if n > 1 and k),
            "export_rows_not_stream": len(export_rows) - len(stream),
            "held_by_two_at_once": {"count": len(overlaps), "first": overlaps[:5]},
            "leased_by_no_open_batch": {"count": sum(orphaned.values()), "batches": list(orphaned)[:5]},
            "leased_past_lease": {"count": sum(expired_but_held.values())},
            "counters_differ": counter_mismatch,
        },
        "leased_after_stop": sum(held_by.values()),
        "held_in_ledgers_after_stop": sum(len(v.held) for v in volunteers),
    }


def recovery_seconds(
    times: list[float], killed_at: float, rate_before: float, until: float, window: float = 5.0
) -> float | None:
    """Seconds from a kill until the end of the first `window` (sliding by 1 s) whose rate of acknowledged
    results is back to 80% of the rate before; None if it never is before `until`."""
    times = sorted(times)
    start = killed_at
    while start + window <= until:
        n = sum(1 for t in times if start <= t < start + window)
        if rate_before and n / window >= 0.8 * rate_before:
            return round(start + window - killed_at, 1)
        start += 1.0
    return None
