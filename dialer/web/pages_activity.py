"""A campaign's activity page: the audit log (`GET /api/campaigns/{id}/audit`) as an organizer reads it,
newest first, each action in words (static/js/activity.js). Linked from the campaign's dashboard.

The log keeps user ids (a transfer's outcome, a coached volunteer); the page gets the names of the people
its latest entries mention, so it says who, not an id."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.queue import audit
from dialer.stores.accounts import AccountStore
from dialer.web.deps import deps
from dialer.web.pages import _guarded, page_campaign, page_user, render


async def _names(request: Request, campaign_id: str) -> dict[str, str]:
    d = deps(request)
    ids: set[str] = set()
    for entry in await audit.recent(d.redis, campaign_id):
        detail = entry["detail"] if isinstance(entry["detail"], dict) else {}
        ids.update(str(v) for v in (entry["user"], detail.get("volunteer"), detail.get("coach")) if v)
    accounts = AccountStore(d.redis)
    names = {}
    for uid in sorted(ids)[:300]:
        user = await accounts.get(uid)
        if user is not None:
            names[uid] = user.name
    return names


async def activity_page(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    campaign = await page_campaign(request, user)
    data = {
        "campaign": {"id": campaign.id, "name": campaign.name},
        "names": await _names(request, campaign.id),
    }
    return render(request, "activity.html", {"user": user, "campaign": campaign, "data": data})


routes: list[BaseRoute] = [
    Route("/campaigns/{campaign_id}/activity", _guarded(activity_page), methods=["GET"])
]
