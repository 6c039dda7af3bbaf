"""The demo's crowd of simulated volunteers (dialer/volunteer_sim.py): one per token, arriving one by one,
each calling in the campaign's mode and following the organizers' switches of it, coming back after a
dropped connection as a person reloads the page. `python -m dialer.volunteer_crowd` (`make demo`)."""

from __future__ import annotations

import asyncio
import logging

import httpx
import websockets

from dialer.volunteer_sim import SimulatedVolunteer, VolunteerReport

log = logging.getLogger("dialer.volunteers")


async def run_volunteers(
    base_url: str,
    tokens: list[str],
    campaign_id: str,
    *,
    seed: int = 1,
    think_seconds: float = 1.0,
    mode: str = "preview",
) -> list[VolunteerReport]:
    """Run one simulated volunteer per token until the list is exhausted or the process is stopped."""

    async def one(index: int, token: str) -> VolunteerReport:
        await asyncio.sleep(index * 0.7)  # volunteers arrive one by one, as at a real phone bank
        volunteer = SimulatedVolunteer(
            base_url, token, campaign_id, seed=seed * 1000 + index, think_seconds=think_seconds
        )
        try:
            while True:
                try:
                    return await volunteer.follow(mode)
                except (OSError, websockets.ConnectionClosed, httpx.HTTPError, RuntimeError) as exc:
                    # The server restarted or dropped us: come back, as a person would reload the page.
                    log.warning("volunteer %d reconnects after: %s", index, exc)
                    await asyncio.sleep(2)
        finally:
            await volunteer.aclose()

    return await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))


def main(argv: list[str] | None = None) -> int:
    import argparse
    import os

    parser = argparse.ArgumentParser(
        prog="python -m dialer.volunteer_crowd", description="simulated volunteers"
    )
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--campaign", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", type=float, default=1.0, help="seconds a volunteer takes per script step")
    parser.add_argument(
        "--mode",
        choices=("preview", "power", "predictive"),
        default="preview",
        help="the mode to start in; the volunteers follow the campaign's when it differs or is switched",
    )
    args = parser.parse_args(argv)
    # Tokens come through the environment, not the command line, so they do not show in `ps`.
    tokens = [t for t in os.environ.get("DIALER_VOLUNTEER_TOKENS", "").split(",") if t]
    if not tokens:
        parser.error("set DIALER_VOLUNTEER_TOKENS to a comma-separated list of bearer tokens")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s volunteers: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        reports = asyncio.run(
            run_volunteers(
                args.base_url, tokens, args.campaign, seed=args.seed, think_seconds=args.think, mode=args.mode
            )
        )
    except KeyboardInterrupt:  # Ctrl-C on `make demo` reaches the whole process group: stop quietly
        return 130
    total = sum(r.calls for r in reports)
    log.info("simulated volunteers are done: %d calls recorded", total)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
