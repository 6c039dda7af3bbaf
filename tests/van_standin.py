"""A local stand-in for the VAN/EveryAction v4 endpoints the CRM sync uses, for tests and the bench.

A Starlette app: in-process through `httpx.ASGITransport(app=standin.app)`, or served by uvicorn
(`serve()`) for a worker in another process. It checks EVERY request against the shapes VAN documents:
basic auth with the application name and `<key>|0` or `<key>|1`; `POST /v4/people/{vanId}/canvassResponses`
with a `canvassContext` (contactTypeId, inputTypeId, ISO 8601 dateCanvassed) and either a `resultCodeId`
or `responses` (SurveyResponse / ActivistCode / VolunteerActivity items), never both, with ids from its own
catalog. A request that breaks the shape is answered 400 in VAN's error shape and counted in `violations`,
which tests assert empty. It can answer 429 (with Retry-After), 5xx, slowly, and 404 for unknown VANIDs.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jsonschema
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SURVEY_QUESTIONS = [
    {"surveyQuestionId": 101, "type": "Candidate", "cycle": 2026, "name": "Support", "mediumName": "Support",
     "shortName": "Sup", "scriptQuestion": "Can we count on your vote?", "status": "Active",
     "responses": [{"surveyResponseId": 1001, "name": "Yes", "mediumName": "Yes", "shortName": "Y"},
                   {"surveyResponseId": 1002, "name": "Undecided", "mediumName": "Und", "shortName": "U"},
                   {"surveyResponseId": 1003, "name": "No", "mediumName": "No", "shortName": "N"}]},
    {"surveyQuestionId": 102, "type": "Issue", "cycle": 2026, "name": "Persuaded", "mediumName": "Pers",
     "shortName": "Pe", "scriptQuestion": "Does that help you decide?", "status": "Active",
     "responses": [{"surveyResponseId": 1011, "name": "Leaning yes", "mediumName": "LY", "shortName": "LY"},
                   {"surveyResponseId": 1012, "name": "Leaning no", "mediumName": "LN", "shortName": "LN"}]},
    {"surveyQuestionId": 103, "type": "Issue", "cycle": 2026, "name": "Vote plan", "mediumName": "Plan",
     "shortName": "Pl", "scriptQuestion": "When will you vote?", "status": "Active",
     "responses": [{"surveyResponseId": 1021, "name": "Morning", "mediumName": "AM", "shortName": "AM"},
                   {"surveyResponseId": 1022, "name": "Afternoon", "mediumName": "PM", "shortName": "PM"},
                   {"surveyResponseId": 1023, "name": "Evening", "mediumName": "Eve", "shortName": "Ev"},
                   {"surveyResponseId": 1024, "name": "By mail", "mediumName": "Mail", "shortName": "M"}]},
]  # fmt: skip
RESULT_CODES = [
    {"resultCodeId": n, "name": name, "mediumName": name[:8], "shortName": short}
    for n, name, short in [
        (1, "Busy", "BZ"), (2, "Not Home", "NH"), (3, "Moved", "MV"), (4, "Refused", "RF"),
        (5, "Wrong Number", "WN"), (6, "Deceased", "DE"), (7, "Left Message", "LM"),
        (8, "Disconnected", "DC"), (9, "Language Barrier", "LB"), (10, "Do Not Call", "DN"),
    ]
]  # fmt: skip
ACTIVIST_CODES = [
    {"activistCodeId": 501, "type": "Volunteer", "name": "Volunteer prospect", "mediumName": "Vol",
     "shortName": "V", "description": "", "scriptQuestion": "", "status": "Active"},
    {"activistCodeId": 502, "type": "Action", "name": "Needs a ride", "mediumName": "Ride",
     "shortName": "R", "description": "", "scriptQuestion": "", "status": "Active"},
]  # fmt: skip

_CONTEXT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "contactTypeId": {"type": ["integer", "null"]},
        "inputTypeId": {"type": ["integer", "null"]},
        "dateCanvassed": {"type": ["string", "null"]},
        "phoneId": {"type": ["integer", "null"]},
        "omitActivistCodeContactHistory": {"type": "boolean"},
    },
}
_RESPONSE_ITEM = {
    "oneOf": [
        {"type": "object", "additionalProperties": False,
         "required": ["type", "surveyQuestionId", "surveyResponseId"],
         "properties": {"type": {"const": "SurveyResponse"}, "surveyQuestionId": {"type": "integer"},
                        "surveyResponseId": {"type": "integer"}}},
        {"type": "object", "additionalProperties": False, "required": ["type", "activistCodeId", "action"],
         "properties": {"type": {"const": "ActivistCode"}, "activistCodeId": {"type": "integer"},
                        "action": {"enum": ["Apply", "Remove"]}}},
        {"type": "object", "additionalProperties": False,
         "required": ["type", "volunteerActivityId", "action"],
         "properties": {"type": {"const": "VolunteerActivity"}, "volunteerActivityId": {"type": "integer"},
                        "action": {"enum": ["Apply", "Remove"]}}},
    ]
}  # fmt: skip
CANVASS_RESPONSE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "canvassContext": _CONTEXT,
        "resultCodeId": {"type": ["integer", "null"]},
        "responses": {"type": ["array", "null"], "items": _RESPONSE_ITEM},
    },
}


_VALIDATOR = jsonschema.Draft202012Validator(CANVASS_RESPONSE_SCHEMA)


def _error(status: int, code: str, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"code": code, "text": text}]}, status_code=status, headers=headers)


@dataclass
class VanStandin:
    app_name: str = "dialer-test"
    api_key: str = "0123abcd-test-key-4567"
    mode: str = "1"  # MyCampaign
    page_size: int = 2  # small, so paging is exercised
    unknown_vanids: set[int] = field(default_factory=set)
    delay: float = 0.0  # seconds before each canvass response is answered
    received: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)  # when each of `received` arrived (time.time)
    violations: list[str] = field(default_factory=list)
    _failures: list[tuple[int, float | None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, count: int = 1, retry_after: float | None = None) -> None:
        """The next `count` canvass responses get `status` (429 with Retry-After when given, or 5xx)."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * count)

    def counts(self) -> Counter[int]:
        """Canvass responses recorded per VANID."""
        with self._lock:
            return Counter(vanid for vanid, _ in self.received)

    @property
    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v4/echoes", self._echo, methods=["POST"]),
                Route("/v4/surveyQuestions", self._survey_questions, methods=["GET"]),
                Route("/v4/activistCodes", self._activist_codes, methods=["GET"]),
                Route("/v4/canvassResponses/resultCodes", self._result_codes, methods=["GET"]),
                Route("/v4/people/{van_id}/canvassResponses", self._canvass, methods=["POST"]),
            ]
        )

    def _authorized(self, request: Request) -> bool:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        if scheme != "Basic":
            return False
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        return user == self.app_name and password == f"{self.api_key}|{self.mode}"

    def _violation(self, message: str) -> JSONResponse:
        with self._lock:
            self.violations.append(message)
        return _error(400, "INVALID_PARAMETER", message)

    async def _echo(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(401, "UNAUTHORIZED", "Authorization has been denied for this request.")
        return JSONResponse(await request.json())

    def _page(self, request: Request, items: list[dict[str, Any]], path: str) -> Response:
        if not self._authorized(request):
            return _error(401, "UNAUTHORIZED", "Authorization has been denied for this request.")
        top = min(int(request.query_params.get("$top", 50)), 200, self.page_size)
        skip = int(request.query_params.get("$skip", 0))
        following = None
        if skip + top < len(items):
            following = f"{request.base_url}v4/{path}?$top={top}&$skip={skip + top}"
        page = {"items": items[skip : skip + top], "nextPageLink": following, "count": len(items)}
        return JSONResponse(page)

    async def _survey_questions(self, request: Request) -> Response:
        return self._page(request, SURVEY_QUESTIONS, "surveyQuestions")

    async def _activist_codes(self, request: Request) -> Response:
        return self._page(request, ACTIVIST_CODES, "activistCodes")

    async def _result_codes(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(401, "UNAUTHORIZED", "Authorization has been denied for this request.")
        return JSONResponse(RESULT_CODES)

    async def _canvass(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._violation("bad basic auth: application name and key|mode")
        if request.headers.get("content-type", "").split(";")[0] != "application/json":
            return self._violation("canvass responses are JSON")
        raw_id = request.path_params["van_id"]
        if not raw_id.isdigit() or int(raw_id) <= 0:
            return self._violation(f"vanId {raw_id!r} is not a positive integer")
        body = await request.json()
        problem = self._check(body)
        if problem:
            return self._violation(problem)
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            status, after = failure
            headers = {"Retry-After": f"{after:g}"} if after is not None else None
            if status == 429:
                return _error(429, "TOO_MANY_REQUESTS", "Rate limit exceeded.", headers)
            return _error(status, "INTERNAL_SERVER_ERROR", "An unexpected error occurred.", headers)
        vanid = int(raw_id)
        if vanid in self.unknown_vanids:
            return _error(404, "NOT_FOUND", "The specified resource cannot be found.")
        with self._lock:
            self.received.append((vanid, body))
            self.arrived.append(time.time())
        return Response(status_code=204)

    def _check(self, body: Any) -> str:
        try:
            _VALIDATOR.validate(body)
        except jsonschema.ValidationError as exc:
            return f"canvass response shape: {exc.message}"
        context = body.get("canvassContext") or {}
        if context.get("dateCanvassed") is not None:
            try:
                datetime.fromisoformat(context["dateCanvassed"])
            except ValueError:
                return "dateCanvassed is not ISO 8601"
        responses = body.get("responses") or []
        if body.get("resultCodeId") is not None and responses:
            return "resultCodeId must be null when responses are given"
        if body.get("resultCodeId") is None and not responses:
            return "either resultCodeId or responses is required"
        if body.get("resultCodeId") is not None and body["resultCodeId"] not in {
            c["resultCodeId"] for c in RESULT_CODES
        }:
            return f"unknown resultCodeId {body['resultCodeId']}"
        for item in responses:
            if item["type"] == "SurveyResponse":
                question = next(
                    (q for q in SURVEY_QUESTIONS if q["surveyQuestionId"] == item["surveyQuestionId"]), None
                )
                if question is None or item["surveyResponseId"] not in {
                    r["surveyResponseId"] for r in question["responses"]
                }:
                    return f"unknown survey response {item}"
            elif item["type"] == "ActivistCode" and item["activistCodeId"] not in {
                c["activistCodeId"] for c in ACTIVIST_CODES
            }:
                return f"unknown activist code {item}"
        return ""


def serve(standin: VanStandin, port: int) -> tuple[Any, threading.Thread]:
    """Serves the stand-in on 127.0.0.1:`port` in a thread; returns (uvicorn server, thread)."""
    import uvicorn

    config = uvicorn.Config(standin.app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return server, thread
