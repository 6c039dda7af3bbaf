"""The participants port: Twilio's Conference Participants create and update against the stand-in (which
checks every request and response against Twilio's API description), and the simulated carrier's coach
leg, whose answer and end come back as signed status callbacks."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from dialer.coaching import CoachMode, JoinCoach, mode_form
from dialer.settings import Settings
from dialer.telephony.base import CarrierError
from dialer.telephony.participants import (
    Participants,
    SimulatedParticipants,
    TwilioParticipants,
    participants_for,
)
from dialer.telephony.twilio import TwilioCarrier
from tests.twilio_standin import TwilioStandin
from tests.unit.test_telephony_simulated import HUMANS, PUBLIC, Webhooks, make
from tests.unit.test_telephony_twilio import ACCOUNT, TOKEN

LEG = "CA" + "b" * 32
CALLBACK = PUBLIC + "/twilio/status?campaign_id=gotv&contact_id=coach"


def join(mode: CoachMode, to: str = "+12025550142") -> JoinCoach:
    return JoinCoach("dialer-gotv-u1", to, "+12025550199", mode, LEG, CALLBACK)


@pytest.fixture
def twilio_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, public_url=PUBLIC, carrier="twilio", twilio_account_sid=ACCOUNT,
                    twilio_auth_token=TOKEN, twilio_api_base_url="https://twilio-standin.test")  # fmt: skip


@pytest.mark.anyio
async def test_twilio_join_switch_and_leave(twilio_settings: Settings) -> None:
    standin = TwilioStandin(ACCOUNT, ACCOUNT, TOKEN, coachable={LEG})
    async with standin.client() as http:
        carrier = TwilioCarrier(twilio_settings, http, calls_per_second=1000.0)
        participants = participants_for(carrier, {})
        assert isinstance(participants, TwilioParticipants) and isinstance(participants, Participants)
        assert participants.stand_in_leg("dialer-gotv-u1") is None  # Twilio's legs are real ones
        joined = await participants.join(join(CoachMode.LISTEN))
        create = standin.requests[-1]
        assert create.path == f"/2010-04-01/Accounts/{ACCOUNT}/Conferences/dialer-gotv-u1/Participants.json"
        assert (create.get("Muted"), create.get("Label")) == ("true", "coach")
        assert joined.conference_sid.startswith("CF") and joined.call_sid in standin.calls
        await participants.update(joined.conference_sid, joined.call_sid, mode_form(CoachMode.COACH, LEG))
        update = standin.requests[-1]
        assert update.path.endswith(
            f"/Conferences/{joined.conference_sid}/Participants/{joined.call_sid}.json"
        )
        assert standin.participant(joined.call_sid)["call_sid_to_coach"] == LEG
        await participants.leave(joined.call_sid)
        assert standin.requests[-1].get("Status") == "completed"
        assert standin.calls[joined.call_sid]["status"] == "completed"
        # Twilio's refusals come back as CarrierError with Twilio's code.
        with pytest.raises(CarrierError) as caught:
            await participants.join(JoinCoach("dialer-gotv-u1", "+12025550142", "+12025550199",
                                              CoachMode.COACH, "CA" + "9" * 32, CALLBACK))  # fmt: skip
        assert caught.value.code == 16024
        with pytest.raises(ValueError):
            await participants.update(joined.conference_sid, "not-a-sid", [])


@pytest.mark.anyio
async def test_the_simulated_coach_answers_and_hangs_up_with_signed_callbacks(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test-secret", public_url=PUBLIC)
    hooks = Webhooks(make(settings, HUMANS, httpx.AsyncClient()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks.app())) as http:
        carrier = make(settings, HUMANS, http, seed=7)
        services: dict[str, object] = {}
        participants = participants_for(carrier, services)
        assert isinstance(participants, SimulatedParticipants) and services["participants"] is participants
        leg = participants.stand_in_leg("dialer-gotv-u1")  # the carrier plays the volunteer's leg too
        assert leg is not None and leg.startswith("CA") and len(leg) == 34
        assert (
            leg == participants.stand_in_leg("dialer-gotv-u1") != participants.stand_in_leg("dialer-gotv-u2")
        )
        joined = await participants.join(join(CoachMode.COACH, "client:u2"))
        await participants.drain()
        assert [(e.call_sid, e.status.value if e.status else None) for e in hooks.events] == [
            (joined.call_sid, "in-progress")
        ]
        await participants.update(joined.conference_sid, joined.call_sid, mode_form(CoachMode.BARGE, LEG))
        assert dict(participants.modes[joined.call_sid])["Coaching"] == "false"
        await participants.leave(joined.call_sid)
        await participants.leave(joined.call_sid)  # a second leave sends nothing more
        assert [e.status.value for e in hooks.events if e.status] == ["in-progress", "completed"]
        assert hooks.rejected == 0
        with pytest.raises(CarrierError):
            await participants.update(joined.conference_sid, joined.call_sid, [])
        await carrier.aclose()
