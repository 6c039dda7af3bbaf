"""The JSON API's operations (API.md and docs/API-additions.md), path by path."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import (
    CAMPAIGN_ID,
    answer,
    json_answer,
    json_body,
    link,
    op,
    path_param,
    query_param,
)
from dialer.web.openapi.people_paths import campaign_filters, stream_page
from dialer.web.openapi.schemas import JSON, nullable, obj, ref

CSV = "text/csv"
# GET's answer to organizers: what the later checks find in the campaign's stored script (API-additions).
FINDING = obj(["path", "message"], path={"type": "string"}, message={"type": "string"})
FINDINGS = obj(
    ["script_id", "version", "warnings"],
    script_id={"type": "string"},
    version={"type": "integer"},
    warnings={"type": "array", "items": FINDING},
)
CAMPAIGN_READ = {"allOf": [ref("Campaign")], "properties": {"script_findings": nullable(FINDINGS)}}
YAML = "application/yaml"
BATCH_ID = path_param("batch_id", description="The batch's id (it names its campaign)")
NO_BODY = {"description": "Nothing"}
BY_CAMPAIGN = "$response.body#/id"
CAMPAIGN_LINKS = {
    name: link(name, campaign_id=BY_CAMPAIGN)
    for name in (
        "getCampaign",
        "patchCampaign",
        "importContacts",
        "takeBatch",
        "campaignStats",
        "resultsCsv",
        "placeCall",
        "ready",
        "dialerNumbers",
        "auditLog",
        "retriesNow",
        "callProgress",
    )
}
BATCH_LINKS = {
    name: link(name, batch_id=BY_CAMPAIGN)
    for name in ("renewBatch", "releaseBatch", "postResult", "skipContact")
}


def _csv_body(*, json_too: bool = False) -> dict[str, Any]:
    content: dict[str, Any] = {
        CSV: {"schema": {"type": "string"}, "example": "phone,first_name\n+12025550142,Ada\n"},
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string"}}}
        },
    }
    if json_too:
        content = {JSON: {"schema": ref("Phones")}, **content}
    return {"required": True, "content": content}


def api_paths() -> dict[str, dict[str, Any]]:
    auth = "accounts"
    camp = "campaigns"
    return {
        "/healthz": {
            "get": op(
                "health",
                "Is the server (and its Redis) up?",
                tag="health",
                role=None,
                answers={200: json_answer("Up", ref("Health"))},
                errors=(503,),
            ),
        },
        "/api/auth/signup": {
            "post": op(
                "signup",
                "Create a volunteer account (sets the session cookie)",
                tag=auth,
                role=None,
                body=json_body(ref("Signup")),
                answers={201: json_answer("Signed up", ref("Session"))},
                errors=(409,),
                description="409 `email_taken`; 503 `busy` when too many sign-ups wait.",
            ),
        },
        "/api/auth/login": {
            "post": op(
                "login",
                "Sign in (sets the session cookie)",
                tag=auth,
                role=None,
                body=json_body(ref("Login")),
                answers={200: json_answer("Signed in", ref("Session"))},
                errors=(429,),
                description="401 `invalid_credentials`; 429 after repeated attempts for one email, or "
                "failures from one address (right passwords still sign in below a much higher bar).",
            ),
        },
        "/api/auth/logout": {
            "post": op("logout", "Revoke the token or cookie", tag=auth, role=None, answers={204: NO_BODY}),
        },
        "/api/me": {
            "get": op(
                "me",
                "Who am I",
                tag=auth,
                role="volunteer",
                answers={
                    200: json_answer(
                        "You", {"type": "object", "required": ["user"], "properties": {"user": ref("User")}}
                    )
                },
            ),
        },
        "/api/users/{user_id}/role": {
            "put": op(
                "setRole",
                "Change a user's role",
                tag=auth,
                role="admin",
                params=(path_param("user_id"),),
                body=json_body(ref("RoleChange")),
                answers={
                    200: json_answer(
                        "Changed",
                        {"type": "object", "required": ["user"], "properties": {"user": ref("User")}},
                    )
                },
            ),
        },
        "/api/scripts": {
            "get": op(
                "listScripts",
                "The uploaded scripts, most recently updated first (the script picker)",
                tag="scripts",
                role="organizer",
                answers={200: json_answer("Scripts", {"type": "array", "items": ref("ScriptSummary")})},
            ),
            "post": op(
                "uploadScript",
                "Upload a script (a new version of its id)",
                tag="scripts",
                role="organizer",
                body={
                    "required": True,
                    "content": {
                        JSON: {"schema": {"type": "object"}},
                        YAML: {"schema": {"type": "string"}},
                    },
                },
                answers={
                    201: json_answer(
                        "Saved", ref("ScriptSaved"), {"getScript": link("getScript", script_id=BY_CAMPAIGN)}
                    )
                },
                description="422 `invalid_script` lists every problem with its `path`, including transfers "
                "to targets a (not archived) campaign using the script does not list.",
            ),
        },
        "/api/scripts/{script_id}": {
            "get": op(
                "getScript",
                "The latest version of a script",
                tag="scripts",
                role="organizer",
                params=(path_param("script_id"),),
                answers={200: json_answer("The document", ref("ScriptDocument"))},
            ),
        },
        "/api/campaigns": {
            "post": op(
                "createCampaign",
                "Create a campaign",
                tag=camp,
                role="organizer",
                body=json_body(ref("CampaignNew")),
                answers={201: json_answer("Created", CAMPAIGN_READ, CAMPAIGN_LINKS)},
                errors=(409,),
            ),
            "get": op(
                "listCampaigns",
                "The campaigns you may call (organizers: all), filtered",
                tag=camp,
                role="volunteer",
                params=campaign_filters(),
                answers={200: json_answer("Campaigns", {"type": "array", "items": ref("Campaign")})},
            ),
        },
        "/api/campaigns/{campaign_id}": {
            "get": op(
                "getCampaign",
                "A campaign (closed ones: organizers only)",
                tag=camp,
                role="volunteer",
                params=(CAMPAIGN_ID,),
                answers={200: json_answer("The campaign", CAMPAIGN_READ)},
            ),
            "patch": op(
                "patchCampaign",
                "Change a campaign, pause, resume or close it",
                tag=camp,
                role="organizer",
                params=(CAMPAIGN_ID,),
                body=json_body(ref("CampaignChange")),
                answers={200: json_answer("Changed", CAMPAIGN_READ)},
            ),
        },
        "/api/campaigns/{campaign_id}/contacts": {
            "post": op(
                "importContacts",
                "Import a call list (CSV)",
                tag=camp,
                role="organizer",
                params=(CAMPAIGN_ID, query_param("background", "`true`: queue it for the worker (202)")),
                body=_csv_body(),
                answers={
                    200: json_answer("Imported", ref("ImportReport")),
                    202: json_answer(
                        "Queued",
                        ref("ImportQueued"),
                        {
                            "importStatus": link(
                                "importStatus",
                                campaign_id="$request.path.campaign_id",
                                job_id="$response.body#/job_id",
                            )
                        },
                    ),
                },
                errors=(409,),
            ),
        },
        "/api/campaigns/{campaign_id}/imports/{job_id}": {
            "get": op(
                "importStatus",
                "A background import's progress",
                tag=camp,
                role="organizer",
                params=(CAMPAIGN_ID, path_param("job_id")),
                answers={200: json_answer("Progress", ref("ImportProgress"))},
            ),
        },
        "/api/dnc": {
            "post": op(
                "addDnc",
                "Add phones to the do-not-call list",
                tag=camp,
                role="organizer",
                body=_csv_body(json_too=True),
                answers={200: json_answer("Added", ref("DncAdded"))},
            ),
        },
        "/api/dnc/{phone}": {
            "delete": op(
                "removeDnc",
                "Take a phone off the do-not-call list",
                tag=camp,
                role="organizer",
                params=(
                    path_param("phone", description="a phone number"),
                    {
                        "name": "reason",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string", "maxLength": 500},
                        "description": "Why (kept in the audit with who and when)",
                    },
                ),
                answers={204: NO_BODY},
            ),
        },
        "/api/campaigns/{campaign_id}/stats": {
            "get": op(
                "campaignStats",
                "The call day's numbers",
                tag=camp,
                role="organizer",
                params=(CAMPAIGN_ID,),
                answers={200: json_answer("Stats", ref("Stats"))},
            ),
        },
        "/api/campaigns/{campaign_id}/results.csv": {
            "get": op(
                "resultsCsv",
                "Every recorded result as CSV",
                tag=camp,
                role="organizer",
                params=(CAMPAIGN_ID,),
                answers={200: answer("The results (never cached)", "text/csv")},
                errors=(503,),
                description="503 `busy` when this server already streams its limit of exports (4); a file "
                "the store cut short ends with a line starting `# INCOMPLETE EXPORT`.",
            ),
        },
        "/api/campaigns/{campaign_id}/retries-now": {
            "post": op(
                "retriesNow",
                "Make every waiting retry callable now",
                tag=camp,
                role="organizer",
                params=(CAMPAIGN_ID,),
                answers={200: json_answer("Done", ref("RetriesMade"))},
            ),
        },
        "/api/campaigns/{campaign_id}/audit": {
            "get": op(
                "auditLog",
                "Organizers' actions on the campaign, newest first, 100 (`limit`) a page",
                tag=camp,
                role="organizer",
                params=(CAMPAIGN_ID, *stream_page("The last entry's `id` of the page before")),
                answers={200: json_answer("Entries", {"type": "array", "items": ref("AuditEntry")})},
            ),
        },
        "/api/campaigns/{campaign_id}/dialer": {
            "get": op(
                "dialerNumbers",
                "The dialer's numbers",
                tag=camp,
                role="organizer",
                params=(CAMPAIGN_ID,),
                answers={200: json_answer("Numbers", ref("DialerNumbers"))},
            ),
        },
    }
