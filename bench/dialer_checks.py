"""The server-dialed lines of a power or predictive crowd run (bench/crowd_kill.py), checked once the run is
over: read from Redis by `read_lines`, judged by `check_lines` (pure: data in, violations out).

What it checks, each line being one `{c}:dial:line:<sid>` with its attempt record:
- no voter on two lines at once (a line lasts from its dial to its attempt's end; a line whose end never
  reached us, given up for lost, is counted apart: its call died with the simulated carrier);
- every line settled: none still in flight or waiting for a volunteer, no contact left in the server's
  batch, nobody left in the dialing pool;
- no result doubled: at most one result in the stream per line;
- the dialer's counters (dials, abandoned, live answers, bridged) equal what the lines, attempts and
  stream say, and the abandonment rate under the campaign's cap;
- no line to a phone outside its calling hours, on the do-not-call list since before the dial, or to a
  cell phone (the crowd campaign has no consent for cells).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.calling_hours import Window, is_open
from dialer.dialing.bridge import ABANDONED_NOTE
from dialer.queue import keys, keys_lease


@dataclass(frozen=True)
class Line:
    sid: str
    contact: str
    phone: str
    dialed_at: float
    state: str
    ended_at: float | None  # the attempt's end (its final callback, or the carrier's answer when asked)
    bridged_to: str
    abandoned: bool
    answered_by: str
    tz: str
    phone_type: str


async def read_lines(redis: aioredis.Redis, campaign_id: str) -> dict[str, Any]:
    """Everything `check_lines` needs, read after the run."""
    tag = keys.tag(campaign_id)
    sids = [str(k).rsplit(":", 1)[1] async for k in redis.scan_iter(match=f"{tag}:dial:line:*", count=1000)]
    lines = []
    for sid in sids:
        line = cast(dict[str, str], await redis.hgetall(keys.dial_line(campaign_id, sid)))
        attempt = cast(dict[str, str], await redis.hgetall(keys.attempt(campaign_id, sid)))
        contact = line.get("contact_id", "")
        tz, phone_type = await redis.hmget(keys.contact(campaign_id, contact), ["tz", "phone_type"])
        ended = attempt.get("ended_at")
        lines.append(
            Line(
                sid=sid,
                contact=contact,
                phone=line.get("phone", ""),
                dialed_at=float(line.get("dialed_at") or 0),
                state=line.get("state", ""),
                ended_at=float(ended) if ended else None,
                bridged_to=line.get("volunteer", ""),
                abandoned="abandoned_at" in line,
                answered_by=attempt.get("answered_by", ""),
                tz=str(tz or ""),
                phone_type=str(phone_type or ""),
            )
        )
    holder = await redis.get(keys.holder(campaign_id, keys.AUTO))
    lease_of = cast(dict[str, str], await redis.hgetall(keys_lease.lease_of(campaign_id)))
    return {
        "lines": lines,
        "in_flight": await redis.zcard(keys.dial_lines(campaign_id)),
        "waiting": await redis.zcard(keys.dial_waiting(campaign_id)),
        "pool": await redis.zcard(keys.dial_pool(campaign_id)),
        "in_server_batch": sum(1 for b in lease_of.values() if holder and b == str(holder)),
        "counters": cast(dict[str, str], await redis.hgetall(keys.dial_counters(campaign_id))),
    }


def person(answered_by: str) -> bool:
    """AnsweredBy says a person (human, or unknown: the dialer treats both as a person)."""
    return bool(answered_by) and not answered_by.startswith("machine") and answered_by != "fax"


def check_lines(
    seen: dict[str, Any],
    stream: list[tuple[str, dict[str, str]]],
    window: Window,
    dnc_since: dict[str, float],
    cap: float,
) -> dict[str, Any]:
    """The promises above, checked. `dnc_since`: phone -> when the run put it on the do-not-call list."""
    lines: list[Line] = seen["lines"]
    by_contact: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        by_contact[line.contact].append(line)
    unended = [line.sid for line in lines if line.ended_at is None and line.state != "ended"]
    twice = []
    for contact, ls in by_contact.items():
        spans = sorted((ln.dialed_at, ln.ended_at or 0.0, ln.sid) for ln in ls if ln.ended_at is not None)
        last_end, last_sid = float("-inf"), ""
        for start, end, sid in spans:
            if start < last_end:
                twice.append(
                    {"contact": contact, "lines": [last_sid, sid], "overlap_s": round(last_end - start, 3)}
                )
            if end > last_end:
                last_end, last_sid = end, sid
    results_of = Counter(f.get("call_sid", "") for _, f in stream)
    doubled = [sid for sid in (ln.sid for ln in lines) if results_of[sid] > 1]
    no_result = [ln.sid for ln in lines if results_of[ln.sid] == 0 and ln.ended_at is not None]
    abandoned_sids = {f.get("call_sid", "") for _, f in stream if f.get("notes") == ABANDONED_NOTE}
    abandoned_stream = len(abandoned_sids)
    counters = {k: int(float(v)) for k, v in seen["counters"].items() if k != "wait_total"}
    abandoned = counters.get("abandoned", 0)
    live = counters.get("live_answers", 0)
    counted = {
        "dials": (counters.get("dials", 0), len(lines)),
        "abandoned": (abandoned, abandoned_stream),
        "bridged": (counters.get("bridged", 0), sum(1 for ln in lines if ln.bridged_to)),
        "live_answers": (live, sum(1 for ln in lines if person(ln.answered_by))),
        "bridged_or_abandoned": (
            live,
            sum(1 for ln in lines if ln.bridged_to or ln.sid in abandoned_sids),
        ),
    }
    differ = {k: {"counter": c, "lines": n} for k, (c, n) in counted.items() if c != n}
    outside_hours = [ln.sid for ln in lines if ln.tz and not is_open(ln.tz, window, ln.dialed_at)]
    on_dnc = [ln.sid for ln in lines if ln.phone in dnc_since and ln.dialed_at > dnc_since[ln.phone]]
    cells = [ln.sid for ln in lines if ln.phone_type == "cell"]
    return {
        "lines": len(lines),
        "lines_given_up": len(unended),
        "abandon_rate": round(abandoned / live, 4) if live else 0.0,
        "violations": {
            "dialed_twice_at_once": {"count": len(twice), "first": twice[:5]},
            "results_per_line_over_one": {"count": len(doubled), "first": doubled[:5]},
            "ended_lines_without_result": {"count": len(no_result), "first": no_result[:5]},
            "lines_in_flight_after_stop": seen["in_flight"],
            "voters_waiting_after_stop": seen["waiting"],
            "contacts_in_server_batch_after_stop": seen["in_server_batch"],
            "volunteers_in_pool_after_stop": seen["pool"],
            "dial_counters_differ": differ,
            "abandon_rate_over_cap": bool(live and abandoned / live > cap),
            "dialed_outside_calling_hours": {"count": len(outside_hours), "first": outside_hours[:5]},
            "dialed_on_dnc": {"count": len(on_dnc), "first": on_dnc[:5]},
            "cells_dialed_without_consent": {"count": len(cells), "first": cells[:5]},
        },
    }
