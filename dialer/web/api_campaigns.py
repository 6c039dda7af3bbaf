"""Campaign routes: create, list (with filters), read, update (including pause, resume, close, archive),
duplicate."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.campaigns import (
    ID_RE,
    Campaign,
    CampaignInvalid,
    ListFilter,
    apply_patch,
    duplicate,
    validate_new,
)
from dialer.models import CampaignStatus, Mode, Role
from dialer.queue import audit, keys
from dialer.queue.announce import campaign_news
from dialer.stores.accounts import User
from dialer.stores.campaigns import CampaignStore
from dialer.telephony.base import CallerIdOwnership, CarrierError
from dialer.transfers import unknown_targets
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.query import query_choice, query_text
from dialer.web.script_findings import script_findings
from dialer.web.scripts_source import load_campaign_script
from dialer.web.validate import Problems


def _invalid(exc: CampaignInvalid) -> ApiError:
    return ApiError(422, "validation_error", "The campaign is not valid.", exc.problems)


async def _script_problems(request: Request, script_id: str) -> list[dict[str, str]]:
    if await deps(request).redis.exists(keys.script_latest(script_id)):
        return []
    return [{"path": "script_id", "message": f"no script {script_id!r} has been uploaded"}]


async def _check_script_exists(request: Request, script_id: str) -> None:
    problems = await _script_problems(request, script_id)
    if problems:
        raise ApiError(422, "validation_error", "The campaign is not valid.", problems)


async def _check_transfers(request: Request, campaign: Campaign) -> None:
    """422 when the campaign's script hands voters on to a transfer target the campaign does not list."""
    loaded = await load_campaign_script(deps(request).redis, campaign)
    problems = unknown_targets(loaded[0].transfers(), campaign.transfer_targets) if loaded else []
    if problems:
        raise ApiError(422, "validation_error", "The script names unlisted transfer targets.", problems)


async def _check_numbers_owned(request: Request, before: Campaign | None, after: Campaign) -> None:
    """With TWILIO_CHECK_CALLER_IDS, each number new to the campaign must be one Twilio lets the account
    call from: 422 naming each one that is not, 503 when Twilio cannot be asked. Nothing is saved then."""
    d = deps(request)
    carrier = d.carrier
    if not d.settings.twilio_check_caller_ids or not isinstance(carrier, CallerIdOwnership):
        return
    known = set() if before is None else {before.caller_id, *(c.number for c in before.caller_ids)}
    wanted = [("caller_id", after.caller_id)]
    wanted += [(f"caller_ids[{i}].number", c.number) for i, c in enumerate(after.caller_ids)]
    problems = []
    for path, number in wanted:
        if number in known:
            continue
        try:
            owned = await carrier.owns_caller_id(number)
        except CarrierError as exc:
            raise ApiError(
                503, "carrier_unavailable", f"Twilio could not say whether {number} is yours ({exc.message})."
            ) from None
        if not owned:
            message = "is not a number of this Twilio account nor one of its verified caller IDs"
            problems.append({"path": path, "message": message})
        known.add(number)
    if problems:
        raise ApiError(422, "validation_error", "The campaign is not valid.", problems)


def visible_to(campaign: Campaign, user: User) -> bool:
    """Closed and archived campaigns are the organizers' only: the list hides them from volunteers and
    leaders, and so does every route that takes a campaign id from them (an old join link or bookmark of
    an archived campaign no longer calls anyone)."""
    hidden = campaign.status is CampaignStatus.CLOSED or campaign.archived
    return not hidden or user.role.includes(Role.ORGANIZER)


def campaign_json(campaign: Campaign, user: User) -> dict[str, object]:
    """The campaign as `user` may read it. Below organizers the warm-transfer targets are names only: a
    volunteer transfers by the target's name (the server dials its number), so the staff members' own
    phone numbers are not handed to everyone who joined (docs/API-additions.md, "Warm transfer")."""
    data = campaign.to_api()
    if not user.role.includes(Role.ORGANIZER):
        data["transfer_targets"] = [{"name": t.name} for t in campaign.transfer_targets]
    return data


async def campaign_answer(request: Request, campaign: Campaign, user: User) -> dict[str, object]:
    """One campaign as GET, create and PATCH answer it: for organizers with `script_findings`, what the
    dashboard and settings say of its stored script (null when nothing; API-additions.md)."""
    data = campaign_json(campaign, user)
    if user.role.includes(Role.ORGANIZER):
        data["script_findings"] = await script_findings(request, campaign.script_id)
    return data


async def load_campaign(request: Request, campaign_id: str, user: User | None = None) -> Campaign:
    """The campaign, or 404; given the `user` asking, also 404 for a closed campaign they may not see."""
    campaign = await CampaignStore(deps(request).redis).get(campaign_id)
    if campaign is None or (user is not None and not visible_to(campaign, user)):
        raise ApiError(404, "not_found", f"No campaign {campaign_id!r}.")
    return campaign


async def create_campaign(request: Request) -> Response:
    user = await require_user(request, Role.ORGANIZER)
    body = await read_json_object(request)
    body.pop("script_findings", None)  # read-only, as in PATCH: another campaign's answer may be sent
    d = deps(request)
    try:
        campaign = validate_new(body, d.clock())
    except CampaignInvalid as exc:
        # Every problem in one answer: an unknown script too, not only after the rest is fixed.
        script_id = body.get("script_id")
        if isinstance(script_id, str) and not any(p["path"] == "script_id" for p in exc.problems):
            exc.problems.extend(await _script_problems(request, script_id))
        raise _invalid(exc) from None
    await _check_script_exists(request, campaign.script_id)
    await _check_transfers(request, campaign)
    await _check_numbers_owned(request, None, campaign)
    if not await CampaignStore(d.redis).create(campaign):
        raise ApiError(409, "campaign_exists", f"A campaign with id {campaign.id!r} exists.")
    return JSONResponse(await campaign_answer(request, campaign, user), status_code=201)


def list_filter(query: Mapping[str, str], user: User) -> ListFilter:
    """`?status=&mode=&archived=0|1|all&q=`; volunteers and leaders never see archived campaigns."""
    status = query_choice(query, "status", tuple(s.value for s in CampaignStatus))
    mode = query_choice(query, "mode", tuple(m.value for m in Mode))
    archived = query_choice(query, "archived", ("0", "1", "all")) or "0"
    name = query_text(query, "q", max_len=200)
    if not user.role.includes(Role.ORGANIZER):
        archived = "0"
    return ListFilter(
        status=CampaignStatus(status) if status else None,
        mode=Mode(mode) if mode else None,
        archived=None if archived == "all" else archived == "1",
        name=name,
    )


async def list_campaigns(request: Request) -> Response:
    user = await require_user(request)
    keep = list_filter(request.query_params, user)
    campaigns = await CampaignStore(deps(request).redis).list()
    campaigns = [c for c in campaigns if visible_to(c, user) and keep.keeps(c)]
    return JSONResponse([campaign_json(c, user) for c in campaigns])


async def duplicate_campaign(request: Request) -> Response:
    """A new campaign with this one's settings and script, and no contacts (`{id?, name?}`)."""
    await require_user(request, Role.ORGANIZER)
    source = await load_campaign(request, request.path_params["campaign_id"])
    body = await read_json_object(request)
    problems = Problems()
    problems.unknown_fields(body, {"id", "name"})
    problems.no_nulls(body, "id", "name")
    new_id = problems.string(body, "id", required=False, max_len=64)
    if new_id is not None and not ID_RE.fullmatch(str(body["id"])):
        problems.add("id", "must be 1-64 lower-case letters, digits and dashes")
    name = problems.string(body, "name", required=False, max_len=200)
    problems.raise_if_any("The copy is not valid.")
    d = deps(request)
    copy = duplicate(source, new_id, name, d.clock())
    if not await CampaignStore(d.redis).create(copy):
        raise ApiError(409, "campaign_exists", f"A campaign with id {copy.id!r} exists.")
    return JSONResponse(copy.to_api(), status_code=201)


async def get_campaign(request: Request) -> Response:
    user = await require_user(request)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    return JSONResponse(await campaign_answer(request, campaign, user))


async def _audit_patch(
    request: Request, user: User, before: Campaign, after: Campaign, fields: list[str]
) -> None:
    """The campaign's audit log gets who paused, resumed, closed, archived, switched the mode or changed
    other settings (the names of the fields that changed, not their values: a CRM key or a caller ID stays out
    of it)."""
    d = deps(request)
    changes: list[tuple[str, dict[str, object]]] = []
    if after.status is not before.status:
        changes.append(("status", {"from": before.status.value, "to": after.status.value}))
    if after.mode is not before.mode:
        changes.append(("mode_switch", {"from": before.mode.value, "to": after.mode.value}))
    if after.archived != before.archived:
        changes.append(("archive" if after.archived else "restore", {}))
    # The settings form sends every field: only those whose value changed are named.
    was, now = before.to_json(), after.to_json()
    other = sorted(f for f in set(fields) - {"status", "mode", "archived"} if was.get(f) != now.get(f))
    if other:
        changes.append(("settings", {"fields": other}))
    for action, detail in changes:
        await audit.record(
            d.redis, after.id, user=user.id, name=user.name, action=action, detail=detail, now=d.clock()
        )


async def patch_campaign(request: Request) -> Response:
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    body = await read_json_object(request)
    body.pop("script_findings", None)  # read-only: GET's answer may come back whole
    try:
        updated = apply_patch(campaign, body)
    except CampaignInvalid as exc:
        raise _invalid(exc) from None
    if updated.script_id != campaign.script_id:
        await _check_script_exists(request, updated.script_id)
    # A restored campaign takes its script's latest version, which may have gained transfers meanwhile.
    if {"script_id", "transfer_targets"} & set(body) or (campaign.archived and not updated.archived):
        await _check_transfers(request, updated)
    await _check_numbers_owned(request, campaign, updated)
    d = deps(request)
    if updated.script_id != campaign.script_id:  # the answers given with it stay in the export
        await d.redis.sadd(keys.past_scripts(campaign.id), campaign.script_id)
    await CampaignStore(d.redis).save(updated)
    if updated.calling_status is not campaign.calling_status or updated.mode is not campaign.mode:
        # The pacer's last figures (dial ratio, lines) lived a minute more: the dashboard of a resumed
        # campaign showed the ones from before its pause until the pacer's first new decision.
        await d.redis.delete(keys.dial_status(updated.id))
    await _audit_patch(request, user, campaign, updated, list(body))
    notify = d.services.get("campaign_changed")
    if notify is not None:
        await notify(updated)
    # The volunteers' pages: a paused page takes names again by itself when the campaign resumes.
    reason = "status" if updated.status is not campaign.status else "settings"
    await campaign_news(d.redis, updated.id, updated.status.value, reason)
    return JSONResponse(await campaign_answer(request, updated, user))


routes: list[BaseRoute] = [
    Route("/api/campaigns", create_campaign, methods=["POST"]),
    Route("/api/campaigns", list_campaigns, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}", get_campaign, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}", patch_campaign, methods=["PATCH"]),
    Route("/api/campaigns/{campaign_id}/duplicate", duplicate_campaign, methods=["POST"]),
]
