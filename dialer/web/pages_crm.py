"""The organizers' CRM page: link VAN/EveryAction or OSDI, map the script to the CRM's codes, watch and
retry the sync. Everything on it goes through the /api/campaigns/{id}/crm routes (static/js/crm.js)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.web.pages import _guarded, page_campaign, page_user, render


async def crm_page(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    campaign = await page_campaign(request, user)
    data = {"campaign": {"id": campaign.id, "name": campaign.name, "script_id": campaign.script_id}}
    return render(request, "crm.html", {"user": user, "campaign": campaign, "data": data})


routes: list[BaseRoute] = [Route("/campaigns/{campaign_id}/crm", _guarded(crm_page), methods=["GET"])]
