"""The organizers' management pages: People, Teams, Do-not-call; and a campaign's join link as a QR code.

The pages are shells: their lists come from the JSON API a page at a time (static/js/people.js, teams.js,
dnc.js), so a page with 10,000 people or 1,000,000 numbers renders as fast as an empty one. Roles are
checked here before anything is rendered, as on every page (pages.py).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.stores.campaigns import CampaignStore
from dialer.stores.teams import TeamStore
from dialer.web.api_campaigns import visible_to
from dialer.web.deps import deps
from dialer.web.join_qr import join_qr_svg, join_url
from dialer.web.pages import NO_STORE, _guarded, page_campaign, page_user, render


async def people_page(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    data = {"me": user.id, "admin": user.role is Role.ADMIN, "roles": [r.value for r in Role]}
    return render(request, "people.html", {"user": user, "data": data})


async def teams_page(request: Request) -> Response:
    """Organizers manage every team; a leader sees and manages only the team they lead."""
    user = await page_user(request, Role.LEADER)
    organizer = user.role.includes(Role.ORGANIZER)
    d = deps(request)
    teams = await TeamStore(d.redis).all()
    shown = teams if organizer else [t for t in teams if t.leader == user.id]
    # Not archived ones, and for a leader not closed ones either: those are the organizers' only.
    campaigns = [c for c in await CampaignStore(d.redis).list() if not c.archived and visible_to(c, user)]
    data = {
        "organizer": organizer,
        "teams": [t.public(with_code=True) for t in shown],
        "all_teams": [{"id": t.id, "name": t.name} for t in teams] if organizer else [],
        "campaigns": [{"id": c.id, "name": c.name} for c in campaigns],
    }
    return render(request, "teams.html", {"user": user, "data": data, "organizer": organizer})


async def dnc_page(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    return render(request, "dnc.html", {"user": user, "data": {}})


async def join_qr(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    campaign = await page_campaign(request, user)
    svg = join_qr_svg(join_url(request, campaign.id), inline=False)
    headers = {**NO_STORE, "Content-Disposition": f'inline; filename="join-{campaign.id}.svg"'}
    return Response(svg, media_type="image/svg+xml", headers=headers)


routes: list[BaseRoute] = [
    Route("/people", _guarded(people_page), methods=["GET"]),
    Route("/teams", _guarded(teams_page), methods=["GET"]),
    Route("/dnc", _guarded(dnc_page), methods=["GET"]),
    Route("/campaigns/{campaign_id}/join.svg", _guarded(join_qr), methods=["GET"]),
]
