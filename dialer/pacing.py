"""How many lines to dial now, for power and predictive modes (pure: no I/O, time passed in).

Power mode dials one line per free volunteer (``ready - lines still ringing``): nobody is abandoned, and
a volunteer waits about ``1 / answer_rate`` calls before each conversation.

Predictive mode. VICIdial's adaptive modes nudge a *dial level* (lines per free agent) up or down with the
measured drop rate; its binomial look-ahead variants size it as if each free agent were one trial. Both
ignore *when* agents become free and *when* ringing lines will be answered, and oscillate around the
cap. This pacer plans each line against the next twenty seconds:

1. **Supply.** For every horizon ``y`` the number of agents free by ``now + y``: the ready ones, those whose
   wrap-up ends by then (known), and talking ones as Bernoulli trials whose probability comes from the
   talk-time distribution (lognormal, conditioned on the time already spent talking) plus the wrap-up.
2. **Demand.** Every ringing line is a Bernoulli trial "a human answers by ``now + a``" whose probability is
   the posterior given how long it has rung without an outcome (fast failures, answering-machine
   detection and ring-outs remove probability mass as time passes). Their sum is a Poisson-binomial,
   approximated by a Poisson of the same mean (a slightly heavier tail, so it errs on the safe side).
   Humans already answered and waiting for an agent are certain demand. The answer rate comes from
   `OutcomeEstimator` (a prior plus each dial once *settled*, 21 s on, so early fast failures do not make
   it look low); the pacer plans with its mean plus 2.5 posterior standard deviations, so that a young
   campaign whose rate is still a guess does not flood its volunteers (on API.md's model, planning with
   the mean moves the pacer along the same talk-for-drops curve, no higher).
3. **Marginal risk of one more line.** A new line's human answers at ``a`` uniform in the pick-up window;
   it is abandoned iff the humans answered before it have used up every agent free by ``a + 2 s``:
   ``risk(k) = mean_a P(D_others(a) >= S(a + 2))`` where ``D_others`` counts the ringing lines and the
   other ``k - 1`` new lines. ``risk`` grows with ``k``; we dial the largest ``k`` with ``risk(k) <= theta``.
   Thresholding the *marginal* risk is the Lagrangian rule for "most conversations subject to an average
   abandonment": each extra line is dialed only while its own chance of being dropped is small enough.
   (The realized drop rate is one to two times ``theta``: later dials compete for the same agents.)
4. **A floor with no risk at all.** ``k_safe`` lines are dialed whatever ``theta`` is: as many as agents
   certainly free by the earliest possible pick-up (+2 s) minus every line that could still be a human.
   That is power mode with look-ahead into wrap-up, and it is what a small pool falls back to.
5. **Theta from the abandonment bank.** ``bank = target * live_answers - abandoned`` is how many drops
   the campaign can still afford at ``target = cap * target_share`` (2.55%, a margin under the 3% cap for
   the noise of finite runs). ``theta = theta_mid * exp((bank - bank_reserve) / bank_scale)``, kept between
   ``theta_floor`` and ``theta_max``: ``log theta`` moves by a constant with every answer and every drop, an
   integral controller on the measured campaign abandonment. It never falls to zero in a pool of 10 or
   more: drops come in bursts (four humans answering at once into a busy pool), and the safe floor after
   one, power mode with look-ahead, idles half the volunteers for the ten minutes it takes to earn the
   rate back, while ``theta_floor`` keeps 41.5 of the 44 talk-minutes at a fifth of the drops and earns it
   back in a few. Theta is 0 only in a pool under 10 volunteers, when the bank holds less than one drop or
   one more drop would put the campaign over the cap even counting one answer per volunteer to come: a
   small pool earns answers slowly and never spends a drop it has not earned.

Measured with bench/pacing.py: see its docstring. The bound is the Poisson noise in how many ringing
lines turn out to be humans: idle agents at the moment a committed line is answered vary with a standard
deviation of about sqrt(agents freed per second x ~10 s), and drops under 3% need a buffer of 1.5-2 of it.

Every decision is finally clipped to ``>= 0``, to the concurrent-line ceiling and to the carrier's
calls-per-second limit over a sliding window of past dial times.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from dialer.call_estimates import CallOutcome as CallOutcome
from dialer.call_estimates import CallTiming as CallTiming
from dialer.call_estimates import OutcomeEstimator as OutcomeEstimator
from dialer.call_estimates import TalkTimeEstimator as TalkTimeEstimator
from dialer.call_estimates import TalkTimeModel as TalkTimeModel
from dialer.call_estimates import uniform_cdf
from dialer.models import Mode


class AgentStatus(enum.StrEnum):
    READY = "ready"
    TALKING = "talking"
    WRAP_UP = "wrap_up"


@dataclass(frozen=True)
class AgentView:
    """A volunteer as the pacer sees them. `elapsed`: seconds talking; `remaining`: wrap-up seconds left."""

    status: AgentStatus
    elapsed: float = 0.0
    remaining: float = 0.0


@dataclass(frozen=True)
class PacerConfig:
    target_share: float = 0.85  # aim at this share of the cap (2.55% of 3%)
    theta_mid: float = 0.02  # marginal drop probability allowed with `bank_reserve` abandons in hand
    theta_floor: float = 0.003  # ... never less while the campaign is not at risk of breaking the cap
    theta_max: float = 0.05  # ... never more (higher makes drops come in bursts)
    bank_reserve: float = 0.0  # abandons in hand at which theta == theta_mid
    bank_scale: float = 5.0  # theta changes e-fold with every this many abandons gained or spent
    answers_lent_per_volunteer: float = 1.0  # answers a pool surely earns soon (for the cap check)
    small_pool: int = 10  # fewer volunteers than this take no risk at all when the cap check fails
    answer_rate_z: float = 2.5  # plan with this many standard deviations above the estimated answer rate
    grid: int = 13  # arrival-time points for the new line's human
    max_lines_per_agent: int = 30
    wrap_expected: float = 15.0  # seconds of wrap-up after a conversation
    timing: CallTiming = field(default_factory=CallTiming)


@dataclass(frozen=True)
class PacingInput:
    now: float
    mode: Mode
    agents: Sequence[AgentView]
    ringing: Sequence[float]  # seconds since each unresolved line was dialed
    outcomes: OutcomeEstimator
    talk: TalkTimeModel | None  # None: not enough finished conversations yet to trust a model
    live_answers: int = 0
    abandoned: int = 0
    waiting: int = 0  # humans answered, not yet bridged
    abandon_cap: float = 0.03
    cps_limit: float = 1.0
    recent_dials: Sequence[float] = ()  # times of past dials (only the last window matters)


@dataclass(frozen=True)
class PacingDecision:
    dials: int
    safe: int  # lines that carry no abandonment risk at all
    theta: float  # marginal drop probability allowed for this decision
    limited_by_cps: bool = False


def decide(inp: PacingInput, config: PacerConfig = PacerConfig()) -> PacingDecision:
    """The number of new lines to dial at `inp.now` (never negative, never over the CPS limit)."""
    if inp.mode is Mode.PREVIEW or not inp.agents:
        return PacingDecision(dials=0, safe=0, theta=0.0)
    if inp.mode is Mode.POWER:
        ready = sum(1 for a in inp.agents if a.status is AgentStatus.READY)
        wanted = safe = max(0, ready - len(inp.ringing) - inp.waiting)
        theta = 0.0
    else:
        safe = _safe_lines(inp, config)
        theta = risk_threshold(inp.live_answers, inp.abandoned, inp.abandon_cap, len(inp.agents), config)
        wanted = max(safe, _risky_lines(inp, config, theta, start=safe)) if theta > 0 else safe
    ceiling = config.max_lines_per_agent * len(inp.agents) - len(inp.ringing)
    wanted = max(0, min(wanted, ceiling))
    room = cps_room(inp.now, inp.recent_dials, inp.cps_limit)
    return PacingDecision(dials=min(wanted, room), safe=safe, theta=theta, limited_by_cps=room < wanted)


def risk_threshold(
    live_answers: int, abandoned: int, cap: float, volunteers: int = 0, config: PacerConfig = PacerConfig()
) -> float:
    """Theta from the abandonment bank (module docstring, step 5)."""
    if cap * (live_answers + config.answers_lent_per_volunteer * volunteers) - abandoned < 1.0:
        # One more drop would put the campaign over the cap even counting the answers it surely earns soon.
        # A small pool earns answers slowly and stops taking risk; a larger one keeps the floor, which earns
        # answers fast at a small fraction of the cap and so brings the rate back down within minutes.
        return config.theta_floor if volunteers >= config.small_pool else 0.0
    bank = cap * config.target_share * live_answers - abandoned
    if volunteers < config.small_pool and bank < 1.0:
        return 0.0  # a small pool spends only a drop it has already earned
    theta = config.theta_mid * math.exp((bank - config.bank_reserve) / config.bank_scale)
    return min(config.theta_max, max(config.theta_floor, theta))


def cps_room(now: float, recent_dials: Sequence[float], cps_limit: float) -> int:
    """Dials allowed now so that no window of `max(1, 1/cps)` seconds holds more than `cps * window`."""
    if cps_limit <= 0:  # a stopped carrier
        return 0
    window = max(1.0, 1.0 / cps_limit)
    allowed = math.floor(cps_limit * window + 1e-9)
    used = sum(1 for t in recent_dials if now - window < t <= now)
    return max(0, allowed - used)


def _safe_lines(inp: PacingInput, config: PacerConfig) -> int:
    timing = config.timing
    horizon = timing.pickup_min + timing.bridge_window
    sure = sum(1 for a in inp.agents if _surely_free_by(a, horizon))
    could_be_human = sum(1 for e in inp.ringing if e < timing.pickup_max)
    return max(0, sure - could_be_human - inp.waiting)


def _surely_free_by(agent: AgentView, horizon: float) -> bool:
    return agent.status is AgentStatus.READY or (
        agent.status is AgentStatus.WRAP_UP and agent.remaining <= horizon
    )


def _risky_lines(inp: PacingInput, config: PacerConfig, theta: float, start: int) -> int:
    """The largest k >= start whose k-th line has marginal drop risk <= theta (risk grows with k)."""
    timing = config.timing
    human = inp.outcomes.human_rate_upper(config.answer_rate_z)
    if human <= 0.0:
        return start
    # Lines dialed on the same tick share their elapsed time: weigh each distinct age once.
    ages = Counter(inp.ringing)
    weights = [(e, n * _human_weight(e, inp.outcomes, timing, human)) for e, n in ages.items()]
    span = timing.pickup_max - timing.pickup_min
    points = []
    for j in range(config.grid):
        a = timing.pickup_min + span * (j + 0.5) / config.grid
        demand = sum(w * (timing.pickup_cdf(e + a) - timing.pickup_cdf(e)) for e, w in weights if w > 0)
        sure, chances = _supply(inp.agents, a + timing.bridge_window, inp.talk, config)
        points.append((demand, human * timing.pickup_cdf(a), sure - inp.waiting, _poisson_binomial(chances)))

    def risk(others: int) -> float:
        total = 0.0
        for demand, per_line, supply, supply_pmf in points:
            mean = demand + others * per_line
            total += sum(p * _poisson_tail(mean, supply + b) for b, p in enumerate(supply_pmf))
        return total / len(points)

    limit = config.max_lines_per_agent * len(inp.agents)
    if start >= limit or risk(start) > theta:
        return start
    # Exponential then binary search for the first `others` count whose next line is too risky; `limit`
    # stands in for "too risky" so the search never looks past it.
    low, step = start, 1
    while low + step < limit and risk(low + step) <= theta:
        low, step = low + step, step * 2
    high = min(low + step, limit)  # risk(high) > theta, or high == limit
    while high - low > 1:
        mid = (low + high) // 2
        if risk(mid) <= theta:
            low = mid
        else:
            high = mid
    return high


def _human_weight(elapsed: float, rates: OutcomeEstimator, timing: CallTiming, human: float) -> float:
    """human_rate / P(no outcome yet | elapsed): times the pick-up probability mass ahead, the chance that a
    line still unresolved after `elapsed` seconds is answered by a human in that stretch."""
    t = timing
    if t.pickup_cdf(elapsed) >= 1.0:
        return 0.0
    weight_human = human * (1.0 - t.pickup_cdf(elapsed))
    weight_machine = rates.machine_rate * (1.0 - t.pickup_cdf(elapsed - t.machine_detect))
    weight_fail = rates.fail_rate * (1.0 - uniform_cdf(elapsed, t.fail_min, t.fail_max))
    weight_ringing = rates.no_answer_rate if elapsed < t.ring_timeout else 0.0
    total = weight_human + weight_machine + weight_fail + weight_ringing
    return human / total if total > 0 else 0.0


def _supply(
    agents: Sequence[AgentView], horizon: float, talk: TalkTimeModel | None, config: PacerConfig
) -> tuple[int, list[float]]:
    """Agents certainly free by `horizon`, and the chances of each talking one being free by then."""
    sure = 0
    chances: list[float] = []
    for agent in agents:
        if _surely_free_by(agent, horizon):
            sure += 1
        elif agent.status is AgentStatus.TALKING and talk is not None:
            p = talk.ends_within(agent.elapsed, horizon - config.wrap_expected)
            if p > 1e-4:
                chances.append(p)
    return sure, chances


def _poisson_binomial(chances: Sequence[float]) -> list[float]:
    pmf = [1.0]
    for p in chances:
        nxt = [0.0] * (len(pmf) + 1)
        for i, q in enumerate(pmf):
            nxt[i] += q * (1.0 - p)
            nxt[i + 1] += q * p
        pmf = nxt
    return pmf


def _poisson_tail(mean: float, n: int) -> float:
    """P(X >= n) for X ~ Poisson(mean)."""
    if n <= 0:
        return 1.0
    if mean <= 0.0:
        return 0.0
    term = cdf = math.exp(-mean)
    for j in range(1, n):
        term *= mean / j
        cdf += term
    return max(0.0, 1.0 - cdf)
