"""The discrete-event loop: volunteers, lines and voters in virtual time, driving the real pacer.

Events sit in a heap ordered by (time, sequence number); one `random.Random(seed)` draws every outcome in
event order, so a seed reproduces a run exactly. The call model is API.md's: a dial is answered by a
human, by a machine (known `machine_detect` s after pick-up), fails fast, or rings out at the ring timeout;
pick-ups come uniformly 5-18 s after dialing; a human not bridged within `bridge_window` s is abandoned.
"""

from __future__ import annotations

import enum
import heapq
import itertools
import math
from collections import deque
from dataclasses import dataclass
from random import Random
from typing import Any

from dialer import pacing
from dialer.models import Mode
from dialer.pacing import AgentStatus, AgentView, CallOutcome
from dialer.simulation.params import SimParams


class _Event(enum.IntEnum):
    TICK = 0
    OUTCOME = 1  # a line's outcome becomes known (subject: line id)
    TALK_END = 2  # subject: agent
    WRAP_END = 3  # subject: agent
    ABANDON = 4  # subject: line id of a waiting human
    PREVIEW_DIAL = 5  # subject: agent


@dataclass
class _Agent:
    status: AgentStatus = AgentStatus.READY
    talk_start: float = 0.0
    wrap_end: float = 0.0


@dataclass(frozen=True)
class _Line:
    dialed_at: float
    outcome: CallOutcome
    owner: int | None  # the volunteer dialing it in preview mode; None for server-dialed lines
    picked_up_at: float | None  # a human's or machine's pick-up; once past, the line can't be canceled


class Simulation:
    def __init__(self, params: SimParams) -> None:
        self.p = params.validate()
        self.rng = Random(params.seed)
        self.end = params.hours * 3600.0
        self.now = 0.0
        self._heap: list[tuple[float, int, int, int]] = []
        self._seq = itertools.count()
        self._line_ids = itertools.count()
        self.agents = [_Agent() for _ in range(params.volunteers)]
        self.free: deque[int] = deque(range(params.volunteers))  # longest-waiting first
        self.lines: dict[int, _Line] = {}
        self.waiting: dict[int, float] = {}  # humans answered and not yet bridged, oldest first
        self.recent_dials: deque[float] = deque()
        self.outcomes = pacing.OutcomeEstimator()
        # (when the pacer learns it, line, outcome or None for a line we hung up, seconds it rang)
        self._settling: list[
            tuple[float, int, CallOutcome | None, float]
        ] = []  # outcomes the estimator sees once settled
        self.talk = pacing.TalkTimeEstimator()
        self.config = pacing.PacerConfig(
            wrap_expected=params.wrap,
            timing=pacing.CallTiming(
                pickup_min=params.pickup_min,
                pickup_max=params.pickup_max,
                fail_min=params.fail_min,
                fail_max=params.fail_max,
                machine_detect=params.machine_detect,
                ring_timeout=params.ring_timeout,
                bridge_window=params.bridge_window,
            ),
        )
        sigma2 = math.log(1.0 + (params.talk_sd / params.talk_mean) ** 2)
        self._talk_mu, self._talk_sigma = math.log(params.talk_mean) - sigma2 / 2.0, math.sqrt(sigma2)
        self.counts = dict.fromkeys(("dials", "live_answers", "abandoned", "contacts", "canceled"), 0)
        self.counts.update(dict.fromkeys((o.value for o in CallOutcome), 0))
        self.talk_seconds = 0.0
        self.wait_area = 0.0  # volunteer-seconds neither talking nor wrapping up
        self.line_area = 0.0  # line-seconds of dials in progress
        self.not_talking_area = 0.0
        self.talking = 0
        self.peak_window = 0

    # -- the loop -----------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        if self.p.mode is Mode.PREVIEW:
            for agent in range(self.p.volunteers):
                self._schedule(self.p.preview_seconds, _Event.PREVIEW_DIAL, agent)
        else:
            self._schedule(0.0, _Event.TICK, 0)
        handlers = {
            _Event.TICK: self._on_tick,
            _Event.OUTCOME: self._on_outcome,
            _Event.TALK_END: self._on_talk_end,
            _Event.WRAP_END: self._on_wrap_end,
            _Event.ABANDON: self._on_abandon,
            _Event.PREVIEW_DIAL: self._on_preview_dial,
        }
        while self._heap and self._heap[0][0] <= self.end:
            time, _, kind, subject = heapq.heappop(self._heap)
            self._advance(time)
            handlers[_Event(kind)](subject)
        self._advance(self.end)
        return self._report()

    def _schedule(self, at: float, kind: _Event, subject: int) -> None:
        heapq.heappush(self._heap, (at, next(self._seq), int(kind), subject))

    def _advance(self, time: float) -> None:
        dt = time - self.now
        if dt > 0:
            wrapping = sum(1 for a in self.agents if a.status is AgentStatus.WRAP_UP) if self.talking else 0
            idle = len(self.agents) - self.talking
            self.wait_area += dt * (idle - wrapping)
            self.not_talking_area += dt * idle
            self.line_area += dt * len(self.lines)
        self.now = time

    # -- dialing ------------------------------------------------------------------------------------

    def _on_tick(self, _: int) -> None:
        while self._settling and self._settling[0][0] <= self.now:
            _when, _line, outcome, rang = heapq.heappop(self._settling)
            if outcome is None:
                self.outcomes = self.outcomes.hung_up(rang, self.config.timing)
            else:
                self.outcomes = self.outcomes.observed(outcome)
        inp = self._pacing_input()
        decision = pacing.decide(inp, self.config)
        if decision.cancel:
            ids = list(self.lines)
            for index in decision.cancel:
                self._cancel(ids[index])
        for _ in range(decision.dials):
            self._dial(owner=None)
        self._schedule(self.now + self.p.tick, _Event.TICK, 0)

    def _pacing_input(self) -> pacing.PacingInput:
        views = []
        for agent in self.agents:
            if agent.status is AgentStatus.TALKING:
                views.append(AgentView(AgentStatus.TALKING, elapsed=self.now - agent.talk_start))
            elif agent.status is AgentStatus.WRAP_UP:
                views.append(AgentView(AgentStatus.WRAP_UP, remaining=agent.wrap_end - self.now))
            else:
                views.append(AgentView(AgentStatus.READY))
        while self.recent_dials and self.recent_dials[0] <= self.now - 2.0:
            self.recent_dials.popleft()
        return pacing.PacingInput(
            now=self.now,
            mode=self.p.mode,
            agents=views,
            ringing=[self.now - line.dialed_at for line in self.lines.values()],
            outcomes=self.outcomes,
            talk=self.talk.model,
            live_answers=self.counts["live_answers"],
            abandoned=self.counts["abandoned"],
            waiting=len(self.waiting),
            abandon_cap=self.p.abandon_cap,
            cps_limit=self.p.cps_limit,
            recent_dials=tuple(self.recent_dials),
        )

    def _dial(self, owner: int | None) -> None:
        p, rng = self.p, self.rng
        u = rng.random()
        pickup = rng.uniform(p.pickup_min, p.pickup_max)
        picked_up: float | None = self.now + pickup
        if u < p.answer_rate:
            outcome, after = CallOutcome.HUMAN, pickup
        elif u < p.answer_rate + p.machine_rate:
            outcome, after = CallOutcome.MACHINE, pickup + p.machine_detect
        elif u < p.answer_rate + p.machine_rate + p.fail_rate:
            outcome, after, picked_up = CallOutcome.FAILED, rng.uniform(p.fail_min, p.fail_max), None
        else:
            outcome, after, picked_up = CallOutcome.NO_ANSWER, p.ring_timeout, None
        line = next(self._line_ids)
        self.lines[line] = _Line(self.now, outcome, owner, picked_up)
        self.counts["dials"] += 1
        self.recent_dials.append(self.now)
        in_last_second = sum(1 for t in self.recent_dials if t > self.now - 1.0)
        self.peak_window = max(self.peak_window, in_last_second)
        self._schedule(self.now + after, _Event.OUTCOME, line)

    def _cancel(self, line_id: int) -> None:
        """Hang up a line that is still ringing (the carrier refuses to cancel one already picked up)."""
        line = self.lines[line_id]
        if self.now - line.dialed_at < self.config.min_ring:
            raise RuntimeError(f"the pacer hung up a line after {self.now - line.dialed_at:.1f} s of ringing")
        if line.picked_up_at is not None and line.picked_up_at <= self.now:
            return
        del self.lines[line_id]
        self.counts["canceled"] += 1
        heapq.heappush(self._settling, (self.now, line_id, None, self.now - line.dialed_at))

    def _on_preview_dial(self, agent: int) -> None:
        self._dial(owner=agent)

    # -- outcomes, bridging, abandonment ------------------------------------------------------------

    def _on_outcome(self, line_id: int) -> None:
        line = self.lines.pop(line_id, None)
        if line is None:
            return  # canceled while it rang
        self.counts[line.outcome.value] += 1
        if line.owner is None:
            settled = line.dialed_at + self.config.timing.settled_after
            heapq.heappush(self._settling, (settled, line_id, line.outcome, 0.0))
        if line.outcome is not CallOutcome.HUMAN:
            if line.owner is not None:
                self._schedule(self.now + self.p.preview_seconds, _Event.PREVIEW_DIAL, line.owner)
            return
        self.counts["live_answers"] += 1
        if line.owner is not None:
            self._bridge(line.owner)
        elif self.free:
            self._bridge(self.free.popleft())
        else:
            self.waiting[line_id] = self.now
            self._schedule(self.now + self.p.bridge_window, _Event.ABANDON, line_id)

    def _on_abandon(self, line_id: int) -> None:
        if self.waiting.pop(line_id, None) is not None:
            self.counts["abandoned"] += 1

    def _bridge(self, agent_id: int) -> None:
        agent = self.agents[agent_id]
        agent.status, agent.talk_start = AgentStatus.TALKING, self.now
        self.talking += 1
        self.counts["contacts"] += 1
        if self.p.talk_sd > 0:
            duration = self.rng.lognormvariate(self._talk_mu, self._talk_sigma)
        else:
            duration = self.p.talk_mean
        self._schedule(self.now + duration, _Event.TALK_END, agent_id)

    def _on_talk_end(self, agent_id: int) -> None:
        agent = self.agents[agent_id]
        duration = self.now - agent.talk_start
        self.talk_seconds += duration
        self.talk = self.talk.observed(duration)
        self.talking -= 1
        agent.status, agent.wrap_end = AgentStatus.WRAP_UP, self.now + self.p.wrap
        self._schedule(agent.wrap_end, _Event.WRAP_END, agent_id)

    def _on_wrap_end(self, agent_id: int) -> None:
        self.agents[agent_id].status = AgentStatus.READY
        if self.p.mode is Mode.PREVIEW:
            self._schedule(self.now + self.p.preview_seconds, _Event.PREVIEW_DIAL, agent_id)
        elif self.waiting:
            line_id = next(iter(self.waiting))
            del self.waiting[line_id]
            self._bridge(agent_id)
        else:
            self.free.append(agent_id)

    # -- the report ---------------------------------------------------------------------------------

    def _report(self) -> dict[str, Any]:
        p, c = self.p, self.counts
        # Conversations still going at the end count up to the end; voters still waiting count as dropped.
        talk = self.talk_seconds + sum(
            self.end - a.talk_start for a in self.agents if a.status is AgentStatus.TALKING
        )
        abandoned = c["abandoned"] + len(self.waiting)
        volunteer_hours = p.volunteers * p.hours
        contacts = c["contacts"]
        return {
            "mode": p.mode.value,
            "volunteers": p.volunteers,
            "hours": p.hours,
            "seed": p.seed,
            "dials": c["dials"],
            "live_answers": c["live_answers"],
            "machines": c[CallOutcome.MACHINE.value],
            "failed": c[CallOutcome.FAILED.value],
            "no_answer": c[CallOutcome.NO_ANSWER.value],
            "canceled": c["canceled"],
            "abandoned": abandoned,
            "abandon_rate": _round(abandoned / c["live_answers"] if c["live_answers"] else 0.0),
            "contacts": contacts,
            "talk_minutes_per_volunteer_hour": _round(talk / 60.0 / volunteer_hours),
            "contacts_per_volunteer_hour": _round(contacts / volunteer_hours),
            "wait_seconds_per_contact": _round(self.wait_area / contacts if contacts else self.wait_area),
            "wait_share": _round(self.wait_area / (p.volunteers * self.end)),
            "dials_per_contact": _round(c["dials"] / contacts if contacts else float(c["dials"])),
            "dial_ratio": _round(self.line_area / self.not_talking_area if self.not_talking_area else 0.0),
            "peak_dials_per_second": self.peak_window,
        }


def _round(x: float) -> float:
    return round(x, 4)
