"""A campaign's activity page: the audit log (`GET /api/campaigns/{id}/audit`) as an organizer reads it,
newest first, each action in words (static/js/activity.js). Linked from the campaign's dashboard.

The log keeps user ids (a transfer's outcome, a coached volunteer); each entry the API returns names the
people it mentions (`people`), so the page says who, not an id. Older entries come a page at a time.

And its recordings page: the settings say "only organizers can hear recordings", but nothing in the pages
listed them. `/campaigns/{id}/recordings` lists them (at most 1000, soonest to be deleted first, as
`GET /api/campaigns/{id}/recordings` does) with each voter's name, a player fetching the audio from
`.../recordings/{sid}/audio`, and a Delete button (static/js/recordings.js)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from dialer.contacts import display_phone
from dialer.models import Role
from dialer.queue.lease import LeaseQueue
from dialer.stores.recordings import RecordingStore
from dialer.web.deps import deps
from dialer.web.pages import _guarded, page_campaign, page_user, render


async def activity_page(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    campaign = await page_campaign(request, user)
    data = {"campaign": {"id": campaign.id, "name": campaign.name}}
    return render(request, "activity.html", {"user": user, "campaign": campaign, "data": data})


async def recordings_page(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    campaign = await page_campaign(request, user)
    redis = deps(request).redis
    queue = LeaseQueue(redis)
    rows = []
    for rec in await RecordingStore(redis).listed(campaign.id):
        contact = await queue.contact(campaign.id, rec.contact_id)
        name = f"{contact.first_name} {contact.last_name}".strip() if contact else ""
        rows.append(
            {
                **rec.to_json(),
                "voter": (name or "(no name)") if contact else "(voter deleted)",
                "phone": display_phone(contact.phone) if contact else "",
            }
        )
    data = {"campaign": {"id": campaign.id}, "recordings": rows}
    context = {"user": user, "campaign": campaign, "data": data, "recordings": rows}
    return render(request, "recordings.html", context)


routes: list[BaseRoute] = [
    Route("/campaigns/{campaign_id}/activity", _guarded(activity_page), methods=["GET"]),
    Route("/campaigns/{campaign_id}/recordings", _guarded(recordings_page), methods=["GET"]),
]
