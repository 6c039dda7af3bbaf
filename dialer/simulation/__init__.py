"""`dialer simulate`: a discrete-event simulation of a calling session that drives the real pacer.

Public entry points: `run_simulation(params) -> dict` (the JSON report) and `main(argv) -> int`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from dialer.models import Mode
from dialer.simulation.engine import Simulation
from dialer.simulation.params import SimParams, SimulationError, build_parser, params_from_args

__all__ = ["SimParams", "SimulationError", "main", "run_simulation"]


def run_simulation(params: SimParams | Mapping[str, Any]) -> dict[str, Any]:
    """Run one seeded, deterministic simulation; `params` is a SimParams or a mapping of its fields."""
    if not isinstance(params, SimParams):
        known = {f.name for f in fields(SimParams)}
        unknown = sorted(set(params) - known)
        if unknown:
            raise SimulationError(f"unknown simulation parameters: {', '.join(unknown)}")
        values = dict(params)
        if "mode" in values:
            values["mode"] = Mode(values["mode"])
        params = SimParams(**values)
    return Simulation(params).run()


def main(argv: list[str]) -> int:
    """`dialer simulate ...`: print the report as one JSON object. Usage errors exit with status 2."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed usage and the error
        return exc.code if isinstance(exc.code, int) else 2
    try:
        params = params_from_args(args).validate()
    except SimulationError as exc:
        parser.print_usage(sys.stderr)
        print(f"dialer simulate: error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(run_simulation(params)))
    return 0
