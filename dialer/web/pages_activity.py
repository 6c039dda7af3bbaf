"""A campaign's activity page: the audit log (`GET /api/campaigns/{id}/audit`) as an organizer reads it,
newest first, each action in words (static/js/activity.js). Linked from the campaign's dashboard.

The log keeps user ids (a transfer's outcome, a coached volunteer); each entry the API returns names the
people it mentions (`people`), so the page says who, not an id. Older entries come a page at a time."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.web.pages import _guarded, page_campaign, page_user, render


async def activity_page(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    campaign = await page_campaign(request, user)
    data = {"campaign": {"id": campaign.id, "name": campaign.name}}
    return render(request, "activity.html", {"user": user, "campaign": campaign, "data": data})


routes: list[BaseRoute] = [
    Route("/campaigns/{campaign_id}/activity", _guarded(activity_page), methods=["GET"])
]
