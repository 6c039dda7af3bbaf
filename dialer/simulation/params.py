"""The simulation's inputs: one frozen object, its validation, and `dialer simulate`'s argument parser."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from dialer.models import Mode

# Issue 8's guardrail: the server lets a line ring at least this long before giving up.
MIN_RING_TIMEOUT = 15.0


class SimulationError(ValueError):
    """The parameters describe no possible call model; the message says which one and why."""


@dataclass(frozen=True)
class SimParams:
    mode: Mode = Mode.PREDICTIVE
    volunteers: int = 20
    hours: float = 1.0
    answer_rate: float = 0.10
    machine_rate: float = 0.20
    fail_rate: float = 0.10
    talk_mean: float = 90.0
    talk_sd: float = 60.0
    wrap: float = 15.0
    ring_timeout: float = 20.0
    abandon_cap: float = 0.03
    seed: int = 1
    # Not on the command line (API.md fixes its flags); callers of run_simulation may change them.
    cps_limit: float = 30.0  # one Twilio account's raised limit
    tick: float = 1.0  # seconds between pacer decisions, as the worker loop runs
    preview_seconds: float = 5.0  # preview mode: reading the name and clicking before each dial
    pickup_min: float = 5.0
    pickup_max: float = 18.0
    fail_min: float = 2.0
    fail_max: float = 5.0
    machine_detect: float = 3.0
    bridge_window: float = 2.0

    def validate(self) -> SimParams:
        """Return self, or raise SimulationError naming the first unusable value."""
        for name, value in vars(self).items():
            if isinstance(value, float) and not math.isfinite(value):
                raise SimulationError(f"{_flag(name)} must be a finite number, not {value}")
        for name in ("answer_rate", "machine_rate", "fail_rate", "abandon_cap"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise SimulationError(f"{_flag(name)} must be a probability between 0 and 1, not {value}")
        total = self.answer_rate + self.machine_rate + self.fail_rate
        if total > 1.0 + 1e-9:
            raise SimulationError(
                f"--answer-rate + --machine-rate + --fail-rate must not exceed 1 (they sum to {total:g}); "
                "the rest of the dials ring out"
            )
        if self.volunteers < 1:
            raise SimulationError(f"--volunteers must be at least 1, not {self.volunteers}")
        if not 0.0 < self.hours <= 1000.0:
            raise SimulationError(f"--hours must be above 0 and at most 1000, not {self.hours}")
        if self.talk_mean <= 0.0 or self.talk_sd < 0.0:
            raise SimulationError("--talk-mean must be above 0 and --talk-sd at least 0")
        if self.wrap < 0.0:
            raise SimulationError(f"--wrap must be at least 0 seconds, not {self.wrap}")
        if not MIN_RING_TIMEOUT <= self.ring_timeout <= 600.0:
            raise SimulationError(
                f"--ring-timeout must be between {MIN_RING_TIMEOUT:g} and 600 seconds (lines ring at least "
                f"{MIN_RING_TIMEOUT:g} s), not {self.ring_timeout}"
            )
        if self.cps_limit <= 0.0 or self.tick <= 0.0:
            raise SimulationError("cps_limit and tick must be above 0")
        return self


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dialer simulate",
        description="Simulate a calling session in virtual time with the real pacer; prints one JSON object.",
    )
    d = SimParams()
    parser.add_argument("--mode", required=True, choices=[m.value for m in Mode])
    parser.add_argument("--volunteers", required=True, type=int, metavar="N")
    parser.add_argument("--hours", required=True, type=float, metavar="H")
    parser.add_argument("--answer-rate", type=float, default=d.answer_rate, metavar="P")
    parser.add_argument("--machine-rate", type=float, default=d.machine_rate, metavar="P")
    parser.add_argument("--fail-rate", type=float, default=d.fail_rate, metavar="P")
    parser.add_argument("--talk-mean", type=float, default=d.talk_mean, metavar="S")
    parser.add_argument("--talk-sd", type=float, default=d.talk_sd, metavar="S")
    parser.add_argument("--wrap", type=float, default=d.wrap, metavar="S")
    parser.add_argument("--ring-timeout", type=float, default=d.ring_timeout, metavar="S")
    parser.add_argument("--abandon-cap", type=float, default=d.abandon_cap, metavar="P")
    parser.add_argument("--seed", type=int, default=d.seed, metavar="N")
    return parser


def params_from_args(args: argparse.Namespace) -> SimParams:
    return SimParams(
        mode=Mode(args.mode),
        volunteers=args.volunteers,
        hours=args.hours,
        answer_rate=args.answer_rate,
        machine_rate=args.machine_rate,
        fail_rate=args.fail_rate,
        talk_mean=args.talk_mean,
        talk_sd=args.talk_sd,
        wrap=args.wrap,
        ring_timeout=args.ring_timeout,
        abandon_cap=args.abandon_cap,
        seed=args.seed,
    )
