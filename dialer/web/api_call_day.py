"""An organizer's actions on a running call day: make waiting retries callable now, read the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.queue import audit
from dialer.queue.announce import campaign_news
from dialer.queue.retries import make_retries_due
from dialer.stores.accounts import AccountStore
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.deps import deps
from dialer.web.query import is_first_stream_id, query_int, query_stream_id


async def retries_now(request: Request) -> Response:
    """'Call retries now': every contact waiting for a retry is callable at once (call-backs keep their
    time, attempt limits hold). Audited; waiting volunteers' pages take names again by themselves."""
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    d = deps(request)
    now = d.clock()
    made = await make_retries_due(d.redis, campaign.id, now)
    await audit.record(
        d.redis,
        campaign.id,
        user=user.id,
        name=user.name,
        action="retries_now",
        detail={"made_due": made},
        now=now,
    )
    if made:
        await campaign_news(d.redis, campaign.id, campaign.status.value, "retries_due")
    return JSONResponse({"made_due": made})


async def audit_log(request: Request) -> Response:
    """The newest entries, or with `?before=<entry id>` the ones older than it (`limit`, 1-500, default 100);
    each names the people its detail mentions by id (`people`: {id: name}), so a page says who."""
    await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    before = query_stream_id(request.query_params, "before")
    limit = query_int(request.query_params, "limit", low=1, high=500, default=100)
    if before and is_first_stream_id(before):
        return JSONResponse([])
    d = deps(request)
    entries = await audit.recent(d.redis, campaign.id, limit, before)
    accounts, names = AccountStore(d.redis), dict[str, str | None]()
    for entry in entries:
        detail = entry["detail"] if isinstance(entry["detail"], dict) else {}
        people: dict[str, str] = {}
        named = [str(detail.get(k) or "") for k in ("volunteer", "coach")]
        for uid in [*named, "" if entry["name"] else entry["user"]]:
            if uid and uid not in names:
                user = await accounts.get(uid)
                names[uid] = user.name if user is not None else None
            name = names[uid] if uid else None
            if name is not None:
                people[uid] = name
        entry["people"] = people
    return JSONResponse(entries)


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/retries-now", retries_now, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/audit", audit_log, methods=["GET"]),
]
