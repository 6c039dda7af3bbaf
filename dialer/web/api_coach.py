"""Listen-in, coach and barge from the roster, and the coach leg's status callback.

`POST /api/campaigns/{id}/roster/{volunteer}/coach {"mode", "phone"?}` joins (201) or switches mode (200);
`DELETE` of the same path leaves (204); `GET` says who is on the line. `POST /twilio/coach` is the signed
status callback of the coach's leg: its end ends the session once. Every join, switch and leave goes to
the campaign's audit log and to the volunteer's call socket as `{"type": "coach", "mode", "by"}`.
The rules are dialer/coaching.py's; the session is dialer/queue/coach_sessions.py's.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.campaigns import Campaign
from dialer.coaching import (
    CLIENT_PREFIX,
    CoachError,
    CoachMode,
    JoinCoach,
    Step,
    coach_address,
    may_coach,
    mode_form,
    next_step,
    parse_mode,
    session_seconds,
)
from dialer.conference_calls import NOT_COACHABLE
from dialer.dialing.twiml import conference_name
from dialer.models import Role
from dialer.queue import audit, keys
from dialer.queue.coach_sessions import PENDING, CoachSession, CoachSessions, switched
from dialer.queue.roster import Roster
from dialer.stores.accounts import ADMIN_TOKEN_USER, AccountStore, User
from dialer.stores.campaigns import CampaignStore
from dialer.stores.teams import TeamStore
from dialer.telephony.base import CarrierError
from dialer.telephony.forms import webhook_url
from dialer.telephony.participants import participants_for
from dialer.telephony.signing import SIGNATURE_HEADER
from dialer.times import iso
from dialer.web.api_console import scope
from dialer.web.body import read_body, read_json_object
from dialer.web.conference_leg import bridged, conference_leg
from dialer.web.deps import Deps, deps
from dialer.web.errors import ApiError
from dialer.web.webhooks import check_webhook, signed_form

log = logging.getLogger("dialer.coach")

COACH_PATH = "/twilio/coach"
FORM_LIMIT = 64 * 1024
COACH_PHONE_CALLS = 30  # lines to a phone number one coach may have placed in an hour of the clock
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}


def view(session: CoachSession | None) -> dict[str, Any]:
    if session is None:
        return {"mode": None, "coach": None, "name": None, "since": None, "joined": False}
    return {
        "mode": session.mode.value,
        "coach": session.coach,
        "name": session.name,
        "since": iso(session.started),
        "joined": session.call_sid != PENDING,
    }


async def announce(d: Deps, campaign_id: str, volunteer: str, mode: CoachMode | None, by: str) -> None:
    message = {"type": "coach", "volunteer": volunteer, "mode": mode.value if mode else None, "by": by}
    await d.redis.publish(keys.calls_channel(campaign_id), json.dumps(message))


async def _target(request: Request) -> tuple[Deps, User, Campaign, str]:
    """The coach, the campaign and the volunteer, once the rules allow this coach near this volunteer."""
    user, campaign, team = await scope(request)
    volunteer = request.path_params["volunteer"]
    d = deps(request)
    volunteer_team = await TeamStore(d.redis).team_of(volunteer)
    if not may_coach(user.role, user.id, volunteer, team, volunteer_team):
        if user.id == volunteer:
            raise ApiError(422, "validation_error", "You cannot coach your own call.")
        raise ApiError(404, "not_found", "No volunteer of your team with that id is calling.")
    return d, user, campaign, volunteer


async def coach(request: Request) -> Response:
    d, user, campaign, volunteer = await _target(request)
    body = await read_json_object(request)
    unknown = sorted(set(body) - {"mode", "phone"})
    if unknown:
        raise ApiError(422, "validation_error", "Send {mode, phone?} only.",
                       [{"path": k, "message": "unknown field"} for k in unknown])  # fmt: skip
    try:
        mode = parse_mode(body.get("mode"))
        # Without phone the coach's browser is called; a phone given (even null or "") must be a number.
        to = coach_address((body["phone"] or "") if "phone" in body else None, user.id)
    except CoachError as exc:
        path = "mode" if "mode" in exc.message else "phone"
        raise ApiError(exc.status, exc.code, exc.message, [{"path": path, "message": exc.message}]) from None
    if not await bridged(d, campaign, volunteer):
        raise ApiError(409, "not_coachable", NOT_COACHABLE)
    if not await Roster(d.redis, campaign.id).on_roster(volunteer):
        raise ApiError(404, "not_found", "That volunteer is not calling in this campaign now.")
    sessions = CoachSessions(d.redis, campaign.id)
    participants = participants_for(d.carrier, d.services)
    room = conference_name(campaign.id, volunteer)
    leg = await conference_leg(d, campaign, volunteer) or (
        participants.stand_in_leg(room) if participants else None
    )
    if leg is None or participants is None:
        raise ApiError(409, "not_connected", "The volunteer's line is not connected to their conference.")
    current = await sessions.get(volunteer)
    try:
        step = next_step(current.mode if current else None, current.coach if current else None, user.id, mode)
    except CoachError as exc:
        raise ApiError(exc.status, exc.code, exc.message) from None
    now = d.clock()
    if step is Step.SAME and current is not None:
        return JSONResponse(view(current))
    if step is Step.SWITCH and current is not None:
        if current.call_sid == PENDING:
            raise ApiError(409, "coach_joining", "Your line is still being connected; try again shortly.")
        try:
            await participants.update(current.conference_sid, current.call_sid, mode_form(mode, leg))
        except CarrierError as exc:
            raise ApiError(502, "carrier_error", exc.message) from None
        fresh = switched(current, mode)
        if not await sessions.put(volunteer, fresh):
            raise ApiError(409, "coach_left", "Your coaching session ended meanwhile.")
        await audit.record(d.redis, campaign.id, user=user.id, name=user.name, action="coach_switch",
                           detail={"volunteer": volunteer, "from": current.mode.value, "mode": mode.value},
                           now=now)  # fmt: skip
        await announce(d, campaign.id, volunteer, mode, user.name)
        return JSONResponse(view(fresh))
    if not to.startswith(CLIENT_PREFIX) and not await _may_ring(d, user.id, now):
        raise ApiError(429, "too_many_coach_calls", f"At most {COACH_PHONE_CALLS} coach lines to a phone "
                       "an hour; try again later, or coach from the browser.")  # fmt: skip
    pending = CoachSession(user.id, user.name, mode, now)
    if not await sessions.claim(volunteer, pending):
        raise ApiError(409, "coach_busy", "Another coach is already on this volunteer's call.")
    callback = webhook_url(d.settings.base_url, COACH_PATH, campaign_id=campaign.id, volunteer=volunteer)
    join = JoinCoach(room, to, campaign.caller_id, mode, leg, callback)
    try:
        joined = await participants.join(join)
    except CarrierError as exc:
        await sessions.end(volunteer, coach=user.id)  # no partial state: the claim goes with the failure
        raise ApiError(502, "carrier_error", exc.message) from None
    session = CoachSession(user.id, user.name, mode, now, joined.call_sid, joined.conference_sid)
    if not await sessions.put(volunteer, session):  # ended (Leave) while the line was being placed
        await participants.leave(joined.call_sid)
        raise ApiError(409, "coach_left", "The coaching session was ended while your line was placed.")
    await audit.record(d.redis, campaign.id, user=user.id, name=user.name, action="coach_join",
                       detail={"volunteer": volunteer, "mode": mode.value, "to": to,
                               "call_sid": joined.call_sid}, now=now)  # fmt: skip
    await announce(d, campaign.id, volunteer, mode, user.name)
    return JSONResponse(view(session), status_code=201)


def coach_phone_count(coach: str, now: float) -> str:
    """The key counting a coach's lines to a phone in the clock's hour (TTL 2 hours)."""
    return keys.ratelimit("coach-phone", f"{coach}:{int(now // 3600)}")


async def _may_ring(d: Deps, coach: str, now: float) -> bool:
    """Counts a line to a typed phone number against the coach's hour (Join, Leave, Join... would
    otherwise ring any number as often as a script likes, on the campaign's bill)."""
    key = coach_phone_count(coach, now)
    async with d.redis.pipeline(transaction=True) as pipe:
        pipe.incr(key)
        pipe.expire(key, 7200)
        count, _ = await pipe.execute()
    return int(count) <= COACH_PHONE_CALLS


async def get_coach(request: Request) -> Response:
    d, _, campaign, volunteer = await _target(request)
    return JSONResponse(view(await CoachSessions(d.redis, campaign.id).get(volunteer)))


async def leave(request: Request) -> Response:
    """The coach leaves (an organizer may also end another coach's session)."""
    d, user, campaign, volunteer = await _target(request)
    sessions = CoachSessions(d.redis, campaign.id)
    current = await sessions.get(volunteer)
    if current is None:
        raise ApiError(404, "not_found", "Nobody is coaching this volunteer.")
    if current.coach != user.id and not user.role.includes(Role.ORGANIZER):
        raise ApiError(403, "forbidden", "Only the coach or an organizer ends a coaching session.")
    ended = await sessions.end(volunteer, call_sid=current.call_sid)
    if ended is None:
        raise ApiError(404, "not_found", "Nobody is coaching this volunteer.")
    await finish(d, campaign.id, volunteer, ended, reason="left", by=user)
    await hang_up_coach(d, ended)
    return Response(status_code=204)


async def finish(
    d: Deps, campaign_id: str, volunteer: str, ended: CoachSession, *, reason: str, by: User | None
) -> None:
    seconds = session_seconds(ended.started, d.clock())
    detail = {"volunteer": volunteer, "mode": ended.mode.value, "seconds": seconds, "reason": reason,
              "coach": ended.coach, "call_sid": ended.call_sid}  # fmt: skip
    await audit.record(d.redis, campaign_id, user=by.id if by else ended.coach,
                       name=by.name if by else ended.name, action="coach_leave", detail=detail,
                       now=d.clock())  # fmt: skip
    await announce(d, campaign_id, volunteer, None, ended.name)


async def hang_up_coach(d: Deps, ended: CoachSession) -> None:
    """The coach's line leaves the conference (a session ended by us: removed, or out of reach)."""
    participants = participants_for(d.carrier, d.services)
    if participants is not None and ended.call_sid != PENDING:
        try:
            await participants.leave(ended.call_sid)
        except CarrierError as exc:  # the session is over for us; the leg's own end follows anyway
            log.warning("could not hang up coach leg %s: %s", ended.call_sid, exc.message)


async def _may_go_on(d: Deps, session: CoachSession, volunteer: str) -> bool:
    """Whether the session's coach may still coach the volunteer: their account as it is now (role,
    disabled) and the team the volunteer is in now."""
    if session.coach == ADMIN_TOKEN_USER.id:
        return True
    coach = await AccountStore(d.redis).get(session.coach)
    if coach is None or coach.disabled:
        return False
    teams = TeamStore(d.redis)
    team_id = await teams.team_of(volunteer)
    team = await teams.get(team_id) if team_id else None
    leads = team_id if team is not None and team.leader == coach.id else None
    return may_coach(coach.role, coach.id, volunteer, leads, team_id)


async def _end_if_out_of_reach(
    d: Deps, campaign_id: str, volunteer: str, reason: str, coach: str = ""
) -> None:
    """Ends the volunteer's session in the campaign (only `coach`'s, when given) if its coach may no longer
    coach them, and hangs up the coach's line."""
    sessions = CoachSessions(d.redis, campaign_id)
    current = await sessions.get(volunteer)
    if current is None or (coach and current.coach != coach) or await _may_go_on(d, current, volunteer):
        return
    ended = await sessions.end(volunteer, call_sid=current.call_sid)
    if ended is None:
        return
    await finish(d, campaign_id, volunteer, ended, reason=reason, by=None)
    await hang_up_coach(d, ended)


async def end_sessions_out_of_reach(d: Deps, volunteer: str) -> None:
    """After the volunteer left or changed teams: any session on them whose coach may no longer coach them
    (their old team's leader) ends, and the coach's line is hung up; an organizer's goes on."""
    for campaign in await CampaignStore(d.redis).list():
        await _end_if_out_of_reach(d, campaign.id, volunteer, "left the team")


async def end_sessions_of_coach(d: Deps, coach: str) -> None:
    """After the coach's account changed (a new role, disabled): every session they hold on a volunteer
    they may no longer coach ends and their line is hung up (a demoted leader, a disabled organizer kept
    hearing every voter of the call day until they hung up themselves). A session's volunteer is on the
    campaign's roster (a session starts only then; their page gone, their conference and the coach's
    line end with it)."""
    for campaign in await CampaignStore(d.redis).list():
        for volunteer in await d.redis.hkeys(keys.roster(campaign.id)):
            await _end_if_out_of_reach(d, campaign.id, str(volunteer), "access changed", coach=coach)


async def coach_status(request: Request) -> Response:
    """The coach leg's status callback: signed, and its end ends the session once (repeats change
    nothing; a callback about another leg, or out of order after the end, changes nothing)."""
    d = deps(request)
    carrier = check_webhook(d, request.headers.get("content-type", ""))
    raw = await read_body(request, FORM_LIMIT)
    path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    form = signed_form(carrier, raw, path_qs, request.headers.get(SIGNATURE_HEADER))
    call_sid, status = form.get("CallSid", ""), form.get("CallStatus", "")
    campaign_id = request.query_params.get("campaign_id", "")
    volunteer = request.query_params.get("volunteer", "")
    if not call_sid or not status or not campaign_id or not volunteer:
        raise ApiError(400, "malformed_webhook", "CallSid, CallStatus, campaign_id and volunteer are needed.")
    if status in ENDED:
        ended = await CoachSessions(d.redis, campaign_id).end(volunteer, call_sid=call_sid)
        if ended is not None:
            await finish(d, campaign_id, volunteer, ended, reason=f"call {status}", by=None)
    return Response(status_code=204)


routes: list[BaseRoute] = [Route(COACH_PATH, coach_status, methods=["POST"])]
api_routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/roster/{volunteer}/coach", coach, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/roster/{volunteer}/coach", get_coach, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/roster/{volunteer}/coach", leave, methods=["DELETE"]),
]
