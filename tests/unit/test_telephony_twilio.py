from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import jwt
import pytest

from dialer.settings import Settings
from dialer.telephony.base import (
    AnsweredBy,
    CallLookup,
    CallStatus,
    Carrier,
    CarrierError,
    MachineDetection,
    PlaceCall,
)
from dialer.telephony.twilio import TwilioCarrier
from tests.twilio_standin import TwilioStandin, check_request

ACCOUNT = "AC" + "0a" * 16
APP = "AP" + "1b" * 16
KEY = "SK" + "2c" * 16
TOKEN = "auth-token-for-tests"
KEY_SECRET = "api-key-secret-of-thirty-two-bytes-or-more"
PUBLIC = "https://dialer.example.org"
STATUS_URL = PUBLIC + "/twilio/status?campaign_id=gotv&contact_id=k7"
AMD_URL = PUBLIC + "/twilio/amd?campaign_id=gotv&contact_id=k7"


class FakeTime:
    def __init__(self) -> None:
        self.now = 50.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path,
        public_url=PUBLIC,
        carrier="twilio",
        twilio_account_sid=ACCOUNT,
        twilio_auth_token=TOKEN,
        twilio_twiml_app_sid=APP,
        twilio_api_base_url="https://twilio-standin.test",
    )


@pytest.fixture
def standin() -> TwilioStandin:
    return TwilioStandin(ACCOUNT, ACCOUNT, TOKEN)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def carrier(
    settings: Settings, standin: TwilioStandin, fake_time: FakeTime
) -> AsyncIterator[TwilioCarrier]:
    async with standin.client() as http:
        yield TwilioCarrier(settings, http, clock=fake_time, sleep=fake_time.sleep, calls_per_second=2.0)


def power_call(**changes: object) -> PlaceCall:
    call = PlaceCall(
        to="+12025550142",
        from_="+13125550101",
        status_callback=STATUS_URL,
        url=PUBLIC + "/twilio/bridge?campaign_id=gotv",
        machine_detection=MachineDetection.ENABLE,
        async_amd=True,
        amd_status_callback=AMD_URL,
        timeout=20,
    )
    return replace(call, **changes)  # type: ignore[arg-type]


def test_twilio_carrier_satisfies_the_port(settings: Settings) -> None:
    assert isinstance(TwilioCarrier(settings, httpx.AsyncClient()), Carrier)


@pytest.mark.anyio
async def test_place_call_sends_a_valid_calls_create(carrier: TwilioCarrier, standin: TwilioStandin) -> None:
    sid = await carrier.place_call(power_call())
    assert sid in standin.calls
    (sent,) = standin.requests
    assert sent.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    assert (sent.get("To"), sent.get("From"), sent.get("Timeout")) == ("+12025550142", "+13125550101", "20")
    assert sent.get("StatusCallback") == STATUS_URL
    assert sent.getall("StatusCallbackEvent") == ["initiated", "ringing", "answered", "completed"]
    assert (sent.get("MachineDetection"), sent.get("AsyncAmd")) == ("Enable", "true")
    assert sent.get("AsyncAmdStatusCallback") == AMD_URL
    assert sent.get("Url") == PUBLIC + "/twilio/bridge?campaign_id=gotv" and sent.get("Twiml") is None


@pytest.mark.anyio
async def test_place_call_with_twiml_and_no_amd(carrier: TwilioCarrier, standin: TwilioStandin) -> None:
    await carrier.place_call(
        PlaceCall("+12025550142", "+13125550101", STATUS_URL, twiml="<Response><Hangup/></Response>")
    )
    (sent,) = standin.requests
    assert sent.get("Twiml") == "<Response><Hangup/></Response>"
    assert sent.get("MachineDetection") is None and sent.get("AsyncAmd") is None and sent.get("Url") is None


@pytest.mark.anyio
async def test_update_and_hangup(carrier: TwilioCarrier, standin: TwilioStandin) -> None:
    sid = await carrier.place_call(power_call())
    await carrier.update_call(sid, twiml="<Response><Say>Hello</Say></Response>")
    await carrier.update_call(sid, url=PUBLIC + "/twilio/voicemail")
    await carrier.hangup(sid)
    update_twiml, update_url, hangup = standin.requests[1:]
    assert update_twiml.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json"
    assert update_twiml.get("Twiml") == "<Response><Say>Hello</Say></Response>"
    assert (update_url.get("Url"), update_url.get("Method")) == (PUBLIC + "/twilio/voicemail", "POST")
    assert hangup.form == [("Status", "completed")]
    assert standin.calls[sid]["status"] == "completed"
    with pytest.raises(ValueError):
        await carrier.update_call(sid)
    with pytest.raises(ValueError):
        await carrier.hangup("CA-not-a-sid")


@pytest.mark.anyio
async def test_cancel_asks_twilio_to_cancel_a_ringing_call(
    carrier: TwilioCarrier, standin: TwilioStandin
) -> None:
    sid = await carrier.place_call(power_call())
    await carrier.cancel(sid)
    cancel = standin.requests[-1]
    assert cancel.path == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json"
    assert cancel.form == [("Status", "canceled")]
    assert standin.calls[sid]["status"] == "canceled"
    # An answered call is not canceled: Twilio leaves it be (the pacer relies on that to never cut a voter).
    answered = await carrier.place_call(power_call())
    standin.calls[answered]["status"] = "in-progress"
    await carrier.cancel(answered)
    assert standin.calls[answered]["status"] == "in-progress"


@pytest.mark.anyio
async def test_a_calls_status_is_fetched_as_its_callback_would_say_it(
    carrier: TwilioCarrier, standin: TwilioStandin
) -> None:
    """GET Calls/{CallSid}.json (checked against Twilio's spec by the stand-in) read as the status callback
    it stands for: the pacer settles lines whose callbacks were lost from it (dialing/quiet_lines.py)."""
    assert isinstance(carrier, CallLookup)
    sid = await carrier.place_call(power_call())
    ringing = await carrier.call_status(sid)
    assert ringing is not None and ringing.status is CallStatus.QUEUED and ringing.call_sid == sid
    standin.calls[sid].update(status="no-answer", duration="0")
    ended = await carrier.call_status(sid)
    assert ended is not None and (ended.status, ended.duration, ended.answered_by) == (
        CallStatus.NO_ANSWER,
        0,
        None,
    )
    fetch = standin.requests[-1]
    assert (fetch.method, fetch.path) == ("GET", f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{sid}.json")
    standin.calls[sid].update(status="completed", duration="41", answered_by="machine_end_beep")
    machine = await carrier.call_status(sid)
    assert machine is not None and (machine.duration, machine.answered_by) == (
        41,
        AnsweredBy.MACHINE_END_BEEP,
    )
    assert await carrier.call_status("CA" + "0" * 32) is None  # not the account's call: 404
    standin.fail_next(500, 20500, "Internal Server Error")
    with pytest.raises(CarrierError):
        await carrier.call_status(sid)


@pytest.mark.anyio
async def test_an_api_key_is_used_when_configured(settings: Settings) -> None:
    standin = TwilioStandin(ACCOUNT, KEY, KEY_SECRET)
    keyed = replace(settings, twilio_api_key_sid=KEY, twilio_api_key_secret=KEY_SECRET)
    async with standin.client() as http:
        await TwilioCarrier(keyed, http).place_call(power_call())
    assert standin.requests[0].username == KEY


@pytest.mark.anyio
async def test_429_and_20429_are_retried_with_backoff(
    carrier: TwilioCarrier, standin: TwilioStandin, fake_time: FakeTime
) -> None:
    standin.fail_next(429, 20429, "Too Many Requests")
    standin.fail_next(429, 20429, "Too Many Requests")
    standin.fail_next(503, 20429, "Too Many Requests")  # the code alone makes it retryable
    sid = await carrier.place_call(power_call())
    assert sid in standin.calls
    assert len(standin.requests) == 4
    # Three backoffs with ceilings 0.5, 1 and 2 s, each jittered into [half, full] of its ceiling.
    assert sum(fake_time.sleeps) >= 0.25 + 0.5 + 1.0


@pytest.mark.anyio
async def test_backoff_doubles_and_honours_retry_after(settings: Settings) -> None:
    standin = TwilioStandin(ACCOUNT, ACCOUNT, TOKEN)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    standin.fail_next(429, 20429, "Too Many Requests")
    standin.fail_next(429, 20429, "Too Many Requests")
    standin.fail_next(429, 20429, "Too Many Requests", {"Retry-After": "3"})
    async with standin.client() as http:
        carrier = TwilioCarrier(settings, http, sleep=record, calls_per_second=1000.0)
        carrier.rest._jitter = lambda: 1.0  # no randomness: the full ceiling
        await carrier.hangup(await carrier.place_call(power_call()))
    assert waits == [0.5, 1.0, 3.0]


@pytest.mark.anyio
async def test_retries_give_up_with_twilios_error(carrier: TwilioCarrier, standin: TwilioStandin) -> None:
    for _ in range(5):
        standin.fail_next(429, 20429, "Too Many Requests")
    with pytest.raises(CarrierError) as caught:
        await carrier.place_call(power_call())
    assert (caught.value.status, caught.value.code) == (429, 20429)
    assert len(standin.requests) == 5


@pytest.mark.anyio
async def test_other_errors_are_not_retried(carrier: TwilioCarrier, standin: TwilioStandin) -> None:
    standin.fail_next(400, 21211, "The 'To' number +12025550199 is not a valid phone number.")
    with pytest.raises(CarrierError) as caught:
        await carrier.place_call(power_call())
    assert caught.value.code == 21211 and "not a valid phone number" in caught.value.message
    assert caught.value.more_info == "https://www.twilio.com/docs/errors/21211"
    assert len(standin.requests) == 1
    with pytest.raises(CarrierError) as missing:
        await carrier.hangup("CA" + "9" * 32)
    assert (missing.value.status, missing.value.code) == (404, 20404)


@pytest.mark.anyio
async def test_call_creation_respects_calls_per_second(
    carrier: TwilioCarrier, standin: TwilioStandin, fake_time: FakeTime
) -> None:
    started = fake_time.now
    for _ in range(9):
        await carrier.place_call(power_call())
    # 2 CPS, burst 1: the first call at once, then one every 0.5 s.
    assert fake_time.now - started == pytest.approx(4.0)
    assert len(standin.calls) == 9


def test_the_standin_catches_requests_twilio_would_reject() -> None:
    url = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    auth = {"Authorization": httpx.BasicAuth(ACCOUNT, TOKEN)._auth_header}
    cases = [
        [("To", "+12025550142")],  # From is required
        [("To", "+12025550142"), ("From", "+13125550101"), ("Timeout", "soon")],
        [("To", "+12025550142"), ("From", "+13125550101"), ("StatusCallbackEvent", "answer")],
        [("To", "+12025550142"), ("From", "+13125550101"), ("MachineDetection", "true")],
        [("To", "+12025550142"), ("From", "+13125550101"), ("AsyncAmd", "true")],
    ]
    for form in cases:
        request = httpx.Request("POST", url, data=dict(form), headers=auth)
        with pytest.raises(AssertionError):
            check_request(request)
    good = [("To", "+12025550142"), ("From", "+13125550101"), ("Twiml", "<Response/>")]
    assert check_request(httpx.Request("POST", url, data=dict(good), headers=auth)) == good
    with pytest.raises(AssertionError):  # no credentials
        check_request(httpx.Request("POST", url, data=dict(good)))


def test_voice_token_grants_the_twiml_app(settings: Settings) -> None:
    keyed = replace(settings, twilio_api_key_sid=KEY, twilio_api_key_secret=KEY_SECRET)
    token = TwilioCarrier(keyed, httpx.AsyncClient()).voice_token("vol-42")
    claims = jwt.decode(token, KEY_SECRET, algorithms=["HS256"], options={"verify_aud": False})
    assert claims["iss"] == KEY and claims["sub"] == ACCOUNT
    assert claims["grants"]["identity"] == "vol-42"
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == APP
    assert 3590 <= claims["exp"] - time.time() <= 3600
    with pytest.raises(ValueError, match="TWIML_APP"):
        TwilioCarrier(replace(keyed, twilio_twiml_app_sid=None), httpx.AsyncClient()).voice_token("v")
    with pytest.raises(ValueError, match="API_KEY"):
        TwilioCarrier(settings, httpx.AsyncClient()).voice_token("v")


def test_twilio_carrier_needs_credentials(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        TwilioCarrier(Settings(data_dir=tmp_path))


def test_parsing_and_twiml_are_exposed_on_the_carrier(settings: Settings) -> None:
    carrier = TwilioCarrier(settings, httpx.AsyncClient())
    sid = "CA" + "3d" * 16
    assert carrier.parse_voice({"CallSid": sid, "From": "client:v1", "contact_id": "k1"}).identity == "v1"
    assert (
        carrier.parse_status({"CallSid": sid, "CallStatus": "busy"}, {"contact_id": "k1"}).contact_id == "k1"
    )
    assert carrier.parse_amd({"CallSid": sid, "AnsweredBy": "fax"}).answered_by == "fax"
    assert "<Dial" in carrier.dial_twiml("+12025550142", "+13125550101", STATUS_URL)
    assert "<Hangup" in carrier.refusal_twiml("Sorry.")
    signature = carrier.signer.sign(PUBLIC + "/twilio/voice", {"CallSid": sid})
    assert carrier.validate("/twilio/voice", {"CallSid": sid}, signature)
    assert not carrier.validate("/twilio/voice", {"CallSid": sid}, None)


@pytest.mark.anyio
async def test_an_unreachable_api_is_a_carrier_error_and_not_retried(settings: Settings) -> None:
    attempts = []

    def down(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        raise httpx.ConnectTimeout("timed out", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(down)) as http:
        with pytest.raises(CarrierError) as caught:
            await TwilioCarrier(settings, http, calls_per_second=100.0).place_call(power_call())
    assert caught.value.status == 503 and len(attempts) == 1
