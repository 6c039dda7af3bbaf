"""The HTML pages: sign-in/up, campaign picker and join links, profile, the volunteer call page, the organizer
dashboard and the staff pages. Server-rendered Jinja2; the pages' scripts are small ES modules in
web/static/js (templates in web/templates).

Roles are checked here, server-side, before anything is rendered: an anonymous visitor is redirected to
sign-in (and comes back afterwards), a role too low gets a plain 403 page with no campaign or voter data.
Data that a page's script needs is rendered into a `<script type="application/json">` block (never
executed; `tojson` escapes `<`), so the Content-Security-Policy can forbid inline scripts.
"""

from __future__ import annotations

import importlib.resources
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from dialer.campaigns import Campaign, ListFilter
from dialer.contacts import display_phone
from dialer.models import CampaignStatus, ResultCode, Role
from dialer.queue import keys
from dialer.stores.accounts import User
from dialer.stores.campaigns import CampaignStore
from dialer.stores.scripts import ScriptStore
from dialer.stores.teams import TeamStore
from dialer.stores.voicemail import VoicemailAudioStore, has_voicemail
from dialer.web import campaign_form, pages_tools
from dialer.web.api_campaigns import campaign_json, list_filter, visible_to
from dialer.web.auth import current_user
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.join_qr import join_qr_svg, join_url
from dialer.web.own_phone import browser_ready, methods_for
from dialer.web.script_findings import script_findings, scripts_findings

# The front-end's files: the top-level web/ folder, installed as the package `dialer_web`.
WEB_DIR = Path(str(importlib.resources.files("dialer_web")))
STATIC_DIR = WEB_DIR / "static"
VENDOR_SDK = STATIC_DIR / "vendor" / "twilio.min.js"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
templates.env.filters["phone"] = display_phone

# Results a volunteer may pick by hand when the script did not get to an end (nobody answered, ...).
MANUAL_RESULTS = [
    ResultCode.CONTACTED,  # a conversation that ended before the script did: the answers so far are kept
    ResultCode.NO_ANSWER,
    ResultCode.BUSY,
    ResultCode.VOICEMAIL,
    ResultCode.NOT_HOME,
    ResultCode.WRONG_NUMBER,
    ResultCode.DISCONNECTED,
    ResultCode.CALL_BACK,
    ResultCode.REFUSED,
    ResultCode.LANGUAGE_BARRIER,
    ResultCode.DO_NOT_CALL,
    ResultCode.MOVED,
    ResultCode.DECEASED,
]
NO_STORE = {"Cache-Control": "no-store"}


class _Deny(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


# What a browser's URL parser (WHATWG) does before anything else: it drops every tab, CR and LF anywhere
# in the string and trims leading and trailing C0 controls and spaces. So `/\t/evil.example/` is
# `//evil.example/` to it, another site; and it reads `\` as `/` in http(s) URLs.
_BROWSER_DROPS = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def safe_next(target: str | None, default: str = "/campaigns") -> str:
    """A path on our own origin to go to after signing in, as the browser will read it; else `default`.

    The browser's own clean-up is applied first and its result returned, so what is checked is what the
    browser navigates to: a path starting with one `/`, without backslashes or control characters.
    """
    if not target:
        return default
    cleaned = _BROWSER_DROPS.sub("", target).strip(_C0_AND_SPACE)
    if (
        not cleaned.startswith("/")
        or cleaned.startswith("//")
        or "\\" in cleaned
        or _CONTROL.search(cleaned)
        or len(cleaned) > 2000
    ):
        return default
    return cleaned


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(request, name, context, status_code=status, headers=NO_STORE)


async def page_user(request: Request, role: Role = Role.VOLUNTEER) -> User:
    """The signed-in user with `role`, else a redirect to sign-in (anonymous) or a 403 page (raised)."""
    user = await current_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise _Deny(RedirectResponse(f"/signin?next={quote(target, safe='/')}", status_code=303))
    if not user.role.includes(role):
        message = f"This page is for the {role.value} role; your account is {user.role.with_article}."
        raise _Deny(
            render(request, "error.html", {"user": user, "title": "Not allowed", "message": message}, 403)
        )
    return user


async def page_campaign(request: Request, user: User) -> Campaign:
    campaign = await CampaignStore(deps(request).redis).get(request.path_params["campaign_id"])
    if campaign is None or not visible_to(campaign, user):
        message = "There is no such campaign, or it has closed. Pick another from the list."
        raise _Deny(
            render(request, "error.html", {"user": user, "title": "Not found", "message": message}, 404)
        )
    return campaign


def _guarded(handler: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        try:
            response: Response = await handler(request)
        except _Deny as deny:
            return deny.response
        return response

    endpoint.__name__ = handler.__name__
    return endpoint


async def home(request: Request) -> Response:
    user = await current_user(request)
    return RedirectResponse("/campaigns" if user else "/signin", status_code=303)


async def signin(request: Request) -> Response:
    nxt = safe_next(request.query_params.get("next"))
    email = request.query_params.get("email", "")[:254]  # from the sign-up form, whose email had an account
    return render(request, "signin.html", {"user": await current_user(request), "next": nxt, "email": email})


async def signup(request: Request) -> Response:
    """Sign-up; from a campaign's join link it names the campaign the newcomer is about to call for (any
    volunteer who signs up sees the campaigns open to them, so the name tells a stranger nothing more)."""
    nxt = safe_next(request.query_params.get("next"))
    joining = re.fullmatch(r"/join/([^/?#]+)", nxt or "")
    campaign = await CampaignStore(deps(request).redis).get(unquote(joining.group(1))) if joining else None
    if campaign is not None and (campaign.status is CampaignStatus.CLOSED or campaign.archived):
        campaign = None  # as the campaign list hides it from volunteers (api_campaigns.visible_to)
    context = {"user": await current_user(request), "next": nxt, "campaign": campaign}
    return render(request, "signup.html", context)


async def campaigns(request: Request) -> Response:
    """The campaigns to call; organizers filter them (`?status=&mode=&archived=&q=`, as the API's list)."""
    user = await page_user(request)
    listed = await CampaignStore(deps(request).redis).list()
    organizer = user.role.includes(Role.ORGANIZER)
    try:
        # The filter form sends its "any" choices empty: those filter nothing.
        keep = list_filter({k: v for k, v in request.query_params.items() if v}, user)
    except ApiError:
        keep = ListFilter()  # a hand-edited address: show the default list rather than an error
    listed = [c for c in listed if visible_to(c, user)]
    listed = [c for c in listed if keep.keeps(c)]
    context = {
        "user": user,
        "campaigns": listed,
        "organizer": organizer,
        "base_url": _base(request),
        "filter": keep,
        "query": request.query_params,
    }
    return render(request, "campaigns.html", context)


async def join(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/signup?next={target}", status_code=303)
    campaign = await page_campaign(request, user)
    # How its volunteers call decides what the page tells them: from their own phone, voters see their number.
    methods = [m.value for m in methods_for(deps(request), campaign)]
    context = {
        "user": user,
        "campaign": campaign,
        "methods": methods,
        "own_phone_only": methods == ["own_phone"],
    }
    return render(request, "join.html", context)


async def profile(request: Request) -> Response:
    user = await page_user(request)
    d = deps(request)
    rows: list[dict[str, Any]] = []
    for campaign in await CampaignStore(d.redis).list():
        score = await d.redis.zscore(keys.leaderboard(campaign.id), user.id)
        if score:
            rows.append({"campaign": campaign, "calls": int(score)})
    total = sum(int(r["calls"]) for r in rows)
    teams = TeamStore(d.redis)
    team_id = await teams.team_of(user.id)
    team = await teams.get(team_id) if team_id else None
    # Their team's code while they lead it as a leader (a demoted one no longer); a leader stays in it
    # until an organizer hands it over (api_teams), so Leave is not offered to them.
    leads = team is not None and team.leader == user.id and user.role.includes(Role.LEADER)
    held = leads and not user.role.includes(Role.ORGANIZER)
    context = {"user": user, "rows": rows, "total": total, "team": team, "leads": leads, "held": held}
    return render(request, "profile.html", context)


async def call_page(request: Request) -> Response:
    user = await page_user(request)
    campaign = await page_campaign(request, user)
    d = deps(request)
    twilio = d.settings.carrier == "twilio" and VENDOR_SDK.exists()
    data = {
        "campaign": campaign_json(campaign, user),
        "user": {"id": user.id, "name": user.name},
        "phone": "twilio" if twilio else "simulated",
        "twilio_wanted": d.settings.carrier == "twilio",
        "manual_results": [r.value for r in MANUAL_RESULTS],
        # The ways this volunteer can call here (own phone is the fallback when no carrier can place calls).
        "methods": [m.value for m in methods_for(d, campaign)],
        "carrier_ready": browser_ready(d),
        "voicemail": await has_voicemail(d.redis, campaign),  # a message to leave: recorded or text
    }
    return render(request, "call.html", {"user": user, "campaign": campaign, "data": data})


async def dashboard(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    campaign = await page_campaign(request, user)
    d = deps(request)
    now = d.clock()
    minute = math.floor(now / 60)
    minutes = [str(m) for m in range(minute - 59, minute + 1)]
    per_minute = await d.redis.hmget(keys.calls_per_minute(campaign.id), minutes)
    data = {
        "campaign": campaign.to_json(),
        "minute": minute,
        "per_minute": [int(n) if n else 0 for n in per_minute],
        "teams": [{"id": t.id, "name": t.name} for t in await TeamStore(d.redis).all()],
    }
    link = join_url(request, campaign.id)
    context = {
        "user": user,
        "campaign": campaign,
        "data": data,
        "join_link": link,
        "join_qr": join_qr_svg(link, scale=5),
        "script_findings": await script_findings(request, campaign.script_id),
    }
    return render(request, "dashboard.html", context)


async def campaign_settings(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    campaign = await page_campaign(request, user)
    audio = await VoicemailAudioStore(deps(request).redis).meta(campaign.id)
    data = {"campaign": campaign.to_json(), "new": False, "voicemail_audio": audio}
    context = {"user": user, "campaign": campaign, "data": data, "voicemail_audio": audio}
    context |= await campaign_form.form_context(deps(request).redis, campaign)
    context["carrier_ready"] = browser_ready(deps(request))
    context["script_findings"] = await script_findings(request, campaign.script_id)
    return render(request, "settings.html", context)


async def new_campaign(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    data = {"campaign": None, "new": True}
    context: dict[str, Any] = {"user": user, "campaign": None, "data": data}
    context |= await campaign_form.form_context(deps(request).redis, None)
    context["carrier_ready"] = browser_ready(deps(request))
    return render(request, "settings.html", context)


async def scripts(request: Request) -> Response:
    user = await page_user(request, Role.ORGANIZER)
    data = {"script_id": request.query_params.get("id", "")}
    script_ids = (await ScriptStore(deps(request).redis).ids())[:50]
    findings = await scripts_findings(request, script_ids)  # stored before a check that now refuses them
    context = {"user": user, "data": data, "script_ids": script_ids, "findings": findings}
    return render(request, "scripts.html", context)


def _base(request: Request) -> str:
    return deps(request).settings.public_url or str(request.base_url).rstrip("/")


routes: list[BaseRoute] = [
    Route("/", home, methods=["GET"]),
    Route("/favicon.ico", lambda request: RedirectResponse("/static/favicon.svg", status_code=301)),
    Route("/signin", signin, methods=["GET"]),
    Route("/signup", signup, methods=["GET"]),
    Route("/campaigns", _guarded(campaigns), methods=["GET"]),
    Route("/campaigns/new", _guarded(new_campaign), methods=["GET"]),
    Route("/join/{campaign_id}", _guarded(join), methods=["GET"]),
    Route("/profile", _guarded(profile), methods=["GET"]),
    Route("/call/{campaign_id}", _guarded(call_page), methods=["GET"]),
    Route("/campaigns/{campaign_id}/dashboard", _guarded(dashboard), methods=["GET"]),
    Route("/campaigns/{campaign_id}/settings", _guarded(campaign_settings), methods=["GET"]),
    Route("/scripts", _guarded(scripts), methods=["GET"]),
    *pages_tools.routes,
    Mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static"),
]
