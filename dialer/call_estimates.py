"""What the pacer knows about calls: outcome shares, talk time and timing, learned as calls happen (pure).

`dialer.pacing` decides with these; the simulator and the live dialer feed them what they observe.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, replace


class CallOutcome(enum.StrEnum):
    HUMAN = "human"
    MACHINE = "machine"
    FAILED = "failed"
    NO_ANSWER = "no_answer"


_OUTCOMES = tuple(CallOutcome)


@dataclass(frozen=True)
class OutcomeEstimator:
    """Share of dials ending in each outcome: counts so far plus a prior worth `prior_weight` dials.
    `half_life` (in dials) lets old evidence fade when answer rates drift through the day."""

    prior: tuple[float, float, float, float] = (0.10, 0.20, 0.10, 0.60)
    prior_weight: float = 10.0
    half_life: float | None = None
    counts: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)

    def observed(self, outcome: CallOutcome) -> OutcomeEstimator:
        keep = 1.0 if self.half_life is None else 0.5 ** (1.0 / self.half_life)
        index = _OUTCOMES.index(outcome)
        c = tuple(n * keep + (1.0 if i == index else 0.0) for i, n in enumerate(self.counts))
        return OutcomeEstimator(self.prior, self.prior_weight, self.half_life, (c[0], c[1], c[2], c[3]))

    def hung_up(self, elapsed: float, timing: CallTiming, count: float = 1.0) -> OutcomeEstimator:
        """A dial we hung up after `elapsed` seconds with no outcome: its outcome is unknown, so it counts as
        a share of each outcome by how likely that outcome still was (counting it as "no answer" would bias
        the answer rate down; leaving it out would bias it up, as only unanswered lines are hung up).
        `count` such dials at once (the live dialer keeps their number and mean ring time)."""
        rates = (self.human_rate, self.machine_rate, self.fail_rate, self.no_answer_rate)
        shares = timing.unresolved_shares(elapsed, rates)
        keep = 1.0 if self.half_life is None else 0.5 ** (1.0 / self.half_life)
        c = tuple(n * keep**count + count * share for n, share in zip(self.counts, shares, strict=True))
        return OutcomeEstimator(self.prior, self.prior_weight, self.half_life, (c[0], c[1], c[2], c[3]))

    def rate(self, outcome: CallOutcome) -> float:
        i = _OUTCOMES.index(outcome)
        total = sum(self.counts) + self.prior_weight * sum(self.prior)
        return (self.counts[i] + self.prior_weight * self.prior[i]) / total if total > 0 else 0.0

    @property
    def human_rate(self) -> float:
        """The live-answer rate."""
        return self.rate(CallOutcome.HUMAN)

    def human_rate_upper(self, z: float) -> float:
        """The live-answer rate plus `z` standard deviations of its Beta posterior: planning with it keeps
        a young campaign, whose rate is still uncertain, from flooding its volunteers."""
        evidence = sum(self.counts) + self.prior_weight * sum(self.prior)
        mean = self.human_rate
        return min(1.0, mean + z * math.sqrt(mean * (1.0 - mean) / (evidence + 1.0)))

    @property
    def machine_rate(self) -> float:
        return self.rate(CallOutcome.MACHINE)

    @property
    def fail_rate(self) -> float:
        return self.rate(CallOutcome.FAILED)

    @property
    def no_answer_rate(self) -> float:
        return self.rate(CallOutcome.NO_ANSWER)


@dataclass(frozen=True)
class TalkTimeModel:
    """Lognormal conversation length with the given mean and standard deviation (seconds)."""

    mean: float = 90.0
    sd: float = 60.0

    @property
    def log_params(self) -> tuple[float, float]:
        sigma2 = math.log(1.0 + (self.sd / self.mean) ** 2) if self.mean > 0 else 0.0
        return math.log(max(self.mean, 1e-9)) - sigma2 / 2.0, math.sqrt(sigma2)

    def cdf(self, t: float) -> float:
        if t <= 0.0:
            return 0.0
        mu, sigma = self.log_params
        if sigma <= 0.0:
            return 1.0 if t >= self.mean else 0.0
        return 0.5 * (1.0 + math.erf((math.log(t) - mu) / (sigma * math.sqrt(2.0))))

    def ends_within(self, elapsed: float, ahead: float) -> float:
        """P(a conversation `elapsed` seconds old ends within `ahead` more seconds)."""
        done = self.cdf(elapsed)
        if ahead <= 0.0 or done >= 1.0:
            return 0.0 if ahead <= 0.0 else 1.0
        return (self.cdf(elapsed + ahead) - done) / (1.0 - done)


@dataclass(frozen=True)
class TalkTimeEstimator:
    """Learns the lognormal talk time from finished conversations, starting from a prior model."""

    prior: TalkTimeModel = TalkTimeModel()
    prior_weight: float = 20.0
    n: int = 0
    sum_log: float = 0.0
    sum_log_sq: float = 0.0

    def observed(self, seconds: float) -> TalkTimeEstimator:
        x = math.log(max(seconds, 0.1))
        return replace(self, n=self.n + 1, sum_log=self.sum_log + x, sum_log_sq=self.sum_log_sq + x * x)

    @property
    def model(self) -> TalkTimeModel:
        mu0, sigma0 = self.prior.log_params
        w, total = self.prior_weight, self.prior_weight + self.n
        mu = (w * mu0 + self.sum_log) / total
        second = (w * (sigma0**2 + mu0**2) + self.sum_log_sq) / total
        sigma2 = max(second - mu * mu, 1e-6)
        mean = math.exp(mu + sigma2 / 2.0)
        return TalkTimeModel(mean=mean, sd=mean * math.sqrt(math.exp(sigma2) - 1.0))


@dataclass(frozen=True)
class CallTiming:
    """When each outcome of a dial becomes known, in seconds after dialing."""

    pickup_min: float = 5.0
    pickup_max: float = 18.0
    fail_min: float = 2.0
    fail_max: float = 5.0
    machine_detect: float = 3.0
    ring_timeout: float = 20.0
    bridge_window: float = 2.0

    @property
    def settled_after(self) -> float:
        """Seconds after dialing when every outcome is known. Feed OutcomeEstimator a dial only then: fed
        as outcomes arrive, the fast failures come first and the answer rate looks low at the start."""
        return max(self.ring_timeout, self.pickup_max + self.machine_detect, self.fail_max)

    def unresolved_shares(
        self, elapsed: float, rates: tuple[float, float, float, float]
    ) -> tuple[float, float, float, float]:
        """P(each outcome | none known `elapsed` s after dialing), for outcome rates in CallOutcome order."""
        human, machine, failed, no_answer = rates
        weights = (
            human * (1.0 - self.pickup_cdf(elapsed)),
            machine * (1.0 - self.pickup_cdf(elapsed - self.machine_detect)),
            failed * (1.0 - uniform_cdf(elapsed, self.fail_min, self.fail_max)),
            no_answer if elapsed < self.ring_timeout else 0.0,
        )
        total = sum(weights)
        if total <= 0.0:
            return (0.0, 0.0, 0.0, 1.0)
        return (weights[0] / total, weights[1] / total, weights[2] / total, weights[3] / total)

    def pickup_cdf(self, t: float) -> float:
        return uniform_cdf(t, self.pickup_min, self.pickup_max)


def uniform_cdf(t: float, low: float, high: float) -> float:
    return 0.0 if t <= low else 1.0 if t >= high else (t - low) / (high - low)
