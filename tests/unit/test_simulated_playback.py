"""The simulated carrier plays a recorded voicemail as Twilio does: it fetches the <Play> URL (GET, no
cookie), plays what Twilio can play for its length, then hangs up; a URL that does not resolve to playable
audio is skipped (Twilio's errors 11200/13420) and the call goes on to the hang-up."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dialer.dialing.twiml import voicemail_twiml
from dialer.settings import Settings
from dialer.telephony.base import CallStatus
from dialer.telephony.simulated import Played, SimulatedCarrier
from tests.unit.test_telephony_simulated import HUMANS, PUBLIC, START, Webhooks, amd_call
from tests.unit.test_voicemail_audio import WEBM, wav

AUDIO_PATH = "/media/voicemail/gotv/abc?expires=1&sig=x"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, secret_key="test-secret", public_url=PUBLIC)


async def play(settings: Settings, body: bytes, content_type: str) -> tuple[str, Played, Webhooks, float]:
    hooks = Webhooks(SimulatedCarrier(settings))
    fetched: list[Request] = []

    async def media(request: Request) -> Response:
        fetched.append(request)
        return Response(body, media_type=content_type)

    app = Starlette(routes=[*hooks.app().routes, Route("/media/voicemail/gotv/abc", media, methods=["GET"])])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as http:
        now = [START]

        async def sleep(seconds: float) -> None:
            now[0] += seconds

        carrier = SimulatedCarrier(settings, http, clock=lambda: now[0], profile=HUMANS, seed=3, sleep=sleep)
        sid = await carrier.place_call(amd_call("k1"))
        answered = carrier._legs[sid].plan.answered_at
        assert answered is not None
        now[0] = answered + 1.0  # the beep
        await carrier.update_call(sid, twiml=voicemail_twiml("fallback text", audio_url=PUBLIC + AUDIO_PATH))
        await carrier.drain()
        await carrier.aclose()
    assert len(fetched) == 1 and fetched[0].url.query == "expires=1&sig=x"
    assert "cookie" not in fetched[0].headers and "authorization" not in fetched[0].headers
    (played,) = carrier.played
    assert not carrier.spoken  # the text is only the fallback when there is no recording
    return sid, played, hooks, answered


@pytest.mark.anyio
async def test_a_recording_is_fetched_and_played_to_its_end_then_the_leg_hangs_up(settings: Settings) -> None:
    sid, played, hooks, _ = await play(settings, wav(6.0), "audio/wav")
    assert played == Played(sid, PUBLIC + AUDIO_PATH, 200, "audio/wav", len(wav(6.0))) and played.playable
    final = [e for e in hooks.events if e.call_sid == sid and e.status is not None][-1]
    assert final.status is CallStatus.COMPLETED
    assert final.duration is not None and abs(final.duration - 7.0) <= 1  # the beep, then 6 s of message


@pytest.mark.anyio
async def test_audio_twilio_cannot_play_is_skipped_and_the_call_ends(settings: Settings) -> None:
    sid, played, hooks, _ = await play(settings, WEBM, "audio/webm")
    assert not played.playable
    final = [e for e in hooks.events if e.call_sid == sid and e.status is not None][-1]
    assert final.status is CallStatus.COMPLETED
    assert final.duration is not None and final.duration <= 2
