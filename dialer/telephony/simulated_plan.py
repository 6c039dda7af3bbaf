"""What the simulated carrier sends, and when: a pure plan of Twilio-style callbacks for one call leg.

No I/O and no clock: `plan_call` takes the start time and a seeded `random.Random` and returns every
request Twilio would make about the leg (status callbacks, the async AMD callback, the fetch of the
answer URL), each with the moment it is delivered. The network's habits are part of the plan: a few
callbacks arrive late (after the next one) and a few are delivered twice. `simulated.py` carries it out.
"""

from __future__ import annotations

import enum
import math
import random
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace

from dialer.telephony.base import STATUS_CALLBACK_EVENTS, AnsweredBy, CallStatus, MachineDetection
from dialer.telephony.forms import rfc2822


class Outcome(enum.StrEnum):
    HUMAN = "human"
    MACHINE = "machine"
    BUSY = "busy"
    FAILED = "failed"
    NO_ANSWER = "no-answer"


class RequestKind(enum.StrEnum):
    STATUS = "status"
    AMD = "amd"
    ANSWER = "answer"  # Twilio fetching the call's Url for TwiML once it is answered


@dataclass(frozen=True)
class SimProfile:
    """How simulated voters behave. Rates are per dial; what is left after them rings out (no-answer)."""

    human_rate: float = 0.35
    machine_rate: float = 0.20
    busy_rate: float = 0.05
    fail_rate: float = 0.05
    pickup_min: float = 5.0
    pickup_max: float = 18.0
    talk_mean: float = 90.0
    talk_sd: float = 60.0
    machine_talk_min: float = 15.0  # greeting, beep and a left message
    machine_talk_max: float = 40.0
    amd_delay: float = 3.0
    fail_min: float = 2.0
    fail_max: float = 5.0
    latency_min: float = 0.05  # from an event at the carrier to its callback at our server
    latency_max: float = 0.3
    late_rate: float = 0.05  # delivered after the leg's next callback
    repeat_rate: float = 0.05  # delivered twice, as a retry would

    def __post_init__(self) -> None:
        rates = (self.human_rate, self.machine_rate, self.busy_rate, self.fail_rate, self.late_rate)
        if any(not 0.0 <= rate <= 1.0 for rate in (*rates, self.repeat_rate)):
            raise ValueError("rates must be between 0 and 1")
        if self.human_rate + self.machine_rate + self.busy_rate + self.fail_rate > 1.0:
            raise ValueError("human, machine, busy and fail rates must add up to at most 1")
        if not 0 < self.pickup_min <= self.pickup_max or self.talk_mean <= 0 or self.talk_sd < 0:
            raise ValueError("pick-up and talk times must be positive")


@dataclass(frozen=True)
class LegSpec:
    """What the carrier was asked to do for one leg, from REST parameters or <Dial><Number> TwiML."""

    call_sid: str
    account_sid: str
    to: str
    from_: str
    status_callback: str | None
    events: frozenset[str] = frozenset(STATUS_CALLBACK_EVENTS)
    timeout: int = 30
    parent_call_sid: str | None = None
    machine_detection: MachineDetection | None = None
    async_amd: bool = False
    amd_callback: str | None = None
    answer_url: str | None = None
    direction: str = "outbound-api"


@dataclass(frozen=True)
class PlannedRequest:
    at: float  # delivery time
    event_at: float  # when it happened at the carrier
    url: str
    params: tuple[tuple[str, str], ...]
    kind: RequestKind


@dataclass(frozen=True)
class CallPlan:
    spec: LegSpec
    outcome: Outcome
    start: float
    final_status: CallStatus
    ended_at: float
    answered_at: float | None = None
    answered_by: AnsweredBy | None = None
    requests: tuple[PlannedRequest, ...] = field(default=())

    @property
    def duration(self) -> int:
        return 0 if self.answered_at is None else round(self.ended_at - self.answered_at)


def new_call_sid(rng: random.Random, salt: int = 0) -> str:
    """A leg's CallSid: drawn from the leg's generator (so a seeded run's outcomes do not change) and mixed
    with its carrier's `salt`, so that two carriers with one seed (a web process and the worker, a
    restarted worker) never issue the same CallSid."""
    return f"CA{rng.getrandbits(128) ^ salt:032x}"


def choose_outcome(profile: SimProfile, rng: random.Random) -> Outcome:
    roll = rng.random()
    for outcome, rate in (
        (Outcome.HUMAN, profile.human_rate),
        (Outcome.MACHINE, profile.machine_rate),
        (Outcome.BUSY, profile.busy_rate),
        (Outcome.FAILED, profile.fail_rate),
    ):
        if roll < rate:
            return outcome
        roll -= rate
    return Outcome.NO_ANSWER


def talk_seconds(profile: SimProfile, rng: random.Random) -> float:
    """Lognormal with the profile's mean and standard deviation (talk times have a long right tail)."""
    variance = math.log(1 + (profile.talk_sd / profile.talk_mean) ** 2)
    return max(1.0, rng.lognormvariate(math.log(profile.talk_mean) - variance / 2, math.sqrt(variance)))


def plan_call(spec: LegSpec, profile: SimProfile, rng: random.Random, start: float) -> CallPlan:
    """Every request the carrier makes about this leg, in delivery order."""
    outcome = choose_outcome(profile, rng)
    initiated = start + rng.uniform(0.1, 0.5)
    ringing = initiated + rng.uniform(0.5, 1.5)
    pickup = start + rng.uniform(profile.pickup_min, profile.pickup_max)
    if outcome in (Outcome.HUMAN, Outcome.MACHINE) and pickup >= start + spec.timeout:
        outcome = Outcome.NO_ANSWER  # nobody picks up after the ring timeout
    answered_at: float | None = None
    answered_by: AnsweredBy | None = None
    timeline: list[tuple[float, str]] = [(initiated, "initiated")]
    if outcome is Outcome.BUSY or outcome is Outcome.FAILED:
        ended = max(initiated + 0.1, start + rng.uniform(profile.fail_min, profile.fail_max))
        final = CallStatus.BUSY if outcome is Outcome.BUSY else CallStatus.FAILED
    elif outcome is Outcome.NO_ANSWER:
        timeline.append((ringing, "ringing"))
        ended, final = start + spec.timeout, CallStatus.NO_ANSWER
    else:
        timeline += [(ringing, "ringing"), (max(pickup, ringing + 0.1), "answered")]
        answered_at = max(pickup, ringing + 0.1)
        if outcome is Outcome.HUMAN:
            answered_by = AnsweredBy.HUMAN
            ended = answered_at + talk_seconds(profile, rng)
        else:
            answered_by = (
                AnsweredBy.MACHINE_END_BEEP
                if spec.machine_detection is MachineDetection.DETECT_MESSAGE_END
                else AnsweredBy.MACHINE_START
            )
            ended = answered_at + rng.uniform(profile.machine_talk_min, profile.machine_talk_max)
        final = CallStatus.COMPLETED
    plan = CallPlan(spec, outcome, start, final, ended, answered_at, answered_by)
    return replace(plan, requests=_deliveries(plan, timeline, profile, rng))


def hang_up(plan: CallPlan, now: float, rng: random.Random, profile: SimProfile) -> CallPlan:
    """The plan after our side ended the leg at `now`.

    Requests about what already happened are kept as they were (some may be in flight); those about the
    future are dropped; one final callback (completed, or canceled if nobody had answered) is added.
    """
    if now >= plan.ended_at:
        return plan
    kept = [request for request in plan.requests if request.event_at <= now]
    answered = plan.answered_at is not None and plan.answered_at <= now
    cut = replace(
        plan,
        final_status=CallStatus.COMPLETED if answered else CallStatus.CANCELED,
        ended_at=now,
        answered_at=plan.answered_at if answered else None,
        answered_by=plan.answered_by if answered else None,
    )
    if plan.spec.status_callback:
        sent = {dict(r.params)["SequenceNumber"] for r in kept if r.kind is RequestKind.STATUS}
        params = _status_params(cut, cut.final_status.value, len(sent), now)
        delivered = now + rng.uniform(profile.latency_min, profile.latency_max)
        kept.append(PlannedRequest(delivered, now, plan.spec.status_callback, params, RequestKind.STATUS))
    return replace(cut, requests=tuple(sorted(kept, key=lambda request: request.at)))


def _deliveries(
    plan: CallPlan, timeline: list[tuple[float, str]], profile: SimProfile, rng: random.Random
) -> tuple[PlannedRequest, ...]:
    spec = plan.spec
    events: list[tuple[float, str, RequestKind, tuple[tuple[str, str], ...]]] = []
    sequence = 0
    if spec.status_callback:
        seen: set[str] = set()
        for at, name in [*timeline, (plan.ended_at, "completed")]:
            # Twilio always reports the end, requested or not; and each event once.
            if name in seen or (name not in spec.events and name != "completed"):
                continue
            seen.add(name)
            status = plan.final_status.value if name == "completed" else _STATUS_OF_EVENT[name]
            params = _status_params(plan, status, sequence, at)
            events.append((at, spec.status_callback, RequestKind.STATUS, params))
            sequence += 1
    if plan.answered_at is not None and plan.answered_at < plan.ended_at:
        if spec.answer_url:
            params = leg_params(plan, CallStatus.IN_PROGRESS.value)
            events.append((plan.answered_at, spec.answer_url, RequestKind.ANSWER, params))
        if spec.async_amd and spec.amd_callback and plan.answered_by is not None:
            amd_at = min(plan.ended_at, plan.answered_at + profile.amd_delay)
            amd = (
                *leg_params(plan, None),
                ("AnsweredBy", plan.answered_by.value),
                ("MachineDetectionDuration", str(round((amd_at - plan.answered_at) * 1000))),
            )
            events.append((amd_at, spec.amd_callback, RequestKind.AMD, amd))
    requests: list[PlannedRequest] = []
    for at, url, kind, params in events:
        delivered = at + rng.uniform(profile.latency_min, profile.latency_max)
        if kind is not RequestKind.ANSWER and rng.random() < profile.late_rate:
            delivered += rng.uniform(1.0, 4.0)
        requests.append(PlannedRequest(delivered, at, url, params, kind))
        if kind is not RequestKind.ANSWER and rng.random() < profile.repeat_rate:
            requests.append(PlannedRequest(delivered + rng.uniform(1.0, 5.0), at, url, params, kind))
    return tuple(sorted(requests, key=lambda request: request.at))


_STATUS_OF_EVENT = {"initiated": "initiated", "ringing": "ringing", "answered": "in-progress"}


def leg_params(plan: CallPlan, status: str | None) -> tuple[tuple[str, str], ...]:
    """The parameters Twilio puts in every request about a leg."""
    spec = plan.spec
    params = [
        ("AccountSid", spec.account_sid),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", spec.call_sid),
        ("Direction", spec.direction),
        ("From", spec.from_),
        ("To", spec.to),
        ("Called", spec.to),
        ("Caller", spec.from_),
    ]
    if status is not None:
        params.append(("CallStatus", status))
    if spec.parent_call_sid:
        params.append(("ParentCallSid", spec.parent_call_sid))
    return tuple(params)


def _status_params(plan: CallPlan, status: str, sequence: int, at: float) -> tuple[tuple[str, str], ...]:
    params = [
        *leg_params(plan, status),
        ("SequenceNumber", str(sequence)),
        ("Timestamp", rfc2822(at)),
        ("CallbackSource", "call-progress-events"),
    ]
    if status in _FINAL_STATUSES:
        params += [("CallDuration", str(plan.duration)), ("Duration", str(math.ceil(plan.duration / 60)))]
        if status in _SIP_CODES:
            params.append(("SipResponseCode", _SIP_CODES[status]))
    if (
        plan.spec.machine_detection is not None
        and plan.answered_by
        and status in ("in-progress", "completed")
    ):
        params.append(("AnsweredBy", plan.answered_by.value))
    return tuple(params)


_FINAL_STATUSES = {status.value for status in CallStatus if status.is_final}
_SIP_CODES = {"busy": "486", "no-answer": "487", "failed": "404", "canceled": "487", "completed": "200"}


# TwiML the simulated carrier understands: what /twilio/voice answers -------------------------------


@dataclass(frozen=True)
class DialInstruction:
    number: str
    caller_id: str
    timeout: int
    status_callback: str | None
    events: frozenset[str]
    whisper_url: str | None = None  # <Number url>: TwiML the voter hears before being connected


def read_dial(twiml: str) -> DialInstruction | None:
    """The <Dial><Number> in a TwiML answer, or None when it dials nothing (a refusal)."""
    root = ET.fromstring(twiml)
    dial = root.find("Dial")
    number = dial.find("Number") if dial is not None else None
    if dial is None or number is None or not (number.text or "").strip():
        return None
    return DialInstruction(
        number=(number.text or "").strip(),
        caller_id=dial.get("callerId", ""),
        timeout=int(dial.get("timeout", "30")),
        status_callback=number.get("statusCallback"),
        events=frozenset(number.get("statusCallbackEvent", "").split()),
        whisper_url=number.get("url"),
    )
