"""`/ws/call/{campaign_id}`: pumps the volunteer's sans-I/O call session (dialer/session.py).

This layer only moves bytes: it authenticates, loads the volunteer's batch and script, feeds frames and
carrier progress to the session, sends what it returns, records results when the session decides to, and
keeps its small state in Redis so a reconnect resumes at the same step. Malformed frames get an `error`.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast

import anyio
import redis.exceptions
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from dialer.calling_hours import local_day
from dialer.calling_methods import CallingMethod
from dialer.campaigns import Campaign
from dialer.models import Role
from dialer.notices import RELAYED, page_notice
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.queue.errors import QueueError
from dialer.queue.lease import BatchContact, LeaseQueue
from dialer.queue.results import ResultInput, RetryPolicy, record_result
from dialer.roster import VolunteerState, state_for_status
from dialer.session import CallSession, RecordResult, Reply
from dialer.stores.accounts import User
from dialer.stores.campaigns import CampaignStore
from dialer.stores.teams import TeamStore
from dialer.survey import countable
from dialer.telephony.base import AnsweredBy, CallStatus, suggested_result
from dialer.web.api_batches import queue_error
from dialer.web.api_campaigns import visible_to
from dialer.web.auth import require_user
from dialer.web.call_back import call_back_refusal
from dialer.web.call_end import end_call_after_result, latest_call
from dialer.web.call_recording import recording_started
from dialer.web.call_resume import finished_before, initial_state, notices_on_connect, voter_on_reload
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError, socket_gone, until_socket_gone
from dialer.web.own_phone import methods_for, refused_start
from dialer.web.scripts_source import latest_for_new_call, script_of_state
from dialer.web.security import check_origin
from dialer.web.sockets import ends_when_disabled
from dialer.web.ws_presence import RosterPresence

log = logging.getLogger("dialer.ws.call")

MAX_FRAME = 64 * 1024
SESSION_TTL = 24 * 3600


async def batch_contacts(d: Deps, campaign_id: str, volunteer: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """The volunteer's open batch id and its contacts, as the session wants them (id -> contact object)."""
    batch_id = await LeaseQueue(d.redis).open_batch(campaign_id, volunteer, d.clock())
    if batch_id is None:
        return "", {}
    ids = cast(set[str], await d.redis.smembers(keys.batch_contacts(campaign_id, batch_id)))
    if not ids:
        return batch_id, {}
    async with d.redis.pipeline(transaction=False) as pipe:
        for cid in sorted(ids):
            pipe.hgetall(keys.contact(campaign_id, cid))
        rows = await pipe.execute()
    contacts = [BatchContact.from_hash(row) for row in rows if row]
    return batch_id, {c.id: c.to_json() for c in contacts}


class CallSocket:
    """One connected call socket: the session, and where its state is kept."""

    session: CallSession  # set by restore(), before any frame is handled

    def __init__(self, ws: WebSocket, d: Deps, user: User, campaign: Campaign) -> None:
        self.ws, self.d, self.user, self.campaign = ws, d, user, campaign
        self.state_key = keys.call_session(campaign.id, user.id)
        self.send_lock = anyio.Lock()
        self.presence = RosterPresence(d, campaign, user)

    async def restore(self) -> bool:
        """Rebuild the session (a call in progress keeps its script and version); False if none loads."""
        raw = await self.d.redis.get(self.state_key)
        try:
            state = json.loads(raw) if raw else None
        except ValueError:
            state = None
        loaded = await script_of_state(self.d.redis, self.campaign, state)
        if loaded is None:
            return False
        batch, contacts = await batch_contacts(self.d, self.campaign.id, self.user.id)
        self.session = CallSession.from_state(
            loaded[0],
            loaded[1],
            contacts,
            state,
            requires_connection=self.d.carrier is not None,
            own_phone=CallingMethod.OWN_PHONE in methods_for(self.d, self.campaign),
            batch=batch,
        )
        caught_up = await self.catch_up()
        await self.send(self.session.resume())
        for progress in caught_up:
            await self.on_progress(progress)  # the page learns whether the voter is on the line
        return True

    async def catch_up(self) -> list[dict[str, Any]]:
        """The current call's status as the carrier last reported it: the voter may have answered (or hung
        up) while this page was away, and its answers open or close with that. Returns it as progress; a
        call that was answered and has ended comes as its answer, then its end, as the page saw them live
        (a page reloaded after the voter hung up took the end alone for a call nobody answered)."""
        contact_id = self.session.contact_id
        if contact_id is None:
            return []
        sid = await latest_call(self.d, self.campaign.id, self.user.id, contact_id)
        attempt = await AttemptStore(self.d.redis).get(self.campaign.id, sid) if sid else None
        if not (sid and attempt and attempt.get("status")):
            return []
        seen = [attempt["status"]]
        if attempt.get("answered_at") and seen[0] != CallStatus.IN_PROGRESS:
            seen.insert(0, CallStatus.IN_PROGRESS.value)
        for status in seen:
            self.session.call_status(contact_id, status, sid)
        who = attempt.get("answered_by", "")
        return [{"contact_id": contact_id, "status": s, "call_sid": sid, "answered_by": who} for s in seen]

    async def save(self) -> None:
        await self.d.redis.set(self.state_key, json.dumps(self.session.to_state()), ex=SESSION_TTL)

    async def send(self, reply: Reply) -> None:
        async with self.send_lock:
            for message in reply.messages:
                await self.ws.send_json(message)

    async def on_text(self, text: str) -> None:
        if len(text) > MAX_FRAME:
            await self.send(self.session.malformed(f"a message must be at most {MAX_FRAME} bytes"))
            return
        try:
            message = json.loads(text)
        except (ValueError, RecursionError):
            await self.send(self.session.malformed())
            return
        if isinstance(message, dict) and message.get("type") == "ping":  # the page's heartbeat (socket.js)
            await self.send(Reply(({"type": "pong"},)))
            return
        if isinstance(message, dict) and message.get("type") == "resume":  # the page's list is in now
            # The socket may have restored before the page's new list held its voter: that call was not
            # resumed, and is now, with the list (a session with a call has resumed it already).
            if self.session.contact_id is None:
                await self.restore()
            return
        if isinstance(message, dict) and message.get("type") == "start":
            # The page may have taken (or renewed) its batch after this socket connected: a contact of a new
            # batch may be a retry of one this session completed in an earlier batch.
            open_batch = await LeaseQueue(self.d.redis).open_batch(
                self.campaign.id, self.user.id, self.d.clock()
            )
            if (
                open_batch != (self.session.batch or None)
                or str(message.get("contact_id")) not in self.session.contacts  # str: JSON may send a list
            ):
                batch, contacts = await batch_contacts(self.d, self.campaign.id, self.user.id)
                self.session.set_contacts(contacts, batch)
            refused = await refused_start(self.d, self.campaign, self.user.id, self.session, message)
            if refused is not None:
                await self.send(Reply((refused,)))
                return
            await latest_for_new_call(self.d.redis, self.campaign, self.session, message.get("contact_id"))
        if (again := await finished_before(self.d.redis, self.campaign.id, self.session, message)).messages:
            return await self.send(again)  # a repeated finish, its result recorded already
        reply = self.session.receive(message)
        # Saved before it is shown: a page that reloads right after seeing a step resumes at that step.
        await self.save()
        await self.send(reply)
        if reply.presence is not None:
            await self.presence.apply(reply.presence)
        if reply.record is not None:
            outcome = await self.record(reply.record)
            await self.save()
            await self.send(outcome)
            if reply.record.contact_id in self.session.completed:
                # Saved: the conversation is over, so is the call (if the voter's leg is still up).
                await self.presence.moved(VolunteerState.WAITING)
                await end_call_after_result(self.d, self.campaign.id, self.user.id, reply.record.contact_id)

    async def record(self, decision: RecordResult) -> Reply:
        d, campaign = self.d, self.campaign
        batch_id = await LeaseQueue(d.redis).batch_of(campaign.id, decision.contact_id)
        if not batch_id:
            return self.session.record_failed("not_in_batch", "this contact is not in a batch of yours")
        if decision.call_back_at is not None:
            contact = await LeaseQueue(d.redis).contact(campaign.id, decision.contact_id)
            zone = contact.timezone if contact else ""
            refused = call_back_refusal(campaign, zone, decision.call_back_at, d.clock())
            if refused is not None:
                return self.session.record_failed(refused.code, refused.message)
        call_sid = cast(
            str | None,
            await d.redis.get(keys.call_of_contact(self.campaign.id, self.user.id, decision.contact_id)),
        )
        try:
            await record_result(
                d.redis,
                campaign.id,
                batch_id,
                self.user.id,
                ResultInput(
                    contact_id=decision.contact_id,
                    result=decision.result,
                    idempotency_key=decision.idempotency_key,
                    answers=decision.answers,
                    notes=decision.notes,
                    call_sid=call_sid,
                    script_version=str(decision.script_version),
                    call_back_at=decision.call_back_at,
                ),
                policy=RetryPolicy(campaign.max_attempts, campaign.retry_minutes),
                now=d.clock(),
                volunteer_name=self.user.name,
                team=await TeamStore(d.redis).team_of(self.user.id),
                survey=countable(self.session.script, decision.result, decision.answers),
                day=local_day(campaign.default_timezone, d.clock()),
            )
        except QueueError as exc:  # in the HTTP results call's words (its message for people)
            return self.session.record_failed(exc.code, str(queue_error(exc)))
        return self.session.recorded(decision.contact_id)

    async def on_bridged(self, message: dict[str, Any]) -> None:
        """Power/predictive: the server bridged a voter to this volunteer: the voter, then the first step."""
        contact_id = str(message.get("contact_id", ""))
        call_sid = str(message.get("call_sid") or "")
        if call_sid and contact_id:
            await self.d.redis.set(
                keys.call_of_contact(self.campaign.id, self.user.id, contact_id), call_sid, ex=SESSION_TTL
            )
        batch, contacts = await batch_contacts(self.d, self.campaign.id, self.user.id)
        self.session.set_contacts(contacts, batch)
        contact = self.session.contacts.get(contact_id)
        recording = await recording_started(self.d.redis, self.campaign, call_sid)  # after a reload: on?
        async with self.send_lock:
            await self.ws.send_json({"type": "bridged", "contact_id": contact_id, "call_sid": call_sid,
                                     "contact": contact, "recording": recording})  # fmt: skip
        await latest_for_new_call(self.d.redis, self.campaign, self.session, contact_id)  # a switched script
        await self.send(self.session.bridged(contact_id, call_sid))
        await self.save()
        await self.presence.moved(VolunteerState.TALKING)

    async def on_campaign(self, reason: str) -> None:
        """The campaign changed (paused, resumed, settings, retries due, new contacts): reload it, since
        results recorded here use its settings, and tell the page."""
        fresh = await CampaignStore(self.d.redis).get(self.campaign.id)
        if fresh is not None:
            self.campaign = fresh
        await self.send_campaign(reason)

    async def send_campaign(self, reason: str) -> None:
        status, mode = self.campaign.status.value, self.campaign.mode.value  # a page of another mode follows
        if self.campaign.archived:  # nobody calls it now: the page says it has ended (it said nothing)
            status = "closed"
        message = {"type": "campaign", "status": status, "reason": reason, "mode": mode}
        async with self.send_lock:
            await self.ws.send_json(message)

    async def on_hand(self, message: dict[str, Any]) -> None:
        """An organizer answered the volunteer's raised hand."""
        async with self.send_lock:
            await self.ws.send_json({"type": "hand", "raised": False, "by": str(message.get("by", ""))})

    async def on_progress(self, message: dict[str, Any]) -> None:
        contact_id = str(message.get("contact_id", ""))
        status = str(message.get("status", ""))
        call_sid = message.get("call_sid")
        if call_sid and contact_id:
            # Remember the call so that the result recorded for this contact carries its CallSid.
            await self.d.redis.set(
                keys.call_of_contact(self.campaign.id, self.user.id, contact_id),
                str(call_sid),
                ex=SESSION_TTL,
            )
        reply = self.session.call_status(contact_id, status, str(call_sid or ""))
        await self.save()  # the line's state decides whether answers are taken, after a reconnect too
        moved = state_for_status(status)
        if moved is not None and reply.messages and contact_id == self.session.contact_id:
            await self.presence.moved(moved)
        for out in reply.messages:
            out["call_sid"] = call_sid
            answered_by = str(message.get("answered_by") or "")
            suggestion = suggested_result(
                CallStatus(status) if status in set(CallStatus) else None,
                AnsweredBy(answered_by) if answered_by in set(AnsweredBy) else None,
            )
            out["suggested_result"] = suggestion.value if suggestion else None
            if answered_by:
                out["answered_by"] = answered_by
        await self.send(reply)


async def call_socket(ws: WebSocket) -> None:
    d = deps(ws)
    await ws.accept()
    try:
        user = await require_user(ws, Role.VOLUNTEER)
    except ApiError as exc:
        await ws.close(code=4401 if exc.status == 401 else 4403, reason=exc.message[:120])
        return
    if not check_origin(ws, d.settings):
        await ws.close(code=4403, reason="cross-origin socket refused")
        return
    campaign = await CampaignStore(d.redis).get(ws.path_params["campaign_id"])
    if campaign is None or not visible_to(campaign, user):
        await ws.close(code=4404, reason="no such campaign")
        return
    sock = CallSocket(ws, d, user, campaign)
    hub = d.services["call_hub"]
    send, progress = hub.register(campaign.id, user.id)
    try:
        await hub.subscribed()  # before the state is read: what changes it afterwards reaches this socket
        await sock.presence.opened(campaign.mode.server_dials)
        # On the organizers' roster before the first message, so what the page sees the roster shows.
        await sock.presence.join(
            await initial_state(d, campaign, user.id), await TeamStore(d.redis).team_of(user.id)
        )
        await sock.send_campaign("connected")  # first, so a client knows at once whether it may call
        for notice in await notices_on_connect(d.redis, campaign, user.id):  # a coach, the dialer's news
            await ws.send_json(notice)
        if not await sock.restore():
            await ws.close(code=4409, reason="the campaign's script is missing")
            return
        voter = await voter_on_reload(d, campaign, user.id, sock.session)  # power, predictive
        if voter and voter[0] == "bridged":
            await sock.on_bridged(voter[1])
        elif voter:
            await ws.send_json(voter[1])
        async with anyio.create_task_group() as tg:

            async def pump_progress() -> None:
                try:
                    async for message in progress:
                        if message.get("type") == "bridged":
                            await sock.on_bridged(message)
                        elif message.get("type") == "campaign":
                            await sock.on_campaign(str(message.get("reason", "")))
                        elif message.get("type") == "hand":
                            await sock.on_hand(message)
                        elif message.get("type") in RELAYED:  # call me's leg, a coach, a transfer
                            async with sock.send_lock:
                                await ws.send_json(page_notice(message))
                        else:
                            await sock.on_progress(message)
                except (WebSocketDisconnect, OSError, RuntimeError) as exc:
                    if not socket_gone(exc):
                        raise
                    tg.cancel_scope.cancel()  # the socket is over: stop reading it too

            tg.start_soon(pump_progress)
            tg.start_soon(sock.presence.keep_alive)
            with until_socket_gone():  # on any other exception the task group cancels its tasks itself
                while True:
                    frame = await ws.receive()
                    if frame["type"] == "websocket.disconnect":
                        break
                    if frame.get("text") is not None:
                        await sock.on_text(frame["text"])
                    else:
                        await sock.send(
                            sock.session.malformed("binary frames are not accepted; send JSON text")
                        )
            tg.cancel_scope.cancel()
    except* WebSocketDisconnect:  # also from a reply sent as the page left (a task group wraps it)
        pass
    except* (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        log.warning("store unavailable; closing call socket of %s", user.id)
        with anyio.CancelScope(shield=True):
            try:
                await ws.close(code=1011, reason="store unavailable, reconnect shortly")
            except Exception:  # already closed
                pass
    finally:
        hub.unregister(campaign.id, user.id, send, progress)
        # A closed page must not be sent voters: out of the dialing pool (unless talking to one, or the
        # page has opened a newer socket), before the roster, so a page gone from the roster is out of both.
        await sock.presence.leave_pool()
        await sock.presence.leave()


routes: list[BaseRoute] = [WebSocketRoute("/ws/call/{campaign_id}", ends_when_disabled(call_socket))]
