"""An organizer's actions on a running call day: make waiting retries callable now, read the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.queue import audit
from dialer.queue.announce import campaign_news
from dialer.queue.retries import make_retries_due
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.deps import deps


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
    await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    return JSONResponse(await audit.recent(deps(request).redis, campaign.id))


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/retries-now", retries_now, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/audit", audit_log, methods=["GET"]),
]
