"""Power vs predictive pacing on API.md's call model, measured with the real simulator.

Run: .venv/bin/python bench/pacing.py [--seeds N] [--hours H] [--day-hours D] [--jobs J]. Prints one row
per (volunteers, answer rate, mode) with the mean and worst case over seeds in runs of H hours (a cold
start: the campaign knows nothing yet), then the two target rows again over call days of D hours, then
checks issue 8's targets: predictive >= 45 talk-minutes per volunteer-hour with 20 volunteers and >= 47 with
50, abandonment <= 3% in every run, predictive >= 2x power with 20+ volunteers, power about 20 at answer
rate 0.10.

Last measured (6 seeds, 156 runs in 289 s on 2 cores), talk-minutes per volunteer-hour at answer rate
0.10: power 19.8. Predictive, 4-hour call days: 45.5 with 20 volunteers (every seed 45.2 or more, 2.58%
abandoned), 48.5 with 50 (2.58%). The first hour alone, from a cold start: 44.7 and 48.1 (2.36%, 2.54%):
a young campaign plans with an answer rate raised for its uncertainty and does not yet plan on hanging up
late lines (dialer/pacing.py, step 6 and `_risky_lines`). Worst run 2.99% (50 volunteers, 1 hour).
3 and 5 volunteers: 21.9 and 26.9 (power: 19.9 and 19.5), drops at most 2.2%.
The ceiling is 60 x talk / (talk + wrap) = 51.4 talk-minutes with nobody ever waiting, so "2x power" is
out of reach by construction where power already gets over 25.7 (answer rate 0.20: 29).
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from dialer.simulation import run_simulation
from dialer.simulation.params import SimParams

POOLS = (3, 5, 20, 50)
TARGETS = {20: 45.0, 50: 47.0}  # volunteers: talk-minutes per volunteer-hour at answer rate 0.10
ANSWER_RATES = (0.05, 0.10, 0.20)
MODES = ("power", "predictive")


def _run(args: tuple[str, int, float, int, float]) -> dict[str, Any]:
    mode, volunteers, answer_rate, seed, hours = args
    report = run_simulation(
        {"mode": mode, "volunteers": volunteers, "answer_rate": answer_rate, "seed": seed, "hours": hours}
    )
    report["answer_rate"] = answer_rate
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument(
        "--day-hours", type=float, default=4.0, help="length of the call-day runs for the two target rows"
    )
    parser.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 1))
    opts = parser.parse_args()
    seeds = range(1, opts.seeds + 1)
    jobs = [
        (mode, n, rate, seed, opts.hours)
        for n in POOLS
        for rate in ANSWER_RATES
        for mode in MODES
        for seed in seeds
    ]
    day_jobs = [("predictive", n, 0.10, seed, opts.day_hours) for n in TARGETS for seed in seeds]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=opts.jobs) as pool:
        reports = list(pool.map(_run, jobs + day_jobs, chunksize=1))
    elapsed = time.perf_counter() - started
    reports, day_reports = reports[: len(jobs)], reports[len(jobs) :]

    groups: dict[tuple[int, float, str], list[dict[str, Any]]] = defaultdict(list)
    for r in reports:
        groups[(r["volunteers"], r["answer_rate"], r["mode"])].append(r)
    print(f"{opts.seeds} seeds x {opts.hours:g} h each; talk = talk-minutes per volunteer-hour")
    header = (
        "vols  answer  mode        talk(mean)  talk(min)  abandon(mean)  abandon(max)  wait/cont  dials/cont"
    )
    print(header)
    print("-" * len(header))
    for (n, rate, mode), rs in sorted(groups.items()):
        talks = [r["talk_minutes_per_volunteer_hour"] for r in rs]
        drops = [r["abandon_rate"] for r in rs]
        wait = sum(r["wait_seconds_per_contact"] for r in rs) / len(rs)
        ratio = sum(r["dials_per_contact"] for r in rs) / len(rs)
        print(
            f"{n:>4}  {rate:>6.2f}  {mode:<10}  {sum(talks) / len(talks):>10.1f}  {min(talks):>9.1f}"
            f"  {100 * sum(drops) / len(drops):>12.2f}%  {100 * max(drops):>11.2f}%  {wait:>8.1f}s"
            f"  {ratio:>10.1f}"
        )
    print(f"\n{len(reports) + len(day_reports)} runs in {elapsed:.0f} s")
    days: dict[tuple[int, float, str], list[dict[str, Any]]] = defaultdict(list)
    for r in day_reports:
        days[(r["volunteers"], r["answer_rate"], r["mode"])].append(r)
    print(f"\ncall days of {opts.day_hours:g} h, predictive, answer rate 0.10 (the same seeds):")
    for n in TARGETS:
        rs = days[(n, 0.10, "predictive")]
        talks = [r["talk_minutes_per_volunteer_hour"] for r in rs]
        drops = [r["abandon_rate"] for r in rs]
        print(
            f"  {n:>3} volunteers: talk {sum(talks) / len(talks):.1f} (min {min(talks):.1f}),"
            f" abandoned {100 * sum(drops) / len(drops):.2f}% (max {100 * max(drops):.2f}%)"
        )
    return _check_targets(groups, days, opts.hours, opts.day_hours)


def _mean_talk(
    groups: dict[tuple[int, float, str], list[dict[str, Any]]], key: tuple[int, float, str]
) -> float:
    rs = groups[key]
    return sum(r["talk_minutes_per_volunteer_hour"] for r in rs) / len(rs)


def _check_targets(
    groups: dict[tuple[int, float, str], list[dict[str, Any]]],
    days: dict[tuple[int, float, str], list[dict[str, Any]]],
    hours: float,
    day_hours: float,
) -> int:
    worst = max(r["abandon_rate"] for rs in [*groups.values(), *days.values()] for r in rs)
    print("\ntargets (issue 8):")
    for n, floor in TARGETS.items():
        for label, runs in (
            (f"{day_hours:g}-hour call day", days),
            (f"first {hours:g} h, cold start", groups),
        ):
            value = _mean_talk(runs, (n, 0.10, "predictive"))
            verdict = "ok  " if value >= floor else "MISS"
            print(
                f"  {verdict} predictive, {n} volunteers, 0.10, {label}: >= {floor:g} talk-min: {value:.1f}"
            )
    print(f"  {'ok  ' if worst <= 0.03 else 'MISS'} abandonment <= 3% in every run: worst {100 * worst:.2f}%")
    defaults = SimParams()
    ceiling = 60.0 * defaults.talk_mean / (defaults.talk_mean + defaults.wrap)
    for n in (20, 50):
        for rate in ANSWER_RATES:
            power_talk = _mean_talk(groups, (n, rate, "power"))
            ratio = _mean_talk(groups, (n, rate, "predictive")) / power_talk
            verdict = "ok  " if ratio >= 2 else "MISS" if 2 * power_talk <= ceiling else "n/a "
            note = "" if verdict != "n/a " else f" (2x power is over the {ceiling:.1f} ceiling)"
            label = f"predictive / power, {n} volunteers, answer rate {rate:.2f}"
            print(f"  {verdict} {label}: {ratio:.2f}x{note}")
    power = _mean_talk(groups, (20, 0.10, "power"))
    verdict = "ok  " if 17 <= power <= 24 else "MISS"
    print(f"  {verdict} power about 20 talk-min at answer rate 0.10 (20 volunteers): {power:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
