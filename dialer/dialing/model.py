"""How the live dialer presents its state to the pure pacer (`dialer.pacing`): timing and volunteers.

Redis holds wall-clock seconds; the pacer thinks in carrier seconds, `scale` times faster when the
simulated carrier runs sped up (1 with Twilio).
"""

from __future__ import annotations

from dialer import pacing
from dialer.dialing.agents import Agent, AgentState

RING_TIMEOUT = 20  # seconds a voter's phone rings (the guardrail floor is 15)
WRAP_EXPECTED = 20.0  # carrier seconds a volunteer takes after a conversation
OVERDUE_WRAP = 600.0  # carrier seconds of wrap-up assumed left for a volunteer past the usual wrap-up
AMD_DELAY = 3.0  # the human/machine verdict comes this long after pick-up; the pacer plans around it


def pacer_config() -> pacing.PacerConfig:
    base = pacing.CallTiming()
    # What the pacer calls pick-up is when we learn human or machine: the AMD verdict after pick-up.
    timing = pacing.CallTiming(
        pickup_min=base.pickup_min + AMD_DELAY,
        pickup_max=base.pickup_max + AMD_DELAY,
        machine_detect=0.0,
        ring_timeout=float(RING_TIMEOUT),
    )
    return pacing.PacerConfig(wrap_expected=WRAP_EXPECTED, timing=timing, verdict_delay=AMD_DELAY)


def agent_view(a: Agent, now: float, scale: float) -> pacing.AgentView:
    if a.state is AgentState.TALKING:
        return pacing.AgentView(pacing.AgentStatus.TALKING, elapsed=max(0.0, (now - a.since) * scale))
    if a.state is AgentState.WRAP_UP:
        # Nobody knows when a person finishes their notes. Within the usual wrap-up we plan on it; past it,
        # the volunteer may have stepped away, so no line is dialed on the bet that they are back.
        left = WRAP_EXPECTED - (now - a.since) * scale
        return pacing.AgentView(pacing.AgentStatus.WRAP_UP, remaining=left if left >= 0 else OVERDUE_WRAP)
    return pacing.AgentView(pacing.AgentStatus.READY)
