"""The OpenAPI description's building blocks: JSON Schemas of what the API takes and gives, and helpers
that keep each operation's entry short.

Request schemas are never stricter than the server: every constraint here is one the server enforces
(the fuzzer checks that a request the schema rejects is refused). Response schemas list what a client may
rely on; objects may grow (API.md: the contract grows by adding), so they allow more properties."""

from __future__ import annotations

from typing import Any

from dialer.calling_methods import CallingMethod
from dialer.models import RESULT_CODES, CampaignStatus, Mode, Role
from dialer.web.openapi.caller_id_schema import CALLER_ID_OUT, CALLER_IDS_IN
from dialer.web.openapi.period_schema import ABANDON_PERIOD
from dialer.web.openapi.recording_schema import RECORDING_IN, RECORDING_OUT
from dialer.web.openapi.transfer_schema import TRANSFER_TARGETS_IN, TRANSFER_TARGETS_OUT

Schema = dict[str, Any]

ID_PATTERN = "^[a-z0-9][a-z0-9-]{0,63}$"
E164_PATTERN = "^\\+[1-9][0-9]{6,14}$"
HHMM_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
JSON = "application/json"


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], closed: bool = False, **properties: Schema) -> Schema:
    out: Schema = {"type": "object", "properties": properties, "required": required}
    if closed:
        out["additionalProperties"] = False
    return out


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


STRING: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOL: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "format": "date-time"}
ANY_OBJECT: Schema = {"type": "object"}

# What every stored campaign has (the rest came later: stored campaigns may lack them).
CAMPAIGN_REQUIRED = ["id", "name", "script_id", "caller_id", "mode", "status", "batch_size", "lease_seconds",
                     "calling_hours", "max_attempts", "retry_minutes", "abandon_cap", "goal",
                     "default_timezone", "cell_consent"]  # fmt: skip
SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        ["error"],
        error=obj(
            ["code", "message", "details"],
            code={"type": "string", "pattern": "^[a-z0-9_]+$"},
            message=STRING,
            details={"type": "array"},
        ),
    ),
    "User": obj(
        ["id", "email", "name", "role"],
        id=STRING,
        email=STRING,
        name=STRING,
        role={"enum": [r.value for r in Role]},
    ),
    "Session": obj(["user", "token"], user=ref("User"), token=STRING),
    "Signup": obj(
        ["email", "name", "password"],
        closed=True,
        email={"type": "string", "maxLength": 254, "examples": ["volunteer@example.org"]},
        name={"type": "string", "maxLength": 120, "examples": ["Val Volunteer"]},
        password={"type": "string", "minLength": 8, "maxLength": 1024, "examples": ["blue kettle sings"]},
    ),
    "Login": obj(
        ["email", "password"],
        closed=True,
        email={"type": "string", "maxLength": 254},
        password={"type": "string", "maxLength": 1024},
    ),
    "RoleChange": obj(["role"], closed=True, role={"enum": [r.value for r in Role]}),
    "CallingHours": obj(
        ["start", "end"],
        closed=True,
        start={"type": "string", "pattern": HHMM_PATTERN},
        end={"type": "string", "pattern": HHMM_PATTERN},
    ),
    "Campaign": obj(
        CAMPAIGN_REQUIRED,
        id=STRING,
        name=STRING,
        script_id=STRING,
        caller_id=STRING,
        mode={"enum": [m.value for m in Mode]},
        status={"enum": [s.value for s in CampaignStatus]},
        batch_size=INT,
        lease_seconds=INT,
        calling_hours=ref("CallingHours"),
        max_attempts=INT,
        retry_minutes=INT,
        abandon_cap=NUMBER,
        goal=nullable(INT),
        default_timezone=STRING,
        cell_consent=BOOL,
        voicemail_message=nullable(STRING),
        calling_method={"type": "array", "items": {"enum": [m.value for m in CallingMethod]}},
        caller_ids={"type": "array", "items": ref("CallerId")},
        inbound_number=nullable(STRING),
        **RECORDING_OUT,
        transfer_targets=TRANSFER_TARGETS_OUT,
        preview_conference=BOOL,
        created_at=nullable(TIME),
        archived=BOOL,
    ),
    "Batch": obj(
        ["id", "campaign_id", "expires_at", "contacts"],
        id=STRING,
        campaign_id=STRING,
        expires_at=TIME,
        contacts={"type": "array", "items": ref("BatchContact")},
        called={"type": "array", "items": {"allOf": [ref("BatchContact")], "required": ["result"]}},
    ),
    "BatchContact": obj(
        ["id", "external_id", "first_name", "last_name", "phone", "fields"],
        id=STRING,
        external_id=STRING,
        first_name=STRING,
        last_name=STRING,
        phone=STRING,
        state=STRING,
        zip=STRING,
        timezone=STRING,
        attempts=INT,
        fields=ANY_OBJECT,
    ),
    "Result": obj(
        ["contact_id", "result"],
        closed=True,
        contact_id={"type": "string", "maxLength": 64},
        result={"enum": sorted(RESULT_CODES)},
        answers=nullable(ANY_OBJECT),
        notes=nullable({"type": "string", "maxLength": 10_000}),
        idempotency_key=nullable({"type": "string", "maxLength": 200}),
        call_sid=nullable({"type": "string", "maxLength": 64}),
        call_back_at=nullable(STRING),
    ),
    "Skipped": obj(["skipped", "skips_left"], skipped=STRING, skips_left=INT),
    "HistoryEntry": obj(
        ["at", "result", "attempt", "notes", "volunteer"],
        at=TIME,
        result=STRING,
        attempt=INT,
        notes=STRING,
        volunteer=STRING,
    ),
    "Recorded": obj(["recorded", "duplicate"], recorded=BOOL, duplicate=BOOL),
    "Stats": obj(
        [
            "campaign_id",
            "contacts",
            "pending",
            "leased",
            "completed",
            "results",
            "calls",
            "contacts_reached",
            "contact_rate",
            "active_volunteers",
            "calls_last_hour",
            "goal",
            "abandon_rate",
            "leaderboard",
        ],
        campaign_id=STRING,
        contacts=INT,
        pending=INT,
        leased=INT,
        completed=INT,
        results={"type": "object", "additionalProperties": INT},
        calls=INT,
        contacts_reached=INT,
        contact_rate=NUMBER,
        active_volunteers=INT,
        calls_last_hour=INT,
        goal=nullable(INT),
        abandon_rate=nullable(NUMBER),
        leaderboard={
            "type": "array",
            "items": obj(["volunteer", "name", "calls"], volunteer=STRING, name=STRING, calls=INT),
        },
        teams={"type": "array", "items": obj(["team", "name", "calls"], team=STRING, name=STRING, calls=INT)},
        mode={"enum": [m.value for m in Mode]},
        status={"enum": [s.value for s in CampaignStatus]},
        dialer=ANY_OBJECT,
    ),
    "ImportReport": obj(
        ["imported", "duplicates", "skipped_dnc", "invalid"],
        imported=INT,
        duplicates=INT,
        skipped_dnc=INT,
        invalid={"type": "array", "items": obj(["row", "message"], row=INT, message=STRING)},
        script_fields={"type": "array", "items": obj(["field", "message"], field=STRING, message=STRING)},
    ),
    "ImportQueued": obj(
        ["job_id", "status", "progress_url"], job_id=STRING, status={"const": "queued"}, progress_url=STRING
    ),
    "ImportProgress": obj(["status"], status={"enum": ["queued", "running", "done", "failed"]}),
    "Phones": obj(
        ["phones"],
        phones={"type": "array", "items": STRING, "maxItems": 100_000, "examples": [["+12025550142"]]},
    ),
    "DncAdded": obj(["added"], added=INT, invalid={"type": "array"}),
    "ScriptSaved": obj(
        ["id", "version", "warnings"],
        id=STRING,
        version=INT,
        warnings={"type": "array", "items": obj(["path", "message"], path=STRING, message=STRING)},
    ),
    "ScriptSummary": obj(
        ["id", "title", "version", "updated_at"], id=STRING, title=STRING, version=INT, updated_at=TIME
    ),
    "ScriptDocument": {
        "type": "object",
        "description": "A script document (API.md's Script document), as uploaded, with its `version`.",
        "required": ["id", "version"],
        "properties": {"id": STRING, "version": INT},
    },
    "TeamName": obj(["name"], closed=True, name={"type": "string", "minLength": 1, "maxLength": 80}),
    "JoinCode": obj(
        ["join_code"], closed=True, join_code={"type": "string", "minLength": 1, "maxLength": 20}
    ),
    "Team": obj(
        ["id", "name", "leader"],
        id=STRING,
        name=STRING,
        leader=STRING,
        join_code=STRING,
        mine=BOOL,
        goal=nullable(INT),
    ),
    "TeamDetail": obj(
        ["id", "name", "leader", "join_code", "members"],
        id=STRING,
        name=STRING,
        leader=STRING,
        join_code=STRING,
        members={
            "type": "array",
            "items": obj(["id", "name", "email"], id=STRING, name=STRING, email=STRING, calls=INT),
        },
        goal=nullable(INT),
        progress=obj(
            ["campaign_id", "calls", "conversations"], campaign_id=STRING, calls=INT, conversations=INT
        ),
    ),
    "VoiceToken": obj(
        ["identity", "token"], identity=STRING, token=STRING, carrier={"enum": ["simulated", "twilio"]}
    ),
    "PlaceCall": obj(
        ["contact_id"], closed=True, contact_id={"type": "string", "minLength": 1, "maxLength": 64}
    ),
    "Call": obj(
        ["call_sid", "contact_id", "status", "answered_by", "started_at", "ended_at"],
        call_sid=STRING,
        contact_id=STRING,
        status=nullable(STRING),
        answered_by=nullable(STRING),
        started_at=nullable(TIME),
        ended_at=nullable(TIME),
    ),
    "CallPlaced": obj(["call_sid", "dialing"], call_sid=STRING, dialing={"const": True}),
    "Ready": obj(["ready"], closed=True, ready=BOOL, alive=BOOL),
    "ReadyState": obj(
        ["state", "call_sid", "contact_id"],
        state=STRING,
        call_sid=nullable(STRING),
        contact_id=nullable(STRING),
    ),
    "DialerNumbers": obj(
        [
            *("campaign_id", "mode", "dials", "live_answers", "abandoned", "canceled", "abandon_rate"),
            *("abandon_cap", "period", "dial_ratio", "lines", "mean_wait_seconds", "volunteers"),
        ],
        campaign_id=STRING,
        mode={"enum": [m.value for m in Mode]},
        dials=INT,
        live_answers=INT,
        abandoned=INT,
        canceled=INT,
        abandon_rate=NUMBER,
        abandon_cap=NUMBER,
        period=ABANDON_PERIOD,
        dial_ratio=NUMBER,
        lines=INT,
        mean_wait_seconds=nullable(NUMBER),
        volunteers={"type": "object", "additionalProperties": INT},
    ),
    "AuditEntry": obj(
        ["id", "at", "user", "name", "action", "detail", "people"],
        id=STRING,
        at=TIME,
        user=STRING,
        name=STRING,
        action=STRING,
        detail=ANY_OBJECT,
        people={"type": "object", "additionalProperties": STRING},
    ),
    "RetriesMade": obj(["made_due"], made_due=INT),
    "Progress": obj(
        ["goal", "calls", "contacts_reached", "my_calls"],
        goal=nullable(INT),
        calls=INT,
        contacts_reached=INT,
        my_calls=INT,
    ),
    "LinesRequest": obj(["source", "paths"], source=STRING, paths={"type": "array"}),
    "Lines": obj(["lines"], lines={"type": "object", "additionalProperties": nullable(INT)}),
    "PreviewRequest": obj(["source"], source=STRING, contact=ANY_OBJECT, events={"type": "array"}),
    "PreviewStep": obj(
        ["type"], type={"enum": ["step", "done"]}, step=ANY_OBJECT, result=STRING, answers=ANY_OBJECT
    ),
    "Health": obj(["status"], status={"enum": ["ok", "unavailable"]}),
    "TwilioForm": {
        "type": "object",
        "description": "Twilio's webhook form (CallSid, AccountSid, CallStatus, ...), signed with "
        "X-Twilio-Signature.",
        "additionalProperties": STRING,
    },
}


def _campaign_fields() -> dict[str, Schema]:
    """What create and update take, with the bounds the server checks (campaigns.py)."""

    def bounded(low: int, high: int) -> Schema:
        return {"type": "integer", "minimum": low, "maximum": high}

    return {
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "examples": ["Get out the vote"]},
        "script_id": {"type": "string", "pattern": ID_PATTERN, "examples": ["gotv-2026"]},
        "script_findings": {"description": "read-only, as GET answers it (any value is ignored)"},
        "caller_id": {"type": "string", "pattern": E164_PATTERN, "examples": ["+12025550199"]},
        "mode": {"enum": [m.value for m in Mode]},
        "status": {"enum": [s.value for s in CampaignStatus]},
        "batch_size": bounded(1, 200),
        "lease_seconds": bounded(60, 24 * 3600),
        "calling_hours": {**ref("CallingHours")},
        "max_attempts": bounded(1, 20),
        "retry_minutes": bounded(0, 30 * 24 * 60),
        "abandon_cap": {"type": "number", "exclusiveMinimum": 0, "maximum": 0.03},
        "goal": nullable(bounded(1, 100_000_000)),
        "default_timezone": {"type": "string", "examples": ["America/Chicago"]},
        "cell_consent": BOOL,
        "voicemail_message": nullable({"type": "string", "maxLength": 1000}),
        "calling_method": {
            "type": "array",
            "items": {"enum": [m.value for m in CallingMethod]},
            "minItems": 1,
            "uniqueItems": True,
            "description": "The ways volunteers may connect, in order of preference; `own_phone` (the "
            "volunteer dials; the server places nothing) is for preview only; `call_me` and `dial_in` "
            "work in every mode (see API-additions.md).",
            "examples": [["browser", "own_phone"]],
        },
        "caller_ids": CALLER_IDS_IN,
        "inbound_number": nullable({"type": "string", "pattern": E164_PATTERN, "examples": ["+12025550199"]}),
        **RECORDING_IN,
        "transfer_targets": TRANSFER_TARGETS_IN,
        "preview_conference": {
            "type": "boolean",
            "description": "Preview mode: the browser waits in the volunteer's conference and each voter is "
            "called into it, so coaches and warm transfers can join; off by default (see API-additions.md).",
        },
    }


SCHEMAS["CallerId"] = CALLER_ID_OUT
SCHEMAS["CampaignNew"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "script_id", "caller_id"],
    "properties": {"id": {"type": "string", "pattern": ID_PATTERN}, **_campaign_fields(), "archived": BOOL},
}
SOME_HOURS = {**SCHEMAS["CallingHours"], "required": []}  # a change may name one; the other stays as stored
SCHEMAS["CampaignChange"] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {**_campaign_fields(), "archived": BOOL, "calling_hours": SOME_HOURS},
}
