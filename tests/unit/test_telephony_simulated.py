from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dialer.dialing.twiml import bridge_twiml, held_twiml, voicemail_twiml
from dialer.settings import Settings
from dialer.telephony.base import (
    AnsweredBy,
    CallEvent,
    CallStatus,
    Carrier,
    MachineDetection,
    PlaceCall,
    advances,
)
from dialer.telephony.forms import amd_callback_url, status_callback_url
from dialer.telephony.signing import SIGNATURE_HEADER, WebhookSigner
from dialer.telephony.simulated import WORDS_PER_SECOND, SimulatedCarrier, Spoken
from dialer.telephony.simulated_plan import Outcome, SimProfile

PUBLIC = "http://dialer.test"
START = 1_795_000_000.0
HUMANS = SimProfile(human_rate=1.0, machine_rate=0.0, busy_rate=0.0, fail_rate=0.0)


@dataclass
class Webhooks:
    """A stand-in for the dialer's webhook routes, built only from the carrier's public functions."""

    carrier: Carrier
    voice_answer: str = ""
    events: list[CallEvent] = field(default_factory=list)
    voice: list[dict[str, str]] = field(default_factory=list)
    answers: list[dict[str, str]] = field(default_factory=list)
    rejected: int = 0

    async def _checked(self, request: Request) -> dict[str, str] | None:
        form = await request.form()
        path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if not self.carrier.validate(path_qs, form, request.headers.get(SIGNATURE_HEADER)):  # type: ignore[arg-type]
            self.rejected += 1
            return None
        return {key: str(value) for key, value in form.items()}

    async def status(self, request: Request) -> Response:
        form = await self._checked(request)
        if form is None:
            return Response(status_code=403)
        self.events.append(self.carrier.parse_status(form, request.query_params))
        return Response(status_code=204)

    async def amd(self, request: Request) -> Response:
        form = await self._checked(request)
        if form is None:
            return Response(status_code=403)
        self.events.append(self.carrier.parse_amd(form, request.query_params))
        return Response(status_code=204)

    async def voice_route(self, request: Request) -> Response:
        form = await self._checked(request)
        if form is None:
            return Response(status_code=403)
        self.voice.append(form)
        return Response(self.voice_answer, media_type="application/xml")

    async def answer(self, request: Request) -> Response:
        form = await self._checked(request)
        if form is None:
            return Response(status_code=403)
        self.answers.append(form)
        return Response("<Response/>", media_type="application/xml")

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/twilio/status", self.status, methods=["POST"]),
                Route("/twilio/amd", self.amd, methods=["POST"]),
                Route("/twilio/voice", self.voice_route, methods=["POST"]),
                Route("/twilio/bridge", self.answer, methods=["POST"]),
            ]
        )


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="test-secret", public_url=PUBLIC)


def make(
    settings: Settings, profile: SimProfile, http: httpx.AsyncClient, **kwargs: object
) -> SimulatedCarrier:
    return SimulatedCarrier(settings, http, clock=lambda: START, profile=profile, sleep=no_wait, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def wired(settings: Settings) -> AsyncIterator[tuple[SimulatedCarrier, Webhooks]]:
    hooks = Webhooks(SimulatedCarrier(settings))  # validates with the same derived key
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
        carrier = make(settings, SimProfile(), http, seed=42)
        yield carrier, hooks
        await carrier.aclose()


def amd_call(contact: str) -> PlaceCall:
    return PlaceCall(
        "+12025550142",
        "+13125550101",
        status_callback_url(PUBLIC, "gotv", contact),
        url=PUBLIC + "/twilio/bridge",
        machine_detection=MachineDetection.ENABLE,
        async_amd=True,
        amd_status_callback=amd_callback_url(PUBLIC, "gotv", contact),
        timeout=30,
    )


def test_the_simulated_carrier_satisfies_the_port(settings: Settings) -> None:
    assert isinstance(SimulatedCarrier(settings), Carrier)


@pytest.mark.anyio
async def test_placed_calls_drive_our_webhooks_with_valid_signatures(
    wired: tuple[SimulatedCarrier, Webhooks],
) -> None:
    carrier, hooks = wired
    sids = [await carrier.place_call(amd_call(f"k{i}")) for i in range(40)]
    await carrier.drain()
    assert hooks.rejected == 0 and carrier.deliveries
    assert all(d.status_code in (200, 204) for d in carrier.deliveries)
    by_sid: dict[str, CallStatus | None] = {}
    for event in hooks.events:
        assert event.campaign_id == "gotv" and event.contact_id is not None
        if event.status is not None and advances(by_sid.get(event.call_sid), event.status):
            by_sid[event.call_sid] = event.status
    assert set(by_sid) == set(sids)
    assert all(status is not None and status.is_final for status in by_sid.values())
    amd = [e for e in hooks.events if e.answered_by is not None and e.status is None]
    assert amd and all(e.answered_by in (AnsweredBy.HUMAN, AnsweredBy.MACHINE_START) for e in amd)
    # Twilio fetches the call's Url when it is answered, and signs that request too.
    assert hooks.answers and all(a["CallStatus"] == "in-progress" for a in hooks.answers)


@pytest.mark.anyio
async def test_the_same_seed_places_the_same_calls_under_callsids_of_their_own(settings: Settings) -> None:
    """A seed repeats a run's calls (outcomes, callbacks, their order), but two carriers never issue one
    CallSid: a web process and the worker, or a worker restarted with the same seed, each place calls
    whose attempts Redis keys by CallSid (a repeated one counted nothing: the new call ran on the old
    call's finished record)."""
    runs, sids_of = [], []
    for _ in range(2):
        hooks = Webhooks(SimulatedCarrier(settings))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
            carrier = make(settings, SimProfile(late_rate=0.2, repeat_rate=0.2), http, seed=9)
            sids = [await carrier.place_call(amd_call(f"k{i}")) for i in range(15)]
            await carrier.drain()
            per_call = [
                [
                    [(k, v) for k, v in d.params if k != "CallSid"]
                    for d in carrier.deliveries
                    if dict(d.params)["CallSid"] == sid
                ]
                for sid in sids
            ]
            runs.append(per_call)
            sids_of.append(sids)
    assert runs[0] == runs[1]
    assert len(set(sids_of[0]) | set(sids_of[1])) == 30
    other = make(settings, SimProfile(), httpx.AsyncClient(), seed=10)
    assert await other.place_call(amd_call("k0")) not in sids_of[0]


@pytest.mark.anyio
async def test_a_server_with_another_key_refuses_every_callback(settings: Settings, tmp_path: Path) -> None:
    stranger = SimulatedCarrier(Settings(data_dir=tmp_path, secret_key="another-secret", public_url=PUBLIC))
    hooks = Webhooks(stranger)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
        carrier = make(settings, HUMANS, http)
        await carrier.place_call(amd_call("k1"))
        await carrier.drain()
    assert hooks.events == [] and hooks.rejected == len(carrier.deliveries) > 0
    assert {d.status_code for d in carrier.deliveries} == {403}


@pytest.mark.anyio
async def test_signatures_cover_public_url_not_the_host_we_post_to(settings: Settings) -> None:
    # The carrier posts to base_url; the route checks PUBLIC_URL + path + query: the same URL.
    signer = WebhookSigner("k" * 32, "https://elsewhere.example")
    hooks = Webhooks(SimulatedCarrier(settings, signer=signer))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
        carrier = make(settings, HUMANS, http, signer=WebhookSigner("k" * 32, PUBLIC))
        await carrier.place_call(amd_call("k1"))
        await carrier.drain()
    assert hooks.rejected > 0 and hooks.events == []


@pytest.mark.anyio
async def test_a_browser_call_dials_what_voice_answers(wired: tuple[SimulatedCarrier, Webhooks]) -> None:
    carrier, hooks = wired
    hooks.voice_answer = carrier.dial_twiml(
        "+12025550142", "+13125550101", status_callback_url(PUBLIC, "gotv", "k7")
    )
    call = await carrier.connect_client("vol-42", "k7", campaign_id="gotv")
    await carrier.drain()
    (voice,) = hooks.voice
    assert (voice["From"], voice["contact_id"], voice["CallSid"]) == ("client:vol-42", "k7", call.call_sid)
    assert carrier.parse_voice(voice).identity == "vol-42"
    assert call.dialed is not None and call.dialed.spec.to == "+12025550142"
    child = [e for e in hooks.events if e.call_sid == call.dialed.spec.call_sid]
    assert child and all(e.parent_call_sid == call.call_sid and e.contact_id == "k7" for e in child)
    assert {e.status for e in child} >= {CallStatus.INITIATED, call.dialed.final_status}
    if call.dialed.outcome is Outcome.HUMAN:
        final = next(e for e in child if e.status is CallStatus.COMPLETED)
        assert final.duration == call.dialed.duration


@pytest.mark.anyio
async def test_a_refused_browser_call_dials_nothing(wired: tuple[SimulatedCarrier, Webhooks]) -> None:
    carrier, hooks = wired
    hooks.voice_answer = carrier.refusal_twiml("That contact is not in your batch.")
    call = await carrier.connect_client("vol-42", "k999")
    await carrier.drain()
    assert call.dialed is None and "<Say>" in call.twiml
    assert hooks.events == []


@pytest.mark.anyio
async def test_hanging_up_a_ringing_call_cancels_it(settings: Settings) -> None:
    hooks = Webhooks(SimulatedCarrier(settings))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
        now = [START]
        carrier = SimulatedCarrier(settings, http, clock=lambda: now[0], profile=HUMANS, seed=3)
        sid = await carrier.place_call(amd_call("k1"))
        now[0] = START + 0.01  # before Twilio has even reported "initiated"
        await carrier.hangup(sid)
        await carrier.drain()
        await carrier.aclose()
    statuses = [e.status for e in hooks.events if e.call_sid == sid]
    assert statuses == [CallStatus.CANCELED]
    assert hooks.events[0].sequence_number == 0


@pytest.mark.anyio
async def test_cancel_ends_a_ringing_call_and_leaves_an_answered_one(settings: Settings) -> None:
    # Twilio's Status=canceled: "queued or ringing" calls end as canceled, answered ones go on.
    hooks = Webhooks(SimulatedCarrier(settings))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
        now = [START]

        async def sleep(seconds: float) -> None:  # simulated time passes at once
            now[0] += seconds

        carrier = SimulatedCarrier(settings, http, clock=lambda: now[0], profile=HUMANS, seed=3, sleep=sleep)
        ringing = await carrier.place_call(amd_call("k1"))
        now[0] = START + 1.0
        await carrier.cancel(ringing)
        await carrier.drain()
        answered = await carrier.place_call(amd_call("k2"))
        plan = carrier._legs[answered].plan
        assert plan.answered_at is not None and plan.answered_at + 1.0 < plan.ended_at
        now[0] = plan.answered_at + 1.0  # the voter is on the line
        await carrier.cancel(answered)
        await carrier.drain()
        await carrier.aclose()
    assert [e.status for e in hooks.events if e.call_sid == ringing][-1] is CallStatus.CANCELED
    events = [e for e in hooks.events if e.call_sid == answered and e.status is not None]
    assert events[-1].status is CallStatus.COMPLETED
    assert events[-1].duration == plan.duration > 1  # the conversation ran its whole course


def test_carrier_from_settings_picks_what_carrier_names(settings: Settings) -> None:
    from dataclasses import replace

    from dialer.telephony import carrier_from_settings
    from dialer.telephony.twilio import TwilioCarrier

    assert isinstance(carrier_from_settings(settings), SimulatedCarrier)
    twilio = replace(
        settings, carrier="twilio", twilio_account_sid="AC" + "1" * 32, twilio_auth_token="t" * 32
    )
    assert isinstance(carrier_from_settings(twilio, httpx.AsyncClient()), TwilioCarrier)


@pytest.mark.anyio
async def test_a_voicemail_is_read_to_the_end_then_the_leg_hangs_up(settings: Settings) -> None:
    message = "Hi, this is the library levy campaign: please vote on Tuesday, polls open at seven."
    hooks = Webhooks(SimulatedCarrier(settings))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
        now = [START]

        async def sleep(seconds: float) -> None:
            now[0] += seconds

        carrier = SimulatedCarrier(settings, http, clock=lambda: now[0], profile=HUMANS, seed=3, sleep=sleep)
        sid = await carrier.place_call(amd_call("k1"))
        plan = carrier._legs[sid].plan
        assert plan.answered_at is not None
        now[0] = plan.answered_at + 1.0  # the beep
        await carrier.update_call(sid, twiml=voicemail_twiml(message))
        await carrier.drain()
        await carrier.aclose()
    assert list(carrier.spoken) == [Spoken(sid, message)]
    final = [e for e in hooks.events if e.call_sid == sid and e.status is not None][-1]
    assert final.status is CallStatus.COMPLETED
    read = len(message.split()) / WORDS_PER_SECOND
    assert final.duration is not None and abs(final.duration - (1.0 + read)) <= 1  # the whole message


@pytest.mark.anyio
@pytest.mark.parametrize("taken_back", [False, True])
async def test_a_held_voter_is_let_go_after_the_hold_unless_taken_back(
    settings: Settings, taken_back: bool
) -> None:
    """A voter held for a volunteer whose page reloads (web/conference_hold.py): the hold's pause counts
    before its goodbye and hang-up; taken back into the conference before then, the call goes on."""
    hooks = Webhooks(SimulatedCarrier(settings))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
        now = [START]

        async def sleep(seconds: float) -> None:
            now[0] += seconds

        talks = SimProfile(human_rate=1.0, machine_rate=0.0, busy_rate=0.0, fail_rate=0.0, talk_mean=600.0)
        carrier = SimulatedCarrier(settings, http, clock=lambda: now[0], profile=talks, seed=3, sleep=sleep)
        sid = await carrier.place_call(amd_call("k1"))
        plan = carrier._legs[sid].plan
        assert plan.answered_at is not None and plan.ended_at > plan.answered_at + 60  # a long talk
        now[0] = plan.answered_at + 1.0
        await carrier.update_call(sid, twiml=held_twiml("Library levy", seconds=30))
        if taken_back:
            await carrier.update_call(sid, twiml=bridge_twiml("gotv", "u1"))
        await carrier.drain()
        await carrier.aclose()
    final = [e for e in hooks.events if e.call_sid == sid and e.status is not None][-1]
    assert final.status is CallStatus.COMPLETED and final.duration is not None
    if taken_back:  # the voter's own hang-up, as planned
        assert abs(final.duration - (plan.ended_at - plan.answered_at)) <= 1
    else:
        read = sum(len(s.text.split()) for s in carrier.spoken) / WORDS_PER_SECOND
        assert abs(final.duration - (1.0 + 30 + read)) <= 1
