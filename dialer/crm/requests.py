"""One recorded result -> one request to the CRM, or the reason it cannot be sent (pure).

`plan` reads a results stream entry (record.lua's fields) with the mapping of its script version and
decides: send a result code, send the mapped answers (survey responses, activist codes), send nothing
(`Skip`: the organizer mapped it to nothing), or refuse (`Refuse`: the ledger marks the result failed with
the message: no CRM id, an unmapped result or value). `van_request` and `osdi_request` build the bodies
the CRMs document.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from dialer.crm.mapping import CrmMapping, Target, TargetKind, value_key

# VAN's canvass context: the contact type Phone and the input type API (GET /canvassResponses/contactTypes
# and /inputTypes list them; these are the ids VAN documents for every database).
VAN_CONTACT_TYPE_PHONE = 1
VAN_INPUT_TYPE_API = 11
ORIGIN_SYSTEM = "dialer"


@dataclass(frozen=True)
class ResultEntry:
    """The fields of one results stream entry that a CRM needs."""

    entry_id: str
    contact_id: str
    external_id: str
    result: str
    attempt: int
    recorded_at: float
    script_version: str
    answers: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_fields(cls, entry_id: str, fields: Mapping[str, str]) -> ResultEntry:
        try:
            answers = json.loads(fields.get("answers") or "{}")
        except ValueError:
            answers = {}
        return cls(
            entry_id=entry_id,
            contact_id=fields.get("contact_id", ""),
            external_id=fields.get("external_id", "").strip(),
            result=fields.get("result", ""),
            attempt=int(fields.get("attempt") or 0),
            recorded_at=float(fields.get("recorded_at") or 0),
            script_version=fields.get("script_version", ""),
            answers=answers if isinstance(answers, dict) else {},
        )

    @property
    def date_canvassed(self) -> str:
        return datetime.fromtimestamp(self.recorded_at, UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Planned:
    """What to send: a result code, or (result_code empty) the answers' targets."""

    person_id: str
    result_code: str = ""
    responses: tuple[Target, ...] = ()


@dataclass(frozen=True)
class Skip:
    reason: str


@dataclass(frozen=True)
class Refuse:
    message: str


Plan = Planned | Skip | Refuse


def plan(entry: ResultEntry, mapping: CrmMapping | None) -> Plan:
    if not entry.external_id:
        return Refuse("the contact has no CRM id (the call list's external_id or VANID column was empty)")
    if mapping is None:
        version = entry.script_version or "?"
        return Refuse(f"no mapping for version {version} of the script: map it on the CRM page, then retry")
    target = mapping.results.get(entry.result)
    if target is None:
        return Refuse(f"result {entry.result!r} is not mapped")
    if target.kind is TargetKind.NONE:
        return Skip(f"result {entry.result!r} is mapped to nothing")
    if target.kind is TargetKind.RESULT_CODE:
        return Planned(entry.external_id, result_code=target.id)
    responses: list[Target] = []
    for question, answer in entry.answers.items():
        if question not in mapping.choice_questions:
            continue  # free text or a number: never sent
        key = value_key(answer)
        value_target = mapping.answers.get(question, {}).get(key)
        if value_target is None:
            return Refuse(f"{question} = {key!r} is not mapped")
        if value_target.kind is not TargetKind.NONE and value_target not in responses:
            responses.append(value_target)
    if not responses:
        return Refuse(
            f"result {entry.result!r} sends the answers, and none of this call's answers is mapped to "
            "anything: map a result code for it or its answers"
        )
    return Planned(entry.external_id, responses=tuple(responses))


def van_id(person_id: str) -> int | None:
    """A VANID is a positive whole number."""
    return int(person_id) if person_id.isascii() and person_id.isdigit() and int(person_id) > 0 else None


def van_request(planned: Planned, entry: ResultEntry) -> tuple[str, dict[str, Any]] | Refuse:
    """(path under /v4, body) of VAN's `POST /people/{vanId}/canvassResponses`, or why not."""
    vanid = van_id(planned.person_id)
    if vanid is None:
        return Refuse(f"external_id {planned.person_id!r} is not a VANID (a whole number)")
    body: dict[str, Any] = {
        "canvassContext": {
            "contactTypeId": VAN_CONTACT_TYPE_PHONE,
            "inputTypeId": VAN_INPUT_TYPE_API,
            "dateCanvassed": entry.date_canvassed,
        }
    }
    if planned.result_code:
        body["resultCodeId"] = int(planned.result_code)
        return f"/people/{vanid}/canvassResponses", body
    # VAN: with responses the result code must be null (Canvassed is implied).
    body["resultCodeId"] = None
    body["responses"] = [_van_response(t) for t in planned.responses]
    return f"/people/{vanid}/canvassResponses", body


def _van_response(target: Target) -> dict[str, Any]:
    if target.kind is TargetKind.SURVEY_RESPONSE:
        return {
            "type": "SurveyResponse",
            "surveyQuestionId": int(target.id),
            "surveyResponseId": int(target.response),
        }
    return {"type": "ActivistCode", "activistCodeId": int(target.id), "action": "Apply"}


def osdi_request(planned: Planned, entry: ResultEntry) -> tuple[str, dict[str, Any]]:
    """(path under the base URL, body) of OSDI's record canvass helper for the person."""
    canvass: dict[str, Any] = {
        "origin_system": ORIGIN_SYSTEM,
        "action_date": entry.date_canvassed,
        "contact_type": "phone",
        "input_type": "api",
        "success": not planned.result_code,
        "status_code": planned.result_code,
    }
    body: dict[str, Any] = {"canvass": canvass}
    answers = [
        {"question": t.id, "responses": [t.response]}
        for t in planned.responses
        if t.kind is TargetKind.SURVEY_RESPONSE
    ]
    tags = [t.id for t in planned.responses if t.kind is TargetKind.ACTIVIST_CODE]
    if answers:
        body["add_answers"] = answers
    if tags:
        body["add_tags"] = tags
    return f"/people/{quote(planned.person_id, safe='')}/record_canvass_helper", body
