"""A local stand-in for Twilio's 2010-04-01 Calls REST API (and the lists of an account's phone numbers and
verified caller IDs), for tests.

It is an httpx.MockTransport handler: hand `TwilioStandin(...).client()` (or `.transport`) to the code
under test. It records every request, answers with realistic JSON, can be told to fail the next requests
(429, 20429, 21211 ...), and checks EVERY request it receives and every response it gives against
Twilio's own OpenAPI description (tests/reference/twilio_api_v2010.json) with openapi-core, plus the
enum-like values the description leaves as free strings. A violation raises AssertionError inside the
request, so the test that caused it fails.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

SPEC_PATH = Path(__file__).parent / "reference" / "twilio_api_v2010.json"
SPEC_HOST = "https://api.twilio.com"
E164 = re.compile(r"\+[1-9][0-9]{1,14}")
LIST_RE = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/(IncomingPhoneNumbers|OutgoingCallerIds)\.json$"
)
LIST_ITEMS = {"IncomingPhoneNumbers": "incoming_phone_numbers", "OutgoingCallerIds": "outgoing_caller_ids"}
CALLS_RE = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Calls(?:/(CA[0-9a-f]{32}))?\.json$")
CALL_RECORDINGS_RE = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Calls/(CA[0-9a-f]{32})/Recordings(?:/(RE[0-9a-f]{32}))?\.json$"
)
# A recording's audio: Twilio serves it at the Recording resource's URI with .wav (not in the API
# description, which covers the JSON resources only), with the account's basic auth when media auth is on.
MEDIA_RE = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Recordings/(RE[0-9a-f]{32})\.(wav|mp3)$")
RECORDING_EVENTS = {"in-progress", "completed", "absent"}
RECORDING_CHANNELS = {"mono", "dual"}
PARTICIPANTS_RE = re.compile(
    r"^/2010-04-01/Accounts/(AC[0-9a-f]{32})/Conferences/([^/]+)/Participants(?:/(CA[0-9a-f]{32}))?\.json$"
)
PARTICIPANT_NOTES = ("Muted", "Coaching", "CallSidToCoach", "Label")
PARTICIPANT_FIELDS = ("Muted", "Hold", "Coaching", "EndConferenceOnExit", "StartConferenceOnEnter", "Beep")

STATUS_CALLBACK_EVENTS = {"initiated", "ringing", "answered", "completed"}
MACHINE_DETECTION = {"Enable", "DetectMessageEnd"}
BOOLEAN_STRINGS = {"true", "false"}
UPDATE_STATUSES = {"canceled", "completed"}


@functools.cache
def _spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        spec: dict[str, Any] = json.load(fh)
        return spec


def list_example(resource: str) -> dict[str, Any]:
    """Twilio's own example of a list page of `resource` (a fresh copy)."""
    item = _spec()["paths"][f"/2010-04-01/Accounts/{{AccountSid}}/{resource}.json"]
    example = item["get"]["responses"]["200"]["content"]["application/json"]["examples"]["readFull"]["value"]
    return copy.deepcopy(example)  # type: ignore[no-any-return]


@functools.cache
def twilio_openapi() -> OpenAPI:
    """Twilio's API description, parsed once per test session (it is ~1.9 MB)."""
    # The description's own "phone-number" format (the PhoneNumber filters of number lists): E.164.
    config = Config(
        extra_format_validators={"phone-number": lambda v: isinstance(v, str) and bool(E164.fullmatch(v))},
        extra_format_unmarshallers={"phone-number": str},
    )
    with SPEC_PATH.open(encoding="utf-8") as fh:  # a missing spec must fail the tests, not skip them
        return OpenAPI.from_dict(json.load(fh), config=config)


def _mock_request(request: httpx.Request) -> MockRequest:
    return MockRequest(
        SPEC_HOST,
        request.method,
        request.url.path,
        args=dict(request.url.params),
        headers=dict(request.headers),
        data=request.content,
        content_type=request.headers.get("content-type", ""),
    )


def check_request(request: httpx.Request) -> list[tuple[str, str]]:
    """Validates one outgoing request against the spec and our stricter rules; returns its form pairs."""
    if MEDIA_RE.match(request.url.path) and request.method == "GET" and not request.url.params:
        return []
    result = twilio_openapi().unmarshal_request(_mock_request(request))
    if result.errors:
        raise AssertionError(
            f"request violates Twilio's API: {request.method} {request.url}: {result.errors!r}"
        )
    if request.method == "GET":
        form = list(request.url.params.multi_items())
    else:
        form = parse_qsl(request.content.decode(), keep_blank_values=True)
    for key, value in form:
        if key == "StatusCallbackEvent" and value not in STATUS_CALLBACK_EVENTS:
            raise AssertionError(f"StatusCallbackEvent {value!r} is not one Twilio knows")
        if key == "MachineDetection" and value not in MACHINE_DETECTION:
            raise AssertionError(f"MachineDetection {value!r} is not one Twilio knows")
        if key == "AsyncAmd" and value not in BOOLEAN_STRINGS:
            raise AssertionError(f"AsyncAmd must be 'true' or 'false', not {value!r}")
        if key in PARTICIPANT_FIELDS and value not in BOOLEAN_STRINGS:
            raise AssertionError(f"{key} must be 'true' or 'false', not {value!r}")
        if key == "Status" and value not in UPDATE_STATUSES:
            raise AssertionError(f"Status {value!r} is not an update status")
        if key == "RecordingStatusCallbackEvent" and value not in RECORDING_EVENTS:
            raise AssertionError(f"RecordingStatusCallbackEvent {value!r} is not one Twilio knows")
        if key == "RecordingChannels" and value not in RECORDING_CHANNELS:
            raise AssertionError(f"RecordingChannels {value!r} is not mono or dual")
    keys = {key for key, _ in form}
    if "AsyncAmd" in keys and "MachineDetection" not in keys:
        raise AssertionError("AsyncAmd without MachineDetection does nothing at Twilio")
    if {"Url", "Twiml"} <= keys:
        raise AssertionError("Url and Twiml together: Twilio rejects the call")
    values = dict(form)
    if values.get("Coaching") == "true" and not values.get("CallSidToCoach", "").startswith("CA"):
        raise AssertionError("Coaching=true needs CallSidToCoach, the CallSid of the participant coached")
    return form


def check_response(request: httpx.Request, response: httpx.Response) -> None:
    if response.is_success and MEDIA_RE.match(request.url.path):
        assert response.headers["content-type"].startswith("audio/"), response.headers
        return
    if response.is_success:
        mock = MockResponse(response.content, status_code=response.status_code)
        result = twilio_openapi().unmarshal_response(_mock_request(request), mock)
        if result.errors:
            raise AssertionError(f"stand-in response violates Twilio's API: {result.errors!r}")
        return
    # Error bodies are not in the spec; this is the shape Twilio documents for them.
    body = response.json()
    assert set(body) >= {"code", "message", "more_info", "status"}, body
    assert isinstance(body["code"], int) and isinstance(body["message"], str), body
    assert body["status"] == response.status_code, body


@dataclass
class Recorded:
    method: str
    path: str
    form: list[tuple[str, str]]
    username: str

    def get(self, key: str) -> str | None:
        return next((value for name, value in self.form if name == key), None)

    def getall(self, key: str) -> list[str]:
        return [value for name, value in self.form if name == key]


@dataclass
class TwilioStandin:
    account_sid: str
    username: str
    password: str
    requests: list[Recorded] = field(default_factory=list)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    owned_numbers: set[str] = field(default_factory=set)  # the account's IncomingPhoneNumbers
    verified_caller_ids: set[str] = field(default_factory=set)  # its OutgoingCallerIds
    recordings: dict[str, dict[str, Any]] = field(default_factory=dict)  # RecordingSid -> its resource
    # conference friendly name -> its CF SID; (CF SID, CallSid) -> the participant resource
    conferences: dict[str, str] = field(default_factory=dict)
    participants: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    coachable: set[str] = field(default_factory=set)  # calls already in conferences (a volunteer's leg)
    _failures: list[tuple[int, int, str, dict[str, str]]] = field(default_factory=list)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport)

    def fail_next(self, status: int, code: int, message: str, headers: dict[str, str] | None = None) -> None:
        """The next request gets this Twilio error (queued: call several times for several failures)."""
        self._failures.append((status, code, message, headers or {}))

    def handle(self, request: httpx.Request) -> httpx.Response:
        form = check_request(request)
        username = self._check_auth(request)
        self.requests.append(Recorded(request.method, request.url.path, form, username))
        response = self._respond(request, form)
        check_response(request, response)
        return response

    def _check_auth(self, request: httpx.Request) -> str:
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        assert scheme == "Basic", "Twilio needs basic auth"
        username, _, password = base64.b64decode(encoded).decode().partition(":")
        assert (username, password) == (self.username, self.password), "wrong Twilio credentials"
        return username

    def _respond(self, request: httpx.Request, form: list[tuple[str, str]]) -> httpx.Response:
        if self._failures:
            status, code, message, headers = self._failures.pop(0)
            return _error(status, code, message, headers)
        listing = LIST_RE.match(request.url.path)
        if listing is not None and listing.group(1) == self.account_sid and request.method == "GET":
            return httpx.Response(
                200, json=self._listing(listing.group(2), request.url.params.get("PhoneNumber"))
            )
        recording = CALL_RECORDINGS_RE.match(request.url.path)
        if recording is not None and recording.group(1) == self.account_sid:
            return self._recording(request.method, recording.group(2), recording.group(3))
        media = MEDIA_RE.match(request.url.path)
        if media is not None and media.group(1) == self.account_sid and request.method == "GET":
            if media.group(2) not in self.recordings:
                return _error(404, 20404, f"The requested resource {request.url.path} was not found")
            return httpx.Response(200, content=b"RIFF" + b"\0" * 40, headers={"Content-Type": "audio/x-wav"})
        joining = PARTICIPANTS_RE.match(request.url.path)
        if joining is not None and joining.group(1) == self.account_sid and request.method == "POST":
            return self._participant(joining.group(2), joining.group(3), dict(form))
        match = CALLS_RE.match(request.url.path)
        if (
            match is not None
            and match.group(2)
            and request.method == "GET"
            and match.group(1) == self.account_sid
        ):
            fetched = self.calls.get(match.group(2))  # Twilio's "Fetch a Call resource"
            if fetched is None:
                return _error(404, 20404, f"The requested resource {request.url.path} was not found")
            return httpx.Response(200, json=fetched)
        if match is None or match.group(1) != self.account_sid or request.method != "POST":
            return _error(404, 20404, "The requested resource was not found")
        values = dict(form)
        if match.group(2) is None:
            sid = "CA" + secrets.token_hex(16)
            self.calls[sid] = self._call(sid, values)
            return httpx.Response(201, json=self.calls[sid])
        call = self.calls.get(match.group(2))
        if call is None:
            return _error(404, 20404, f"The requested resource {request.url.path} was not found")
        # Twilio: canceled ends a queued or ringing call only; completed ends it in any state.
        if values.get("Status") == "completed" or (
            values.get("Status") == "canceled" and call["status"] in ("queued", "ringing")
        ):
            call["status"] = values["Status"]
        return httpx.Response(200, json=call)

    def _recording(self, method: str, call_sid: str, recording_sid: str | None) -> httpx.Response:
        """Start a recording on a live call (POST Recordings.json) or delete one (DELETE Recordings/RE..)."""
        call = self.calls.get(call_sid)
        if method == "POST" and recording_sid is None:
            if call is None or call["status"] != "in-progress":
                return _error(400, 21220, "Call is not in-progress. Cannot start recording.")
            example = _spec()["paths"]["/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Recordings.json"]
            created = example["post"]["responses"]["201"]["content"]["application/json"]["examples"]
            sid = "RE" + secrets.token_hex(16)
            self.recordings[sid] = {
                **copy.deepcopy(created["create201"]["value"]),
                "account_sid": self.account_sid, "call_sid": call_sid, "sid": sid,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Calls/{call_sid}/Recordings/{sid}.json",
            }  # fmt: skip
            return httpx.Response(201, json=self.recordings[sid])
        if method == "DELETE" and recording_sid is not None:
            if self.recordings.pop(recording_sid, None) is None:
                return _error(404, 20404, f"The requested resource Recordings/{recording_sid} was not found")
            return httpx.Response(204)
        return _error(404, 20404, "The requested resource was not found")

    def _participant(self, conference: str, call_sid: str | None, values: dict[str, str]) -> httpx.Response:
        """Create (a new call into the conference, named or by SID) or update (by CF SID) a participant."""
        if call_sid is None:
            cf = self.conferences.setdefault(conference, conference if conference.startswith("CF") else
                                             "CF" + secrets.token_hex(16))  # fmt: skip
            if values.get("CallSidToCoach") and values["CallSidToCoach"] not in {
                sid for (c, sid) in self.participants if c == cf
            } | set(self.coachable):
                return _error(400, 16024, "CallSidToCoach is not a participant of this conference")
            sid = "CA" + secrets.token_hex(16)
            self.calls[sid] = self._call(sid, values)
            self.participants[(cf, sid)] = self._participant_resource(cf, sid, values)
            return httpx.Response(201, json=self.participant(sid))
        found = self.participants.get((conference, call_sid))
        if found is None:
            return _error(404, 20404, f"The requested participant {call_sid} was not found")
        found.update(self._participant_resource(conference, call_sid, {**found["_form"], **values}))
        return httpx.Response(200, json=self.participant(call_sid))

    def _participant_resource(self, cf: str, sid: str, values: dict[str, str]) -> dict[str, Any]:
        base = f"/2010-04-01/Accounts/{self.account_sid}/Conferences/{cf}/Participants/{sid}"
        return {
            "account_sid": self.account_sid,
            "call_sid": sid,
            "label": values.get("Label"),
            "call_sid_to_coach": values.get("CallSidToCoach") if values.get("Coaching") == "true" else None,
            "coaching": values.get("Coaching") == "true",
            "conference_sid": cf,
            "date_created": None,
            "date_updated": None,
            "end_conference_on_exit": values.get("EndConferenceOnExit") == "true",
            "muted": values.get("Muted") == "true",
            "hold": False,
            "start_conference_on_enter": values.get("StartConferenceOnEnter") != "false",
            "status": "queued",
            "queue_time": "0",
            "uri": f"{base}.json",
            "_form": {k: v for k, v in values.items() if k in PARTICIPANT_NOTES},
        }

    def participant(self, call_sid: str) -> dict[str, Any]:
        """The participant resource of a call, as Twilio would show it (without the stand-in's notes)."""
        found = next(p for (_, sid), p in self.participants.items() if sid == call_sid)
        return {k: v for k, v in found.items() if not k.startswith("_")}

    def _listing(self, resource: str, number: str | None) -> dict[str, Any]:
        """A page of the account's numbers (or verified caller IDs), filtered by exact PhoneNumber."""
        page = list_example(resource)
        items = LIST_ITEMS[resource]
        # Twilio's example leaves unset application SIDs as "", which its own schema refuses: null here.
        template = {k: (None if k.endswith("_sid") and v == "" else v) for k, v in page[items][0].items()}
        numbers = self.owned_numbers if resource == "IncomingPhoneNumbers" else self.verified_caller_ids
        page[items] = [
            {**template, "account_sid": self.account_sid, "phone_number": n, "friendly_name": n}
            for n in sorted(numbers)
            if number is None or n == number
        ]
        return page

    def _call(self, sid: str, values: dict[str, str]) -> dict[str, Any]:
        base = f"/2010-04-01/Accounts/{self.account_sid}/Calls/{sid}"
        return {
            "sid": sid,
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "answered_by": None,
            "caller_name": None,
            "date_created": None,
            "date_updated": None,
            "direction": "outbound-api",
            "duration": None,
            "end_time": None,
            "forwarded_from": None,
            "from": values["From"],
            "from_formatted": values["From"],
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": "PN" + "0" * 32,
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "start_time": None,
            "status": "queued",
            "subresource_uris": {"notifications": f"{base}/Notifications.json"},
            "to": values["To"],
            "to_formatted": values["To"],
            "trunk_sid": None,
            "uri": f"{base}.json",
        }


def _error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}"}
    return httpx.Response(status, json={**body, "status": status}, headers=headers)
