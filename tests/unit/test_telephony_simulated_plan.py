from __future__ import annotations

import math
import random
import statistics

import pytest

from dialer.telephony.base import AnsweredBy, CallStatus, MachineDetection, advances
from dialer.telephony.simulated_plan import (
    LegSpec,
    Outcome,
    RequestKind,
    SimProfile,
    choose_outcome,
    hang_up,
    plan_call,
    read_dial,
    talk_seconds,
)
from dialer.telephony.twiml import dial_twiml, refusal_twiml

STATUS = "http://127.0.0.1:8000/twilio/status?campaign_id=gotv&contact_id=k7"
AMD = "http://127.0.0.1:8000/twilio/amd?campaign_id=gotv&contact_id=k7"
START = 1_795_000_000.0
QUIET = {"late_rate": 0.0, "repeat_rate": 0.0}


def humans(**changes: float) -> SimProfile:
    """Every dial answered by a person."""
    return SimProfile(
        **({"human_rate": 1.0, "machine_rate": 0.0, "busy_rate": 0.0, "fail_rate": 0.0} | changes)
    )


def spec(**changes: object) -> LegSpec:
    base: dict[str, object] = {
        "call_sid": "CA" + "5e" * 16,
        "account_sid": "AC" + "6f" * 16,
        "to": "+12025550142",
        "from_": "+13125550101",
        "status_callback": STATUS,
        "timeout": 30,
    }
    return LegSpec(**(base | changes))  # type: ignore[arg-type]


def plans(n: int, profile: SimProfile, seed: int = 7, **changes: object) -> list:  # type: ignore[type-arg]
    return [plan_call(spec(**changes), profile, random.Random(f"{seed}:{i}"), START) for i in range(n)]


def status_requests(plan) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [r for r in plan.requests if r.kind is RequestKind.STATUS]


def test_a_seed_decides_everything() -> None:
    profile = SimProfile()
    assert plans(50, profile, seed=3) == plans(50, profile, seed=3)
    assert plans(50, profile, seed=3) != plans(50, profile, seed=4)


def test_outcomes_follow_the_configured_rates() -> None:
    profile = SimProfile(human_rate=0.4, machine_rate=0.25, busy_rate=0.1, fail_rate=0.05)
    n = 6000
    rng = random.Random(11)
    counts = {outcome: 0 for outcome in Outcome}
    for _ in range(n):
        counts[choose_outcome(profile, rng)] += 1
    expected = {Outcome.HUMAN: 0.4, Outcome.MACHINE: 0.25, Outcome.BUSY: 0.1, Outcome.FAILED: 0.05}
    expected[Outcome.NO_ANSWER] = 0.2
    for outcome, p in expected.items():
        sigma = math.sqrt(n * p * (1 - p))
        assert abs(counts[outcome] - n * p) < 4 * sigma, (outcome, counts)


def test_talk_times_have_the_configured_mean_and_spread() -> None:
    profile = SimProfile(talk_mean=90.0, talk_sd=60.0)
    rng = random.Random(5)
    talks = [talk_seconds(profile, rng) for _ in range(20000)]
    assert statistics.fmean(talks) == pytest.approx(90.0, rel=0.05)
    assert statistics.stdev(talks) == pytest.approx(60.0, rel=0.12)


def test_each_outcome_tells_its_story_in_callbacks() -> None:
    seen = set()
    for plan in plans(400, SimProfile(**QUIET)):
        seen.add(plan.outcome)
        sent = status_requests(plan)
        statuses = [dict(r.params)["CallStatus"] for r in sent]
        assert [dict(r.params)["SequenceNumber"] for r in sent] == [str(i) for i in range(len(sent))]
        assert statuses[0] == "initiated" and statuses[-1] == plan.final_status.value
        final = dict(sent[-1].params)
        assert final["CallDuration"] == str(plan.duration)
        if plan.outcome is Outcome.HUMAN or plan.outcome is Outcome.MACHINE:
            assert statuses == ["initiated", "ringing", "in-progress", "completed"]
            assert plan.answered_at is not None and 5.0 <= plan.answered_at - START <= 18.0
            assert plan.duration >= 1
        elif plan.outcome is Outcome.NO_ANSWER:
            assert statuses == ["initiated", "ringing", "no-answer"]
            assert plan.ended_at == START + 30 and plan.duration == 0
        else:
            assert statuses == ["initiated", plan.outcome.value]
            assert 2.0 <= plan.ended_at - START <= 5.0
    assert seen == set(Outcome)


def test_callbacks_carry_what_twilio_sends() -> None:
    (plan,) = plans(1, humans(), parent_call_sid="CA" + "7a" * 16, direction="outbound-dial")
    for request in status_requests(plan):
        params = dict(request.params)
        assert params["CallSid"] == plan.spec.call_sid and params["ParentCallSid"] == "CA" + "7a" * 16
        assert params["AccountSid"].startswith("AC") and params["ApiVersion"] == "2010-04-01"
        assert params["Timestamp"].endswith("+0000") and params["Direction"] == "outbound-dial"
        assert (params["To"], params["From"]) == ("+12025550142", "+13125550101")
        assert "AnsweredBy" not in params  # no AMD was asked for
        assert request.url == STATUS


def test_only_requested_events_are_reported_but_the_end_always_is() -> None:
    for plan in plans(60, SimProfile(**QUIET), events=frozenset({"answered"})):
        statuses = [dict(r.params)["CallStatus"] for r in status_requests(plan)]
        assert statuses[-1] == plan.final_status.value
        assert set(statuses[:-1]) <= {"in-progress"}


def test_async_amd_reports_the_verdict() -> None:
    amd_plans = plans(
        200,
        SimProfile(human_rate=0.5, machine_rate=0.5, busy_rate=0, fail_rate=0, **QUIET),
        machine_detection=MachineDetection.DETECT_MESSAGE_END,
        async_amd=True,
        amd_callback=AMD,
        timeout=60,
    )
    for plan in amd_plans:
        amd = [r for r in plan.requests if r.kind is RequestKind.AMD]
        (verdict,) = amd
        expected = AnsweredBy.HUMAN if plan.outcome is Outcome.HUMAN else AnsweredBy.MACHINE_END_BEEP
        assert dict(verdict.params)["AnsweredBy"] == expected.value and verdict.url == AMD
        # With AMD on, Twilio also puts AnsweredBy in the answered and completed callbacks.
        assert dict(status_requests(plan)[-1].params)["AnsweredBy"] == expected.value
    without = plans(50, humans())
    assert all(r.kind is not RequestKind.AMD for plan in without for r in plan.requests)


def test_the_network_reorders_and_repeats_callbacks() -> None:
    noisy = plans(200, humans(late_rate=0.3, repeat_rate=0.3))
    reordered = repeated = 0
    for plan in noisy:
        sequence = [int(dict(r.params)["SequenceNumber"]) for r in status_requests(plan)]
        reordered += sequence != sorted(sequence)
        repeated += len(sequence) != len(set(sequence))
        # Applying them in arrival order with `advances` still ends where the call ended.
        state: CallStatus | None = None
        for request in status_requests(plan):
            status = CallStatus(dict(request.params)["CallStatus"])
            if advances(state, status):
                state = status
        assert state is plan.final_status
    assert reordered > 20 and repeated > 20
    quiet = plans(200, SimProfile(**QUIET))
    for plan in quiet:
        sequence = [int(dict(r.params)["SequenceNumber"]) for r in status_requests(plan)]
        assert sequence == list(range(len(sequence)))


def test_hanging_up_a_ringing_call_cancels_it() -> None:
    (plan,) = plans(1, humans(**QUIET))
    cut = hang_up(plan, START + 3.0, random.Random(1), SimProfile())
    statuses = [dict(r.params)["CallStatus"] for r in status_requests(cut)]
    assert statuses == ["initiated", "ringing", "canceled"] or statuses == ["initiated", "canceled"]
    assert cut.final_status is CallStatus.CANCELED and cut.answered_at is None
    assert dict(status_requests(cut)[-1].params)["SequenceNumber"] == str(len(statuses) - 1)


def test_hanging_up_a_live_call_completes_it_with_its_duration() -> None:
    (plan,) = plans(1, humans(talk_mean=600, talk_sd=1, **QUIET))
    assert plan.answered_at is not None
    cut = hang_up(plan, plan.answered_at + 42.0, random.Random(1), SimProfile())
    final = dict(status_requests(cut)[-1].params)
    assert (final["CallStatus"], final["CallDuration"], final["SequenceNumber"]) == ("completed", "42", "3")
    assert hang_up(cut, cut.ended_at + 10, random.Random(1), SimProfile()) is cut


def test_read_dial_understands_our_twiml() -> None:
    dial = read_dial(dial_twiml("+12025550142", "+13125550101", STATUS, timeout=25))
    assert dial is not None
    assert (dial.number, dial.caller_id, dial.timeout, dial.status_callback) == (
        "+12025550142",
        "+13125550101",
        25,
        STATUS,
    )
    assert dial.events == {"initiated", "ringing", "answered", "completed"}
    assert read_dial(refusal_twiml("Sorry, that contact is not in your batch.")) is None


def test_nonsense_profiles_are_refused() -> None:
    with pytest.raises(ValueError):
        SimProfile(human_rate=0.7, machine_rate=0.5)
    with pytest.raises(ValueError):
        SimProfile(late_rate=1.5)
    with pytest.raises(ValueError):
        SimProfile(pickup_min=0)
