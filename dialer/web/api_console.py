"""The organizers' console over HTTP: who is calling (the roster), what voters say (the survey), and
answering a volunteer's raised hand. Team leaders see their own team's roster and survey, nothing else."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.calling_hours import local_day
from dialer.campaigns import Campaign
from dialer.contacts import csv_safe
from dialer.models import Role
from dialer.pace import MAX_DAYS, hours_between
from dialer.queue import keys
from dialer.queue.roster import Roster, read_roster
from dialer.stores.accounts import User
from dialer.stores.teams import TeamStore
from dialer.survey import survey_view
from dialer.times import iso
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.scripts_source import load_campaign_script


async def scope(request: Request) -> tuple[User, Campaign, str | None]:
    """(user, campaign, team): organizers see everyone (or the team they ask for); a team leader only their
    own team (403 for any other)."""
    user = await require_user(request, Role.LEADER)
    # Given the user: a closed or archived campaign is 404 to a leader, as on every route (visible_to).
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    wanted = request.query_params.get("team") or None
    if user.role.includes(Role.ORGANIZER):
        return user, campaign, wanted
    teams = TeamStore(deps(request).redis)
    own = await teams.team_of(user.id)
    team = await teams.get(own) if own else None
    if team is None or team.leader != user.id or wanted not in (None, team.id):
        raise ApiError(403, "forbidden", "A team leader sees their own team's numbers only.")
    return user, campaign, team.id


async def get_roster(request: Request) -> Response:
    _, campaign, team = await scope(request)
    d = deps(request)
    now = d.clock()
    rows = await read_roster(d.redis, campaign.id, local_day(campaign.default_timezone, now), now, team)
    return JSONResponse(rows)


async def answer_hand(request: Request) -> Response:
    """An organizer (or the volunteer's team leader) answers a raised hand: it goes down on the roster and
    the volunteer's page says who is coming."""
    user, campaign, team = await scope(request)
    volunteer = request.path_params["volunteer"]
    body = await read_json_object(request)
    if set(body) - {"raised"} or body.get("raised") is not False:
        raise ApiError(422, "validation_error", 'Send {"raised": false} to answer a raised hand.',
                       [{"path": "raised", "message": "must be false"}])  # fmt: skip
    d = deps(request)
    if team is not None and await TeamStore(d.redis).team_of(volunteer) != team:
        raise ApiError(404, "not_found", "No volunteer of your team with that id is calling.")
    if not await Roster(d.redis, campaign.id).on_roster(volunteer):
        raise ApiError(404, "not_found", "That volunteer is not calling in this campaign now.")
    await Roster(d.redis, campaign.id).hand(volunteer, False, d.clock())
    message = {"type": "hand", "volunteer": volunteer, "raised": False, "by": user.name}
    await d.redis.publish(keys.calls_channel(campaign.id), json.dumps(message))
    return Response(status_code=204)


async def survey_data(request: Request) -> tuple[Campaign, dict[str, Any]]:
    _, campaign, team = await scope(request)
    d = deps(request)
    loaded = await load_campaign_script(d.redis, campaign)
    if loaded is None:
        raise ApiError(409, "script_missing", "The campaign's script is missing.")
    key = keys.survey_team(campaign.id, team) if team else keys.survey(campaign.id)
    counts = cast(dict[str, str], await d.redis.hgetall(key))
    return campaign, survey_view(loaded[0], counts)


async def get_survey(request: Request) -> Response:
    return JSONResponse((await survey_data(request))[1])


async def survey_csv(request: Request) -> Response:
    campaign, view = await survey_data(request)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["question", "value", "label", "count", "share"])
    for question in view["questions"]:
        for answer in question["answers"]:
            cells = [question["key"], answer["value"], answer["label"], answer["count"], answer["share"]]
            writer.writerow([csv_safe(cell) for cell in cells])  # a label like =HYPERLINK(...) stays text
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{campaign.id}-survey.csv"'},
    )


async def history(request: Request) -> Response:
    """Calls and conversations per hour, for the campaign's days `from`..`to` (its own time zone's dates;
    by default from the campaign's first day to today, at most MAX_DAYS)."""
    await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    d = deps(request)
    today = date.fromisoformat(local_day(campaign.default_timezone, d.clock()))
    created = date.fromisoformat(local_day(campaign.default_timezone, campaign.created_at or d.clock()))
    first = _date_param(request, "from", max(created, today - timedelta(days=MAX_DAYS - 1)))
    last = _date_param(request, "to", today)
    if first > last or (last - first).days >= MAX_DAYS:
        problem = {"path": "from", "message": f"must be on or before to, within {MAX_DAYS} days"}
        raise ApiError(422, "validation_error", f"Give from <= to, at most {MAX_DAYS} days apart.", [problem])
    hours = hours_between(first, last, campaign.default_timezone)
    fields = [str(h) for h in hours] + [f"{h}:c" for h in hours]
    values = await d.redis.hmget(keys.hourly(campaign.id), fields)
    n = len(hours)
    rows = [
        {
            "hour": iso(h * 3600),
            "calls": int(values[i] or 0),
            "conversations": int(values[n + i] or 0),
        }
        for i, h in enumerate(hours)
    ]
    return JSONResponse(
        {
            "timezone": campaign.default_timezone,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "hours": rows,
        }
    )


def _date_param(request: Request, name: str, default: date) -> date:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, "validation_error", f"{name} must be a date like 2026-11-03.",
                       [{"path": name, "message": "must be a date YYYY-MM-DD"}]) from None  # fmt: skip


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/history", history, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/roster", get_roster, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/roster/{volunteer}/hand", answer_hand, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/survey", get_survey, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/survey.csv", survey_csv, methods=["GET"]),
]
