"""Twilio's 2010-04-01 REST API for call legs, over httpx, pointed at TWILIO_API_BASE_URL.

Requests are form-encoded with basic auth (an API key when configured, else the account SID and auth
token). Call creation waits for the calls-per-second bucket. HTTP 429 and Twilio error 20429 ("too many
requests") are retried with exponential backoff; anything else that fails raises CarrierError with
Twilio's own code and message.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from dialer.telephony.base import ACCOUNT_SID_RE, CALL_SID_RE, CarrierError, PlaceCall
from dialer.telephony.ratelimit import RateLimiter

RECORDING_SID_RE = re.compile(r"^RE[0-9a-f]{32}$")
API_VERSION = "2010-04-01"
TOO_MANY_REQUESTS = 20429

FormPairs = Sequence[tuple[str, str]]


def place_call_form(call: PlaceCall) -> list[tuple[str, str]]:
    """The Calls.json form for a PlaceCall decision. Pure, so tests can read exactly what is sent."""
    form: list[tuple[str, str]] = [("To", call.to), ("From", call.from_)]
    if call.twiml is not None:
        form.append(("Twiml", call.twiml))
    if call.url is not None:
        form += [("Url", call.url), ("Method", "POST")]
    form += [("StatusCallback", call.status_callback), ("StatusCallbackMethod", "POST")]
    # Repeated keys, as Twilio's own client sends a list parameter.
    form += [("StatusCallbackEvent", event) for event in call.status_callback_events]
    form.append(("Timeout", str(call.timeout)))
    if call.time_limit is not None:
        form.append(("TimeLimit", str(call.time_limit)))
    if call.machine_detection is not None:
        form.append(("MachineDetection", call.machine_detection.value))
        if call.async_amd:
            form.append(("AsyncAmd", "true"))
            if call.amd_status_callback is not None:
                form += [
                    ("AsyncAmdStatusCallback", call.amd_status_callback),
                    ("AsyncAmdStatusCallbackMethod", "POST"),
                ]
    return form


class TwilioRest:
    def __init__(
        self,
        *,
        base_url: str,
        account_sid: str,
        auth: tuple[str, str],
        http: httpx.AsyncClient,
        limiter: RateLimiter,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 8.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not ACCOUNT_SID_RE.match(account_sid):
            raise ValueError("TWILIO_ACCOUNT_SID must look like AC followed by 32 hex digits")
        self._account_url = f"{base_url.rstrip('/')}/{API_VERSION}/Accounts/{account_sid}"
        self._calls_url = f"{self._account_url}/Calls"
        self._auth = httpx.BasicAuth(*auth)
        self._http = http
        self._limiter = limiter
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self._jitter = jitter

    async def create_call(self, call: PlaceCall) -> str:
        body = await self._request(f"{self._calls_url}.json", place_call_form(call), rate_limited=True)
        sid = body.get("sid")
        if not isinstance(sid, str) or not CALL_SID_RE.match(sid):
            raise CarrierError(502, None, f"call created without a valid sid: {sid!r}")
        return sid

    async def update_call(self, call_sid: str, form: FormPairs) -> dict[str, Any]:
        if not CALL_SID_RE.match(call_sid):
            raise ValueError(f"not a CallSid: {call_sid!r}")
        # Updates and hang-ups are not call creations, so they skip the CPS bucket: a hang-up held back
        # behind queued dials would keep an abandoned voter waiting. They still back off on 429/20429.
        return await self._request(f"{self._calls_url}/{call_sid}.json", form, rate_limited=False)

    async def fetch_call(self, call_sid: str) -> dict[str, Any] | None:
        """The call's resource (GET Calls/{CallSid}.json), None when the account has no such call."""
        if not CALL_SID_RE.match(call_sid):
            raise ValueError(f"not a CallSid: {call_sid!r}")
        try:
            return await self._request(
                f"{self._calls_url}/{call_sid}.json", [], rate_limited=False, method="GET"
            )
        except CarrierError as exc:
            if exc.status == 404:
                return None
            raise

    async def start_recording(self, call_sid: str, status_callback: str) -> str:
        """Start recording the call now (both parties, one channel each); Twilio posts the finished
        recording to `status_callback`. Returns the RecordingSid."""
        if not CALL_SID_RE.match(call_sid):
            raise ValueError(f"not a CallSid: {call_sid!r}")
        form = [
            ("RecordingStatusCallback", status_callback),
            ("RecordingStatusCallbackMethod", "POST"),
            ("RecordingStatusCallbackEvent", "completed"),
            ("RecordingChannels", "dual"),
        ]
        url = f"{self._calls_url}/{call_sid}/Recordings.json"
        body = await self._request(url, form, rate_limited=False)
        sid = body.get("sid")
        if not isinstance(sid, str) or not RECORDING_SID_RE.match(sid):
            raise CarrierError(502, None, f"recording started without a valid sid: {sid!r}")
        return sid

    async def delete_recording(self, call_sid: str, recording_sid: str) -> None:
        """Delete a recording at Twilio; one already gone (404) counts as deleted."""
        if not CALL_SID_RE.match(call_sid) or not RECORDING_SID_RE.match(recording_sid):
            raise ValueError(f"not a CallSid and RecordingSid: {call_sid!r}, {recording_sid!r}")
        url = f"{self._calls_url}/{call_sid}/Recordings/{recording_sid}.json"
        try:
            await self._request(url, [], rate_limited=False, method="DELETE")
        except CarrierError as exc:
            if exc.status != 404:
                raise

    async def recording_audio(self, recording_sid: str) -> tuple[bytes, str]:
        """A recording's audio (WAV), fetched with the account's credentials (Twilio may require them for
        media) from this account's own Recordings: never from a URL a callback named."""
        if not RECORDING_SID_RE.match(recording_sid):
            raise ValueError(f"not a RecordingSid: {recording_sid!r}")
        url = f"{self._account_url}/Recordings/{recording_sid}.wav"
        try:
            response = await self._http.get(url, auth=self._auth)
        except httpx.TransportError as exc:
            raise CarrierError(503, None, f"carrier unreachable: {exc!r}") from exc
        if not response.is_success:
            raise CarrierError(response.status_code, None, "the recording could not be fetched")
        return response.content, response.headers.get("content-type", "audio/wav")

    async def post(self, path: str, form: FormPairs, *, creates_call: bool) -> dict[str, Any]:
        """POST to another resource of the account (`path` after /Accounts/{sid}/, e.g. a conference's
        Participants.json); one that creates a call waits for the CPS bucket like create_call."""
        return await self._request(f"{self._account_url}/{path}", form, rate_limited=creates_call)

    async def owns_caller_id(self, number: str) -> bool:
        """Whether Twilio lets this account call from `number`: one of its phone numbers
        (IncomingPhoneNumbers) or a verified caller ID (OutgoingCallerIds), looked up by exact number."""
        for resource, items in (("IncomingPhoneNumbers", "incoming_phone_numbers"),
                                ("OutgoingCallerIds", "outgoing_caller_ids")):  # fmt: skip
            url = f"{self._account_url}/{resource}.json"
            body = await self._request(url, [("PhoneNumber", number)], rate_limited=False, method="GET")
            listed = body.get(items)
            if isinstance(listed, list) and any(
                isinstance(item, dict) and item.get("phone_number") == number for item in listed
            ):
                return True
        return False

    async def _request(
        self, url: str, form: FormPairs, *, rate_limited: bool, method: str = "POST"
    ) -> dict[str, Any]:
        for attempt in range(1, self._max_attempts + 1):
            if rate_limited:
                await self._limiter.acquire()
            try:
                if method == "GET":
                    response = await self._http.get(url, params=list(form), auth=self._auth)
                elif method == "DELETE":
                    response = await self._http.delete(url, auth=self._auth)
                else:
                    response = await self._http.post(url, data=_group(form), auth=self._auth)
            except httpx.TransportError as exc:
                # Not retried: a create that timed out may have gone through, and dialing a voter twice
                # is worse than reporting the failure to whoever decided to dial.
                raise CarrierError(503, None, f"carrier unreachable: {exc!r}") from exc
            body = _json(response)
            if response.is_success:
                return body  # DELETE answers 204 with no body: {}
            code = body.get("code") if isinstance(body.get("code"), int) else None
            retryable = response.status_code == 429 or code == TOO_MANY_REQUESTS
            if not retryable or attempt == self._max_attempts:
                message = (
                    body.get("message") if isinstance(body.get("message"), str) else response.reason_phrase
                )
                more_info = body.get("more_info") if isinstance(body.get("more_info"), str) else None
                raise CarrierError(response.status_code, code, str(message), more_info)
            await self._sleep(self._backoff(attempt, response))
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff(self, attempt: int, response: httpx.Response) -> float:
        retry_after = response.headers.get("Retry-After", "")
        if retry_after.isdigit():
            return min(float(retry_after), self._backoff_cap)
        ceiling = min(self._backoff_cap, self._backoff_base * 2.0 ** (attempt - 1))
        # Half fixed, half random: many workers backing off together must not retry in lockstep.
        return ceiling * (0.5 + 0.5 * self._jitter())


def _group(form: FormPairs) -> dict[str, str | list[str]]:
    """httpx sends a list value as repeated keys, which is how Twilio takes list parameters."""
    grouped: dict[str, str | list[str]] = {}
    for key, value in form:
        existing = grouped.get(key)
        if existing is None:
            grouped[key] = value
        elif isinstance(existing, list):
            existing.append(value)
        else:
            grouped[key] = [existing, value]
    return grouped


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
