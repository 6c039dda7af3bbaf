"""One contact of a volunteer's batch: skip it (back to the queue uncalled), or read what earlier callers
heard from this voter (so the second caller knows what the first was told)."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.queue import keys
from dialer.queue.errors import QueueError
from dialer.queue.lease import LeaseQueue
from dialer.times import iso
from dialer.web.api_batches import batch_and_campaign, queue_error
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.call_end import is_up, latest_call
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.validate import only_string

HISTORY_SIZE = 20


async def skip(request: Request) -> Response:
    user, campaign, batch_id = await batch_and_campaign(request)
    contact_id = only_string(await read_json_object(request), "contact_id", max_len=64)
    d = deps(request)
    sid = await latest_call(d, campaign.id, user.id, contact_id)
    attempt = await d.redis.hgetall(keys.attempt(campaign.id, sid)) if sid else None
    if attempt and is_up(cast(dict[str, str], attempt)):
        raise ApiError(409, "call_in_progress", "This voter is on a call: hang up and record what happened.")
    try:
        left = await LeaseQueue(d.redis).skip(campaign.id, batch_id, user.id, contact_id, d.clock())
    except QueueError as exc:
        raise queue_error(exc) from None
    return JSONResponse({"skipped": contact_id, "skips_left": left})


async def history(request: Request) -> Response:
    """Earlier results for this voter, newest first: for organizers, and the volunteer holding them now."""
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    contact_id = request.path_params["contact_id"]
    d = deps(request)
    if user.role.includes(Role.ORGANIZER):
        # Any contact of this campaign; an id of another campaign's (or none) is not found here, as it
        # is for a volunteer, rather than an empty history that says the voter exists and was never called.
        if not await d.redis.exists(keys.contact(campaign.id, contact_id)):
            raise ApiError(404, "not_found", "No contact with that id in this campaign.")
    elif not await LeaseQueue(d.redis).holds(campaign.id, user.id, contact_id, d.clock()):
        raise ApiError(404, "not_found", "No contact of yours with that id.")
    ids = cast(
        list[str], await d.redis.lrange(keys.contact_results(campaign.id, contact_id), -HISTORY_SIZE, -1)
    )
    async with d.redis.pipeline(transaction=False) as pipe:
        for entry_id in reversed(ids):
            pipe.xrange(keys.results(campaign.id), entry_id, entry_id)
        found = await pipe.execute() if ids else []
    volunteers = {entry[0][1].get("volunteer", "") for entry in found if entry}
    names = (
        dict(
            zip(
                volunteers,
                await d.redis.hmget(keys.volunteer_names(campaign.id), list(volunteers)),
                strict=True,
            )
        )
        if volunteers
        else {}
    )
    out = []
    for entry in found:
        if not entry:
            continue
        fields = entry[0][1]
        name = str(names.get(fields.get("volunteer", "")) or "")
        out.append(
            {
                "at": iso(float(fields.get("recorded_at") or 0)),
                "result": fields.get("result", ""),
                "attempt": int(fields.get("attempt") or 0),
                "notes": fields.get("notes", ""),
                "volunteer": name.split()[0] if name.split() else "",
            }
        )
    return JSONResponse(out)


routes: list[BaseRoute] = [
    Route("/api/batches/{batch_id}/skip", skip, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/contacts/{contact_id}/history", history, methods=["GET"]),
]
