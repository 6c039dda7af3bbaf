"""The campaign's CRM (VAN/EveryAction, OSDI) in the OpenAPI description: connection, mapping, ledger."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.operations import CAMPAIGN_ID, json_answer, json_body, op, path_param, query_param
from dialer.web.openapi.other_paths import _page
from dialer.web.openapi.schemas import ANY_OBJECT, BOOL, INT, NUMBER, STRING, TIME, Schema, nullable, obj

CONNECTION: Schema = obj(
    ["kind", "rate", "key_hint", "check"],
    kind={"type": "string", "enum": ["van", "osdi"]},
    app_name=STRING,
    mode={"type": "string", "enum": ["my_voters", "my_campaign"]},
    base_url=STRING,
    rate=NUMBER,
    key_hint=STRING,
    check=nullable(obj(["ok", "message", "at"], ok=BOOL, message=STRING, at=TIME)),
)
CONNECTION_ANSWER: Schema = obj(["connection"], connection=nullable(CONNECTION))
CONNECTION_BODY: Schema = {
    "type": "object",
    "description": "VAN: `{kind: 'van', app_name, api_key, mode: 'my_voters'|'my_campaign', rate?}` (the key "
    "without its |0 or |1); OSDI: `{kind: 'osdi', base_url, api_token, rate?}`. `rate`: requests a second.",
}
STRINGS: Schema = {"type": "array", "items": STRING}
PROBLEMS: Schema = {"type": "array", "items": obj(["path", "message"], path=STRING, message=STRING)}
MAPPING_VIEW: Schema = obj(
    [
        "script_id",
        "script_version",
        "mapped_versions",
        "results",
        "questions",
        "free_questions",
        "mapping",
        "unmapped",
        "catalog",
    ],
    script_id=STRING,
    script_version=INT,
    mapped_versions={"type": "array", "items": INT},
    results={"type": "array", "items": STRING},
    questions={"type": "array", "items": obj(["key", "values"], key=STRING, values=STRINGS)},
    free_questions={"type": "array", "items": STRING},
    mapping=nullable(ANY_OBJECT),
    unmapped=PROBLEMS,
    catalog=nullable(ANY_OBJECT),
)
LEDGER_FIELDS = ["entry_id", "contact_id", "external_id", "result", "recorded_at", "status", "message"]
LEDGER_FIELDS += ["tries", "in_doubt"]
LEDGER_ROW: Schema = obj(
    LEDGER_FIELDS,
    entry_id=STRING,
    contact_id=STRING,
    external_id=STRING,
    result=STRING,
    recorded_at=nullable(TIME),
    status={"type": "string", "enum": ["waiting", "pending", "sending", "sent", "skipped", "failed"]},
    message=STRING,
    tries=INT,
    in_doubt=BOOL,
    corrects=nullable(STRING),
    retry_at=nullable(TIME),
)
LEDGER: Schema = obj(
    ["counts", "results", "waiting", "entries"],
    counts={"type": "object", "additionalProperties": INT},
    results=INT,
    waiting=INT,
    entries={"type": "array", "items": LEDGER_ROW},
)
CHECK: Schema = obj(["ok", "message"], ok=BOOL, message=STRING)
CATALOG: Schema = obj(["catalog", "fetched_at"], catalog=ANY_OBJECT, fetched_at=TIME)
SAVED: Schema = obj(["mapping", "unmapped"], mapping=ANY_OBJECT, unmapped=PROBLEMS)
RETRY_BODY: Schema = {"type": "object", "description": '`{"entry_ids": [...]}` or `{"all_failed": true}`'}
REQUEUED: Schema = obj(["requeued"], requeued=INT)


def crm_paths() -> dict[str, dict[str, Any]]:
    tag, p = "crm", "/api/campaigns/{campaign_id}/crm"
    page = _page("crmPage", "The CRM page: link, map, sync", role="organizer", params=(CAMPAIGN_ID,))
    return {
        "/campaigns/{campaign_id}/crm": {"get": page},
        p: {
            "get": op(
                "getCrm",
                "The campaign's CRM connection (never its key)",
                params=(CAMPAIGN_ID,),
                answers={200: json_answer("The connection, or null", CONNECTION_ANSWER)},
                tag=tag,
                role="organizer",
            ),
            "put": op(
                "putCrm",
                "Link the campaign to VAN/EveryAction or an OSDI server",
                params=(CAMPAIGN_ID,),
                body=json_body(CONNECTION_BODY),
                answers={200: json_answer("The connection as saved", CONNECTION_ANSWER)},
                errors=(409,),
                description="The key is sealed with DIALER_CRM_KEY (409 `crm_key_not_set` without "
                "it) and never shown again; results recorded before are sent too.",
                tag=tag,
                role="organizer",
            ),
            "delete": op(
                "deleteCrm",
                "Unlink the campaign's CRM (the ledger and mappings are kept)",
                params=(CAMPAIGN_ID,),
                answers={204: {"description": "Unlinked"}},
                tag=tag,
                role="organizer",
            ),
        },
        p + "/check": {
            "post": op(
                "checkCrm",
                "Check the connection with the CRM",
                params=(CAMPAIGN_ID,),
                answers={200: json_answer("What the CRM said", CHECK)},
                errors=(409,),
                tag=tag,
                role="organizer",
            ),
        },
        p + "/catalog": {
            "post": op(
                "fetchCrmCatalog",
                "Load the CRM's survey questions, result codes and activist codes",
                params=(CAMPAIGN_ID,),
                errors=(409, 502),
                answers={200: json_answer("The catalog", CATALOG)},
                tag=tag,
                role="organizer",
            ),
        },
        p + "/mapping": {
            "get": op(
                "getCrmMapping",
                "A script version's mapping, what it leaves unmapped, the catalog",
                params=(CAMPAIGN_ID, query_param("version", "the script version (default: latest)")),
                answers={200: json_answer("The mapping page's data", MAPPING_VIEW)},
                tag=tag,
                role="organizer",
            ),
        },
        p + "/mapping/{version}": {
            "put": op(
                "putCrmMapping",
                "Save the mapping of one script version",
                params=(CAMPAIGN_ID, path_param("version", pattern="^[0-9]{1,9}$")),
                body=json_body(
                    {
                        "type": "object",
                        "description": "`{results: {code: target}, answers: "
                        "{question: {value: target}}}` (docs/API-additions.md)",
                    }
                ),
                answers={200: json_answer("Saved", SAVED)},
                errors=(409,),
                tag=tag,
                role="organizer",
            ),
        },
        p + "/ledger": {
            "get": op(
                "getCrmLedger",
                "The sync ledger: counts and the newest (or the failed) results",
                params=(CAMPAIGN_ID, query_param("status", "only the results in this state")),
                answers={200: json_answer("The ledger", LEDGER)},
                tag=tag,
                role="organizer",
            ),
        },
        p + "/retry": {
            "post": op(
                "retryCrm",
                "Send failed (or sent) results again",
                params=(CAMPAIGN_ID,),
                body=json_body(RETRY_BODY),
                answers={200: json_answer("How many were queued", REQUEUED)},
                tag=tag,
                role="organizer",
            ),
        },
        p + "/replay": {
            "post": op(
                "replayCrm",
                "Send again every result recorded between two times",
                params=(CAMPAIGN_ID,),
                body=json_body(obj(["from", "to"], closed=True, **{"from": STRING, "to": STRING})),
                answers={200: json_answer("How many were queued", REQUEUED)},
                tag=tag,
                role="organizer",
            ),
        },
    }
