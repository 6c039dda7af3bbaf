"""Operations that are not the JSON API proper: the carrier's webhooks, the HTML pages and the pages'
small JSON helpers."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import CAMPAIGN_ID, answer, error, json_answer, json_body, op, path_param
from dialer.web.openapi.schemas import ref

FORM = "application/x-www-form-urlencoded"
HTML = "text/html"
TWIML = "application/xml"
SIGNATURE = {
    "name": "X-Twilio-Signature",
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": "Twilio's signature of PUBLIC_URL + path (+ query) and the form",
}


def _webhook(operation_id: str, summary: str, ok: dict[int | str, dict[str, Any]]) -> dict[str, Any]:
    out = op(
        operation_id,
        summary,
        tag="carrier webhooks",
        role=None,
        params=(SIGNATURE,),
        body={"required": True, "content": {FORM: {"schema": ref("TwilioForm")}}},
        answers=ok,
        description="Signed by the carrier: without a valid X-Twilio-Signature, 403 and nothing changes.",
    )
    out["security"] = [{}]
    return out


def _page(
    operation_id: str, summary: str, *, role: str | None, params: tuple[dict[str, Any], ...] = ()
) -> dict[str, Any]:
    """An HTML page: anonymous visitors are sent to sign in (303); a role too low gets a 403 page."""
    out = op(
        operation_id,
        summary,
        tag="pages",
        role=role,
        params=params,
        answers={
            200: answer("The page", HTML),
            303: answer("Sign in first (Location: /signin?next=...)"),
        },
    )
    out["responses"]["403"] = answer("Not allowed (an HTML page)", HTML)
    out["responses"]["404"] = answer("No such campaign, or it has closed (an HTML page)", HTML)
    if role is None:
        out["security"] = [{}, {"cookie": []}]
    return out


TWIML_ANSWER = answer("TwiML for the carrier", TWIML)
NEXT = {
    "name": "next",
    "in": "query",
    "required": False,
    "schema": {"type": "string"},
    "description": "Where to go after signing in: a path on this site (anything else is ignored)",
}


def other_paths() -> dict[str, dict[str, Any]]:
    tools = "page helpers"
    return {
        "/twilio/voice": {
            "post": _webhook(
                "twilioVoice", "The browser's call: dial the held contact, or refuse", {200: TWIML_ANSWER}
            )
        },
        "/twilio/status": {
            "post": _webhook("twilioStatus", "A call's status callback", {204: answer("Applied")})
        },
        "/twilio/amd": {
            "post": _webhook("twilioAmd", "Answering-machine detection", {204: answer("Applied")})
        },
        "/twilio/conference": {
            "post": _webhook(
                "twilioConference",
                "A volunteer's browser leg left their conference: a voter on the line is held",
                {204: answer("Applied")},
            )
        },
        "/twilio/outbound": {
            "post": _webhook("twilioOutbound", "A server-dialed voter answered", {200: TWIML_ANSWER})
        },
        "/twilio/agent": {
            "post": _webhook("twilioAgent", "A volunteer's conference leg", {200: TWIML_ANSWER})
        },
        "/": {"get": _page("home", "To the campaigns, or to sign in", role=None)},
        "/favicon.ico": {
            "get": {
                **_page("favicon", "The icon", role=None),
                "responses": {"301": answer("Moved to /static/favicon.svg")},
            }
        },
        "/signin": {"get": _page("signinPage", "The sign-in page", role=None, params=(NEXT,))},
        "/signup": {"get": _page("signupPage", "The sign-up page", role=None, params=(NEXT,))},
        "/campaigns": {"get": _page("campaignsPage", "The campaign picker", role="volunteer")},
        "/campaigns/new": {"get": _page("newCampaignPage", "A new campaign's settings", role="organizer")},
        "/join/{campaign_id}": {
            "get": _page("joinPage", "A campaign's join link", role=None, params=(path_param("campaign_id"),))
        },
        "/profile": {"get": _page("profilePage", "Your calls and team", role="volunteer")},
        "/call/{campaign_id}": {
            "get": _page(
                "callPage",
                "The volunteer's call page (never cached)",
                role="volunteer",
                params=(path_param("campaign_id"),),
            )
        },
        "/campaigns/{campaign_id}/dashboard": {
            "get": _page(
                "dashboardPage",
                "The call day's live dashboard",
                role="organizer",
                params=(path_param("campaign_id"),),
            )
        },
        "/campaigns/{campaign_id}/activity": {
            "get": _page(
                "activityPage",
                "The campaign's audit log in words, newest first",
                role="organizer",
                params=(path_param("campaign_id"),),
            )
        },
        "/campaigns/{campaign_id}/recordings": {
            "get": _page(
                "recordingsPage",
                "The campaign's recorded calls: voter, length, a player, and Delete",
                role="organizer",
                params=(path_param("campaign_id"),),
            )
        },
        "/campaigns/{campaign_id}/settings": {
            "get": _page(
                "settingsPage", "A campaign's settings", role="organizer", params=(path_param("campaign_id"),)
            )
        },
        "/scripts": {
            "get": _page(
                "scriptsPage",
                "Write and check scripts",
                role="organizer",
                params=({"name": "id", "in": "query", "required": False, "schema": {"type": "string"}},),
            )
        },
        "/call/{campaign_id}/progress": {
            "get": op(
                "callProgress",
                "The campaign's progress and your own calls",
                tag=tools,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                answers={200: json_answer("Progress", ref("Progress"))},
            ),
        },
        "/scripts/lines": {
            "post": op(
                "scriptLines",
                "The YAML line each problem path points at",
                tag=tools,
                role="organizer",
                body=json_body(ref("LinesRequest")),
                answers={200: json_answer("Lines", ref("Lines"))},
            ),
        },
        "/scripts/preview": {
            "post": op(
                "scriptPreview",
                "Walk a script with a sample contact",
                tag=tools,
                role="organizer",
                body=json_body(ref("PreviewRequest")),
                answers={200: json_answer("The step reached", ref("PreviewStep"))},
            ),
        },
    }


__all__ = ["error", "other_paths"]
