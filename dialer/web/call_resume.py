"""What a call page that (re)connects hears of the voter it was working, after its step (web/ws_call.py),
and where the volunteer stands on the roster as it connects.

Power and predictive: the voter the dialer connected to the volunteer, `talking` (a reload mid-call) or
`bridged` (connected while no page was open). A preview call still open when the page comes back drawn for
power or predictive (the organizers switched the mode in the moment of a reload) comes as `talking` too: a
page of those modes has no list to find its voter on, and showed an empty card while the call, not saved
yet, waited. The other way round, a power call open on a page now drawn for preview comes as `talking`, so
that page knows the dialer's line to the voter is up.

A `finish` sent again after its result was recorded (its `recorded` lost with the socket) hears `recorded`.
"""

from __future__ import annotations

from typing import Any, cast

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.dialing.agents import AgentState, agent
from dialer.dialing.take import idle_from_status
from dialer.models import Mode
from dialer.queue import keys
from dialer.queue.coach_sessions import notice_on_connect
from dialer.roster import VolunteerState
from dialer.session import CallSession, Reply
from dialer.web.call_end import latest_call
from dialer.web.call_recording import still_talking
from dialer.web.deps import Deps


async def voter_on_reload(
    d: Deps, campaign: Campaign, volunteer: str, session: CallSession
) -> tuple[str, dict[str, Any]] | None:
    """("bridged", progress) for the socket to take as a new bridge, ("talking", message) to send, or
    None when the page has no voter to be told of."""
    talking = await agent(d.redis, campaign.id, volunteer)
    if campaign.mode is Mode.PREVIEW:
        # The list has the voter (the dialer's are in the volunteer's batch too), not whether the dialer's
        # line to them is up: a power call open when the mode changed to preview says so.
        if (
            talking is None
            or talking.state is not AgentState.TALKING
            or talking.contact_id != session.contact_id
        ):
            return None
        return "talking", await still_talking(d.redis, campaign, talking, session.contacts)
    if talking and talking.state is AgentState.TALKING:
        if talking.contact_id not in (session.contact_id, *session.completed):
            return "bridged", {"contact_id": talking.contact_id, "call_sid": talking.call_sid}
        # a reload mid-call: besides the step, the voter's line and whether it records
        return "talking", await still_talking(d.redis, campaign, talking, session.contacts)
    contact_id = session.contact_id
    if contact_id is None or (talking and talking.contact_id == contact_id):
        return None  # nothing open, or the dialer's own call after the voter left (wrap-up): as before
    sid = await latest_call(d, campaign.id, volunteer, contact_id) or ""
    return "talking", {"type": "talking", "contact_id": contact_id, "call_sid": sid,
                       "contact": session.contacts.get(contact_id), "recording": False}  # fmt: skip


async def notices_on_connect(
    redis: aioredis.Redis, campaign: Campaign, volunteer: str
) -> list[dict[str, Any]]:
    """Sent on connect after `campaign`: a coach on the volunteer's line, and (power, predictive) why the
    dialer calls nobody now, from the pacer's dial status, as its `dialer` news says it when it changes."""
    out: list[dict[str, Any]] = []
    if coached := await notice_on_connect(redis, campaign.id, volunteer):
        out.append(coached)
    if campaign.mode is not Mode.PREVIEW:
        idle = idle_from_status(cast(dict[str, str], await redis.hgetall(keys.dial_status(campaign.id))))
        if idle is not None:
            out.append(idle.message())
    return out


async def finished_before(
    redis: aioredis.Redis, campaign_id: str, session: CallSession, message: Any
) -> Reply:
    """`recorded` again for a `finish` whose result is already recorded: its `recorded` was lost (a dropped
    socket, a client's timeout) and the client sends it again, on this socket or a new one. API.md has
    `finish` record "as the HTTP results call", where a repeated idempotency key gives `duplicate: true`;
    the session, its call over, answered `no_call`, which reads as a lost result. No message when the key
    recorded nothing for this contact in the volunteer's batch (or the call is still going): the session
    answers."""
    if not isinstance(message, dict) or message.get("type") != "finish" or not session.batch:
        return Reply()
    contact_id, key = message.get("contact_id"), message.get("idempotency_key")
    if not isinstance(contact_id, str) or not isinstance(key, str):
        return Reply()
    if session.contact_id == contact_id and session.walk is not None:
        return Reply()  # the call is in progress: this finish records it
    entry = cast(str | None, await redis.hget(keys.idempotency(campaign_id), f"{session.batch}|{key}"))
    if not entry:
        return Reply()
    found = await redis.xrange(keys.results(campaign_id), entry, entry)
    fields = found[0][1] if found else None
    if not fields or fields.get("contact_id") != contact_id:
        return Reply()
    return Reply(({"type": "recorded", "contact_id": contact_id},))


async def initial_state(d: Deps, campaign: Campaign, volunteer: str) -> VolunteerState:
    """Where a (re)connecting volunteer stands: in power and predictive modes, what the dialer knows."""
    if not campaign.mode.server_dials:
        return VolunteerState.WAITING
    found = await agent(d.redis, campaign.id, volunteer)
    if found is None or found.state is AgentState.AWAY:
        return VolunteerState.AWAY
    return {AgentState.TALKING: VolunteerState.TALKING, AgentState.WRAP_UP: VolunteerState.WRAP_UP}.get(
        found.state, VolunteerState.WAITING
    )
