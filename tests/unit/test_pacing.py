"""Unit tests of the pure pacer: modes, the abandonment controller, the CPS window and the estimators."""

from __future__ import annotations

import math
import random

import pytest

from dialer.models import Mode
from dialer.pacing import (
    AgentStatus,
    AgentView,
    CallOutcome,
    CallTiming,
    OutcomeEstimator,
    PacerConfig,
    PacingInput,
    TalkTimeEstimator,
    TalkTimeModel,
    cps_room,
    decide,
    risk_threshold,
)

READY = AgentView(AgentStatus.READY)


def talking(elapsed: float) -> AgentView:
    return AgentView(AgentStatus.TALKING, elapsed=elapsed)


def wrapping(remaining: float) -> AgentView:
    return AgentView(AgentStatus.WRAP_UP, remaining=remaining)


def make_input(
    mode: Mode = Mode.PREDICTIVE,
    agents: tuple[AgentView, ...] = (READY,) * 20,
    ringing: tuple[float, ...] = (),
    live_answers: int = 2000,
    abandoned: int = 0,
    cps_limit: float = 1000.0,
    **kwargs: object,
) -> PacingInput:
    return PacingInput(
        now=1000.0,
        mode=mode,
        agents=agents,
        ringing=ringing,
        outcomes=OutcomeEstimator(),
        talk=TalkTimeModel(),
        live_answers=live_answers,
        abandoned=abandoned,
        cps_limit=cps_limit,
        **kwargs,  # type: ignore[arg-type]
    )


def test_power_dials_one_line_per_free_volunteer_minus_lines_ringing() -> None:
    agents = (READY,) * 5 + (talking(30.0),) * 3 + (wrapping(2.0),) * 2
    assert decide(make_input(Mode.POWER, agents)).dials == 5
    assert decide(make_input(Mode.POWER, agents, ringing=(1.0, 4.0))).dials == 3
    assert decide(make_input(Mode.POWER, agents, ringing=(1.0,) * 9)).dials == 0


def test_preview_and_empty_pools_dial_nothing() -> None:
    assert decide(make_input(Mode.PREVIEW)).dials == 0
    assert decide(make_input(agents=())).dials == 0


def test_predictive_overdials_free_volunteers_when_the_bank_allows() -> None:
    decision = decide(make_input())
    assert decision.theta > 0
    # With a 10% answer rate many more lines than 20 free volunteers carry little risk.
    assert decision.dials > 40


def test_a_large_pool_over_the_cap_keeps_only_the_floor_risk() -> None:
    over_cap = decide(make_input(live_answers=1000, abandoned=30))
    assert over_cap.theta == PacerConfig().theta_floor
    # Still predictive (power mode would idle half the pool while the rate comes back down), but far less
    # than with drops in the bank.
    assert over_cap.safe == 20 < over_cap.dials < decide(make_input(live_answers=1000, abandoned=0)).dials


def test_a_small_pool_over_the_cap_falls_back_to_the_safe_floor() -> None:
    over_cap = decide(make_input(agents=(READY,) * 5, live_answers=100, abandoned=3))
    assert over_cap.theta == 0.0
    assert over_cap.dials == over_cap.safe == 5


def test_predictive_tightens_as_measured_abandonment_nears_the_cap() -> None:
    counts = [decide(make_input(live_answers=1000, abandoned=a)).dials for a in (0, 10, 18, 22, 26)]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > counts[-1]


def test_a_fresh_small_pool_takes_no_risk() -> None:
    decision = decide(make_input(agents=(READY,) * 4, live_answers=0))
    assert decision.theta == 0.0
    assert decision.dials == 4


def test_agents_finishing_wrap_up_soon_count_as_free_for_the_safe_floor() -> None:
    agents = (wrapping(3.0),) * 4 + (wrapping(15.0),) * 4
    decision = decide(make_input(agents=agents, live_answers=0))
    assert decision.safe == 4  # the first four are free before any new line can be answered (5 s + 2 s)


def test_lines_already_ringing_reduce_what_predictive_dials() -> None:
    idle = decide(make_input()).dials
    busy = decide(make_input(ringing=(6.0,) * 60)).dials
    assert busy < idle


def test_a_higher_answer_rate_means_fewer_lines() -> None:
    low = OutcomeEstimator(prior=(0.05, 0.2, 0.1, 0.65))
    high = OutcomeEstimator(prior=(0.25, 0.2, 0.1, 0.45))
    base = make_input()
    n_low = decide(PacingInput(**{**base.__dict__, "outcomes": low})).dials
    n_high = decide(PacingInput(**{**base.__dict__, "outcomes": high})).dials
    assert n_low > n_high


def test_the_cps_limit_caps_the_decision() -> None:
    decision = decide(make_input(cps_limit=5.0, recent_dials=(999.5, 999.9)))
    assert decision.dials == 3
    assert decision.limited_by_cps


def test_cps_room_counts_a_sliding_window() -> None:
    assert cps_room(10.0, [], 3.0) == 3
    assert cps_room(10.0, [9.0, 9.5, 10.0], 3.0) == 1  # 9.0 left the (9, 10] window
    assert cps_room(10.0, [9.2, 9.5, 10.0], 3.0) == 0
    assert cps_room(10.0, [8.5], 0.5) == 0  # one call per two seconds
    assert cps_room(10.0, [7.9], 0.5) == 1
    assert cps_room(10.0, [], 0.0) == 0


def test_risk_threshold_follows_the_bank_between_floor_and_max() -> None:
    config = PacerConfig()
    floor, mid = config.theta_floor, config.theta_mid
    # Nothing earned yet: a large pool starts at the floor, a small one takes no risk.
    assert risk_threshold(0, 0, 0.03, 20, config) == floor
    assert risk_threshold(0, 0, 0.03, 5, config) == 0.0
    # A bank of 0.5 (25 drops in 1000 answers against the 2.55% target): just over theta_mid.
    expected = mid * math.exp(0.5 / config.bank_scale)
    assert risk_threshold(1000, 25, 0.03, 20, config) == pytest.approx(expected)
    # Every bank_scale drops spent divides theta by e; it never goes under the floor or over the max.
    high = risk_threshold(1000, 22, 0.03, 20, config)
    low = risk_threshold(1000, 22 + int(config.bank_scale), 0.03, 20, config)
    assert high / low == pytest.approx(math.e)
    assert floor < risk_threshold(1000, 29, 0.03, 20, config) < mid  # over the target, under the cap
    assert risk_threshold(1000, 40, 0.03, 20, config) == floor  # over the cap itself
    assert risk_threshold(100_000, 0, 0.03, 20, config) == config.theta_max
    # A small pool: no risk until a whole drop is banked, none when one more drop breaks the cap.
    assert risk_threshold(30, 0, 0.03, 5, config) == 0.0
    assert risk_threshold(40, 0, 0.03, 5, config) > 0.0
    assert risk_threshold(60, 1, 0.03, 5, config) == 0.0
    # The loan: one answer per volunteer counts for the cap check.
    assert risk_threshold(10, 0, 0.03, 0, config) == 0.0
    assert risk_threshold(10, 0, 0.03, 30, config) > 0.0
    thetas = [risk_threshold(n, 5, 0.03, 20, config) for n in range(0, 2000, 50)]
    assert thetas == sorted(thetas)


def test_outcome_estimator_starts_at_its_prior_and_learns() -> None:
    est = OutcomeEstimator()
    assert est.human_rate == pytest.approx(0.10)
    for i in range(1000):
        est = est.observed(CallOutcome.HUMAN if i % 5 == 0 else CallOutcome.NO_ANSWER)
    assert est.human_rate == pytest.approx(0.2, abs=0.01)
    total = est.human_rate + est.machine_rate + est.fail_rate + est.no_answer_rate
    assert total == pytest.approx(1.0)


def test_outcome_estimator_with_half_life_forgets_old_evidence() -> None:
    fading, keeping = OutcomeEstimator(half_life=100.0), OutcomeEstimator()
    for outcome in [CallOutcome.HUMAN] * 1000 + [CallOutcome.NO_ANSWER] * 1000:
        fading, keeping = fading.observed(outcome), keeping.observed(outcome)
    assert fading.human_rate < 0.03  # what is left is mostly the prior
    assert keeping.human_rate > 0.45


def test_talk_time_model_matches_its_mean_and_conditions_on_elapsed_time() -> None:
    model = TalkTimeModel(mean=90.0, sd=60.0)
    mu, sigma = model.log_params
    assert math.exp(mu + sigma**2 / 2) == pytest.approx(90.0)
    assert 0.5 < model.cdf(90.0) < 0.7
    assert model.ends_within(30.0, 0.0) == 0.0
    assert 0.0 < model.ends_within(30.0, 10.0) < model.ends_within(30.0, 60.0) < 1.0


def test_talk_time_estimator_learns_from_conversations() -> None:
    est = TalkTimeEstimator()
    for seconds in [200.0, 300.0] * 500:
        est = est.observed(seconds)
    assert est.model.mean == pytest.approx(250.0, rel=0.05)
    assert est.model.sd < 100.0


def test_a_dial_settles_once_no_outcome_can_still_be_pending() -> None:
    assert CallTiming().settled_after == 21.0  # a machine picked up at 18 s is known at 21 s
    assert CallTiming(ring_timeout=30.0).settled_after == 30.0


def test_the_planning_answer_rate_is_high_while_uncertain_and_tightens_with_evidence() -> None:
    young, old = OutcomeEstimator(), OutcomeEstimator()
    for i in range(5000):
        old = old.observed(CallOutcome.HUMAN if i % 10 == 0 else CallOutcome.NO_ANSWER)
    assert young.human_rate_upper(2.5) > 0.3  # the prior alone could hide a 30% answer rate
    assert 0.10 < old.human_rate_upper(2.5) < 0.115
    assert old.human_rate_upper(0.0) == pytest.approx(old.human_rate)


# -- hanging up late lines ---------------------------------------------------------------------------

BUSY_POOL = (talking(5.0),) * 20  # every volunteer just started a conversation


def test_a_line_past_its_legal_ring_with_nobody_free_is_hung_up() -> None:
    decision = decide(make_input(agents=BUSY_POOL, ringing=(16.0, 15.5, 10.0, 3.0)))
    assert decision.cancel == (0, 1)  # the two that rang 15 s; the young ones ring on
    assert decision.dials == 0


@pytest.mark.parametrize("mode", [Mode.PREDICTIVE, Mode.POWER])
def test_when_the_pool_empties_every_late_line_is_hung_up(mode: Mode) -> None:
    assert decide(make_input(mode, agents=(), ringing=(16.0, 15.0, 9.0))).cancel == (0, 1)


def test_a_late_line_is_kept_while_volunteers_are_free_for_it() -> None:
    assert decide(make_input(ringing=(16.0, 15.5))).cancel == ()


def test_no_line_is_hung_up_before_fifteen_seconds_or_once_it_cannot_be_a_human() -> None:
    decision = decide(make_input(agents=BUSY_POOL, ringing=(14.9, 12.0, 18.0, 19.5)))
    assert decision.cancel == ()


def test_lines_the_caller_says_may_not_be_hung_up_ring_on() -> None:
    # The live dialer knows more than a line's age: it rang late, or was answered and awaits the AMD.
    inp = make_input(agents=BUSY_POOL, ringing=(16.0, 16.0), cancellable=(False, True))
    assert decide(inp).cancel == (1,)


def test_power_mode_and_a_config_without_cancelling_never_hang_up() -> None:
    assert decide(make_input(Mode.POWER, agents=BUSY_POOL, ringing=(16.0,))).cancel == ()
    never = PacerConfig(keep_factor=None)
    assert decide(make_input(agents=BUSY_POOL, ringing=(16.0,)), never).cancel == ()


def test_lines_hung_up_leave_room_for_new_ones() -> None:
    # Volunteers free in 6 s: late lines would be answered before then, fresh ones (5-15 s) after.
    agents = (wrapping(6.0),) * 20
    decision = decide(make_input(agents=agents, ringing=(15.2,) * 30))
    assert decision.cancel == tuple(range(30))
    assert decision.dials == decide(make_input(agents=agents)).dials  # as if they had never been dialed
    assert (
        decision.dials
        > decide(make_input(agents=agents, ringing=(15.2,) * 30), PacerConfig(keep_factor=None)).dials
    )


def test_a_hung_up_dial_counts_as_a_share_of_each_outcome() -> None:
    timing = CallTiming()
    est = OutcomeEstimator().hung_up(16.0, timing)
    assert sum(est.counts) == pytest.approx(1.0)
    human, machine, failed, no_answer = est.counts
    assert 0.0 < human < machine < no_answer and failed == 0.0  # fails come by 5 s; machines show by 21
    assert OutcomeEstimator().hung_up(0.0, timing).counts == pytest.approx(OutcomeEstimator().prior)
    late = OutcomeEstimator().hung_up(19.0, timing).counts  # past 18 s only a machine's verdict can be due
    assert late[0] == late[2] == 0.0 and late[1] + late[3] == pytest.approx(1.0)
    assert OutcomeEstimator().hung_up(16.0, timing, count=40).counts == pytest.approx(
        tuple(40 * c for c in est.counts)
    )


def test_hung_up_dials_leave_the_answer_rate_unbiased() -> None:
    # Dials whose outcomes are cut off at 15 s (as the pacer cancels them): counted as shares, the estimate
    # finds the true rate; counted as "no answer" it would be 23% low (a pick-up window 5-18 s).
    timing, rng = CallTiming(), random.Random(8)
    shared, as_no_answer = OutcomeEstimator(), OutcomeEstimator()
    for _ in range(20000):
        u, pickup = rng.random(), rng.uniform(5.0, 18.0)
        if u < 0.15:
            outcome, known = CallOutcome.HUMAN, pickup
        elif u < 0.35:
            outcome, known = CallOutcome.MACHINE, pickup + 3.0
        elif u < 0.45:
            outcome, known = CallOutcome.FAILED, rng.uniform(2.0, 5.0)
        else:
            outcome, known = CallOutcome.NO_ANSWER, 20.0
        if known <= 15.0:
            shared, as_no_answer = shared.observed(outcome), as_no_answer.observed(outcome)
        else:
            shared = shared.hung_up(15.0, timing)
            as_no_answer = as_no_answer.observed(CallOutcome.NO_ANSWER)
    assert shared.human_rate == pytest.approx(0.15, abs=0.01)
    assert shared.machine_rate == pytest.approx(0.20, abs=0.015)
    assert as_no_answer.human_rate < 0.13
