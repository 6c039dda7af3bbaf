"""Pure parts of live dialing: TwiML for each leg, the pacer's view of volunteers, timing and counters."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from dialer import pacing
from dialer.dialing import twiml
from dialer.dialing.agents import Agent, AgentState, is_stale
from dialer.dialing.bridge import DialCounters, time_scale
from dialer.dialing.model import RING_TIMEOUT, WRAP_EXPECTED, agent_view, pacer_config
from dialer.settings import Settings
from dialer.telephony.simulated_plan import read_dial


def test_voter_and_volunteer_meet_in_the_volunteers_own_conference() -> None:
    voter = ET.fromstring(twiml.bridge_twiml("dc", "u1"))
    volunteer = ET.fromstring(twiml.volunteer_leg_twiml("dc", "u1"))
    rooms = [doc.find("Dial/Conference") for doc in (voter, volunteer)]
    assert all(room is not None and room.text == "dialer-dc-u1" for room in rooms)
    assert twiml.conference_name("dc", "u1") != twiml.conference_name("dc", "u2")
    assert twiml.conference_name("dc", "u1") != twiml.conference_name("other", "u1")
    # The volunteer's leaving ends the room; the voter's leaving does not throw the volunteer out.
    assert rooms[1] is not None and rooms[1].get("endConferenceOnExit") == "true"
    assert rooms[0] is not None and rooms[0].get("endConferenceOnExit") == "false"
    # Never a <Dial><Number>: the simulated carrier must not take a bridge for a new outbound leg.
    assert read_dial(twiml.bridge_twiml("dc", "u1")) is None


def test_an_abandoned_voter_hears_who_called_and_a_number_then_the_call_ends() -> None:
    doc = ET.fromstring(twiml.identification_twiml("DC Votes", "+12025550199"))
    said = doc.findtext("Say") or ""
    assert "DC Votes" in said and "2 0 2 5 5 5 0 1 9 9" in said
    assert [child.tag for child in doc] == ["Say", "Hangup"]


def test_the_hold_never_leaves_a_voter_in_silence_for_good() -> None:
    doc = ET.fromstring(twiml.hold_twiml("DC Votes", "+12025550199"))
    assert [child.tag for child in doc] == ["Pause", "Say", "Hangup"]
    assert int(doc.find("Pause").get("length", "0")) <= 10  # type: ignore[union-attr]


def test_a_machine_gets_the_voicemail_message_or_a_hang_up() -> None:
    with_message = ET.fromstring(twiml.voicemail_twiml("Vote on Tuesday."))
    assert with_message.findtext("Say") == "Vote on Tuesday." and with_message.find("Hangup") is not None
    assert [child.tag for child in ET.fromstring(twiml.voicemail_twiml(None))] == ["Hangup"]


def test_the_pacer_sees_volunteers_in_carrier_seconds() -> None:
    talking = Agent("a", AgentState.TALKING, since=100.0, seen=90.0)
    wrapping = Agent("b", AgentState.WRAP_UP, since=100.0, seen=90.0)
    ready = Agent("c", AgentState.READY, since=100.0, seen=100.0)
    assert agent_view(talking, 101.0, 10.0) == pacing.AgentView(pacing.AgentStatus.TALKING, elapsed=10.0)
    assert agent_view(wrapping, 101.0, 10.0) == pacing.AgentView(
        pacing.AgentStatus.WRAP_UP, remaining=WRAP_EXPECTED - 10.0
    )
    assert agent_view(wrapping, 102.0, 10.0).remaining == 0.0
    assert agent_view(wrapping, 200.0, 10.0).remaining > 300  # overdue: not counted on
    assert agent_view(ready, 101.0, 1.0).status is pacing.AgentStatus.READY


def test_quiet_volunteers_leave_the_pool_but_talking_ones_never_do() -> None:
    assert is_stale(Agent("a", AgentState.READY, since=0.0, seen=0.0), now=1000.0)
    assert not is_stale(Agent("a", AgentState.READY, since=0.0, seen=990.0), now=1000.0)
    assert not is_stale(Agent("a", AgentState.TALKING, since=0.0, seen=0.0), now=1000.0)


def test_pacing_plans_around_the_amd_verdict_and_rings_long_enough() -> None:
    config = pacer_config()
    assert RING_TIMEOUT >= 15
    assert config.timing.pickup_min > pacing.CallTiming().pickup_min
    assert config.timing.bridge_window == 2.0


def test_time_runs_faster_only_with_the_simulated_carrier() -> None:
    assert time_scale(Settings(carrier="simulated", sim_speed=20.0)) == 20.0
    assert time_scale(Settings(carrier="twilio", sim_speed=20.0)) == 1.0


def test_abandon_rate_is_abandoned_over_live_answers() -> None:
    assert DialCounters().abandon_rate == 0.0
    assert DialCounters(live_answers=200, abandoned=5).abandon_rate == 0.025
    assert DialCounters(bridged=4, wait_total=10.0).mean_wait == 2.5
    assert DialCounters().mean_wait is None
