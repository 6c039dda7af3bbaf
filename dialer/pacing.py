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
5. **Theta from the abandonment bank.** ``bank = target * live_answers - abandoned`` is how many drops the
   campaign can still afford at ``target = cap * target_share`` (2.55%, a margin under the 3% cap for the
   noise of finite runs). ``theta = theta_mid * exp((bank - bank_reserve) / bank_scale)``, kept between
   ``theta_floor`` and ``theta_max``: ``log theta`` moves by a constant with every answer and every drop, an
   integral controller on the measured campaign abandonment. ``live_answers`` and ``abandoned`` are the
   current 30-day period's (abandon_periods.py: the rule measures each period on its own). It never falls to
   zero in a pool of 10 or more: drops come in bursts (four humans answering at once into a busy pool), and
   the safe floor after one, power mode with look-ahead, idles half the volunteers for the ten minutes it
   takes to earn the rate back, while ``theta_floor`` keeps 41.5 of the 44 talk-minutes at a fifth of the
   drops and earns it back in a few. Theta is 0 only in a pool under 10 volunteers, when the bank holds less
   than one drop or one more drop would put the campaign over the cap even counting one answer per volunteer
   to come: a small pool earns answers slowly and never spends a drop it has not earned.
6. **Hanging up late lines** (``cancel``). A line may be hung up once it has rung ``min_ring`` = 15 s
   (the FTC's Telemarketing Sales Rule: 15 seconds or four rings), and a quarter of the pick-ups (15-18 s
   of a 5-18 s window) come after that. Each tick, every such line whose human would now be dropped with
   probability over ``keep_factor * theta`` is hung up, the most at risk first, the rest judged again
   without it: the pacer learns at 15 s whether anyone will be free, instead of betting on it at 0 s. New
   lines are then planned against pick-ups before 15 s only (in pools of 10 or more, once the campaign has
   ``trust_after`` settled dials: see `_risky_lines` for why not sooner). The carrier cancels only lines
   still ringing (Twilio's ``Status=canceled``), so a voter who has picked up is never cut off. A hung-up
   dial's outcome is unknown: the answer-rate estimate takes it as a share of each outcome, by how likely
   each still was after that much ringing (``OutcomeEstimator.hung_up``). 20 volunteers at a 10% answer
   rate: 44.4 talk-minutes on a 4-hour call day before, 45.5 with it; 43.2 and 44.7 in a cold first hour;
   drops alike (2.3-2.6%).

Measured with bench/pacing.py: see its docstring. The bound is the Poisson noise in how many ringing
lines turn out to be humans before they can be hung up: idle agents at the moment a committed line is
answered vary with a standard deviation of about sqrt(agents freed per second x ~10 s), and drops under 3%
need a buffer of 1.5-2 of it.

Every decision is finally clipped to ``>= 0``, to the concurrent-line ceiling and to the carrier's
calls-per-second limit over a sliding window of past dial times.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from dialer.call_estimates import CallOutcome as CallOutcome
from dialer.call_estimates import CallTiming as CallTiming
from dialer.call_estimates import OutcomeEstimator as OutcomeEstimator
from dialer.call_estimates import TalkTimeEstimator as TalkTimeEstimator
from dialer.call_estimates import TalkTimeModel as TalkTimeModel
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
    min_ring: float = 15.0  # seconds a line must ring before we may hang it up (TSR: 15 s or four rings)
    verdict_delay: float = 0.0  # seconds from a pick-up to its human/machine verdict (live: the AMD's)
    trust_after: float = 1000.0  # settled dials before planning on hanging up late lines
    keep_factor: float | None = 1.0  # keep a line past min_ring while its risk <= this x theta (None: never)
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
    live_answers: int = 0  # in the abandonment cap's current 30-day period
    abandoned: int = 0  # ... of those answers
    waiting: int = 0  # humans answered, not yet bridged
    abandon_cap: float = 0.03
    cps_limit: float = 1.0
    recent_dials: Sequence[float] = ()  # times of past dials (only the last window matters)
    # Which ringing lines may be hung up now, when the caller knows more than their age (the live dialer:
    # rung `min_ring` s since the carrier said "ringing", not answered); None: any line `min_ring` s old.
    cancellable: Sequence[bool] | None = None


@dataclass(frozen=True)
class PacingDecision:
    dials: int
    safe: int  # lines that carry no abandonment risk at all
    theta: float  # marginal drop probability allowed for this decision
    limited_by_cps: bool = False
    cancel: tuple[int, ...] = ()  # indices into `PacingInput.ringing` of lines to hang up before they answer


def decide(inp: PacingInput, config: PacerConfig = PacerConfig()) -> PacingDecision:
    """The number of new lines to dial at `inp.now` (never negative, never over the CPS limit)."""
    cancel: tuple[int, ...] = ()
    if inp.mode is Mode.PREVIEW:
        return PacingDecision(dials=0, safe=0, theta=0.0)
    if not inp.agents:  # everyone left: any voter still to answer would be dropped, in power mode too
        return PacingDecision(dials=0, safe=0, theta=0.0, cancel=_lines_to_cancel(inp, config, 0.0))
    if inp.mode is Mode.POWER:
        ready = sum(1 for a in inp.agents if a.status is AgentStatus.READY)
        wanted = safe = max(0, ready - len(inp.ringing) - inp.waiting)
        theta = 0.0
    else:
        theta = risk_threshold(inp.live_answers, inp.abandoned, inp.abandon_cap, len(inp.agents), config)
        cancel = _lines_to_cancel(inp, config, theta)
        if cancel:
            dropped = set(cancel)
            inp = replace(
                inp, ringing=[e for i, e in enumerate(inp.ringing) if i not in dropped], cancellable=None
            )
        safe = _safe_lines(inp, config)
        wanted = max(safe, _risky_lines(inp, config, theta, start=safe)) if theta > 0 else safe
    ceiling = config.max_lines_per_agent * len(inp.agents) - len(inp.ringing)
    wanted = max(0, min(wanted, ceiling))
    room = cps_room(inp.now, inp.recent_dials, inp.cps_limit)
    return PacingDecision(
        dials=min(wanted, room), safe=safe, theta=theta, limited_by_cps=room < wanted, cancel=cancel
    )


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
    # With hanging up on, a human can come after `min_ring` only while an agent is likely free for them:
    # plan against the pick-ups before it, the part nobody can stop (their verdicts come up to
    # `verdict_delay` later). That is a bet: a late human kept because an agent looked free takes an agent
    # the plan did not count on. A young campaign (under `trust_after` settled dials) does not make it:
    # each drop moves its rate a lot, and its talk-time model, fed the short conversations first, expects
    # agents free sooner than they are. At a 33% answer rate and 200 s talks, 39 agents, 25 of 36
    # fifteen-minute starts went over 3% planning on it from the first dial; 3 of 36 with the wait, and
    # 8 of 36 never hanging up at all.
    end = timing.pickup_max
    if (
        config.keep_factor is not None
        and len(inp.agents) >= config.small_pool
        and sum(inp.outcomes.counts) >= config.trust_after
    ):
        end = max(timing.pickup_min, min(end, config.min_ring + config.verdict_delay))

    def cdf(t: float) -> float:
        return timing.pickup_cdf(min(t, end))

    span = end - timing.pickup_min
    points = []
    for j in range(config.grid):
        a = timing.pickup_min + span * (j + 0.5) / config.grid
        demand = sum(w * (cdf(e + a) - cdf(e)) for e, w in weights if w > 0)
        sure, chances = _supply(inp.agents, a + timing.bridge_window, inp.talk, config)
        points.append((demand, human * cdf(a), sure - inp.waiting, _poisson_binomial(chances)))

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


def _lines_to_cancel(inp: PacingInput, config: PacerConfig, theta: float) -> tuple[int, ...]:
    """Lines that have rung `min_ring` seconds, could still be answered, and whose human would now be
    dropped with probability over `keep_factor * theta`: hung up, most at risk first, re-judging the rest
    each time."""
    timing = config.timing
    if config.keep_factor is None:
        return ()
    late = [
        i
        for i, e in enumerate(inp.ringing)
        if config.min_ring <= e < timing.pickup_max and (inp.cancellable is None or inp.cancellable[i])
    ]
    if not late:
        return ()
    human = inp.outcomes.human_rate_upper(config.answer_rate_z)
    if human <= 0.0:
        return ()
    # A pool taking no risk now (theta 0) still keeps the lines it dialed as safe: their risk is
    # rarely exactly 0 (a talking volunteer may run long), and cutting them would starve the pool.
    limit = config.keep_factor * max(theta, config.theta_floor)
    window = timing.pickup_max - config.min_ring
    grid = [window * (j + 0.5) / 6 for j in range(6)]
    supplies = []
    for a in grid:
        sure, chances = _supply(inp.agents, a + timing.bridge_window, inp.talk, config)
        supplies.append((sure - inp.waiting, _poisson_binomial(chances)))
    # Each line's expected humans by every grid point, and their sum over the lines kept so far.
    share: dict[int, list[float]] = {}
    for k, e in enumerate(inp.ringing):
        w = _human_weight(e, inp.outcomes, timing, human)
        if w > 0.0:
            share[k] = [w * (timing.pickup_cdf(e + a) - timing.pickup_cdf(e)) for a in grid]
    total = [sum(column) for column in zip(*share.values(), strict=True)] if share else [0.0] * len(grid)
    candidates = [i for i in late if i in share]
    cancel: list[int] = []
    while candidates:
        worst, worst_risk = -1, limit
        for i in candidates:
            ahead = timing.pickup_max - inp.ringing[i]
            risks = [
                sum(p * _poisson_tail(total[j] - share[i][j], supply + b) for b, p in enumerate(pmf))
                for j, (supply, pmf) in enumerate(supplies)
                if grid[j] < ahead
            ]
            risk = sum(risks) / len(risks) if risks else 0.0
            if risk > worst_risk:
                worst, worst_risk = i, risk
        if worst < 0:
            break
        candidates.remove(worst)
        cancel.append(worst)
        total = [t - x for t, x in zip(total, share[worst], strict=True)]
    return tuple(sorted(cancel))


def _human_weight(elapsed: float, rates: OutcomeEstimator, timing: CallTiming, human: float) -> float:
    """The chance that a line still unresolved after `elapsed` seconds is answered by a human, divided by
    the pick-up probability mass ahead of it (times which it gives the chance for any stretch)."""
    if timing.pickup_cdf(elapsed) >= 1.0:
        return 0.0
    # Planning with a human rate above the estimate leaves less for the other outcomes: scale them to
    # share what is left, so that a line just dialed is a human with probability `human`, as a new one.
    others = rates.machine_rate + rates.fail_rate + rates.no_answer_rate
    k = (1.0 - human) / others if others > 0.0 else 0.0
    shares = timing.unresolved_shares(
        elapsed, (human, k * rates.machine_rate, k * rates.fail_rate, k * rates.no_answer_rate)
    )
    return shares[0] / (1.0 - timing.pickup_cdf(elapsed))


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
