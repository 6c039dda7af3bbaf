"""A call day with one of its processes killed (kill -9) mid-run and started again, as an operator's crash
would: `dialer serve`, `dialer worker` (the pacer and the simulated carrier) and an embedded Redis with its
append-only file, simulated volunteers calling over the real sockets.

    .venv/bin/python bench/kill_run.py [--mode power|predictive|preview] [--kill worker|web|redis]
                                       [--volunteers 8] [--contacts 400] [--before 12] [--after 20]

Prints one JSON object: calls recorded before the kill, in the gap, and in the same time after the restart
(the ratio after/before is the figure: 1.0 is a full recovery), volunteers whose sockets came back, what is
still leased once everyone has stopped (contacts held by nobody are a bug; a volunteer's batch still
holding a call cut by the crash is let go when its lease runs out), dials against recorded calls, and the
tracebacks and ERROR lines in each process's log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.process_kit import log_figures, start_worker, stop_workers  # noqa: E402
from dialer.embedded import EmbeddedRedis, pid_of  # noqa: E402
from dialer.volunteer_sim import SimulatedVolunteer  # noqa: E402
from tests.e2e.calling import seed_script  # noqa: E402
from tests.e2e.test_power_dialing import seed  # noqa: E402
from tests.servers import ServerProcess  # noqa: E402


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    store = EmbeddedRedis(workdir / "store")
    url = store.start()
    stores = [store]
    env = {"DIALER_SIM_SPEED": "20", "DIALER_SIM_SEED": "7", "DIALER_ACCESS_LOG": "0"}
    server = ServerProcess(workdir, url, env=env).start()
    workers = [start_worker(server, workdir, 1)]
    report: dict[str, Any] = {"mode": args.mode, "kill": args.kill, "volunteers": args.volunteers}
    try:
        asyncio.run(seed_script(url))
        with server.client() as admin:
            body = {"id": "pw", "name": "Kill run", "script_id": "gotv-2026", "caller_id": "+14155550199",
                    "mode": args.mode}  # fmt: skip
            assert admin.post("/api/campaigns", json=body).status_code == 201
        asyncio.run(seed(url, "pw", args.contacts))
        tokens = []
        for i in range(args.volunteers):
            r = httpx.post(
                f"{server.base_url}/api/auth/signup",
                json={"email": f"v{i}@example.org", "name": f"V{i}", "password": "a long password"},
            )
            tokens.append(r.json()["token"])

        async def day() -> None:
            stop = asyncio.Event()
            volunteers = [
                SimulatedVolunteer(server.base_url, t, "pw", seed=i, think_seconds=0.05, call_timeout=60)
                for i, t in enumerate(tokens)
            ]
            reconnects = [0] * len(volunteers)

            async def one(i: int, v: SimulatedVolunteer) -> None:
                while not stop.is_set():
                    try:
                        if args.mode == "preview":
                            await v.follow("preview")
                        else:
                            await v.run_dialer(stop=stop)
                    except Exception:  # the server went away: come back, as the page does
                        reconnects[i] += 1
                        await asyncio.sleep(0.5)

            def calls() -> int:
                return sum(v.report.calls for v in volunteers)

            tasks = [asyncio.create_task(one(i, v)) for i, v in enumerate(volunteers)]
            await asyncio.sleep(args.before)
            before = calls()
            if args.kill == "worker":
                os.killpg(workers[0].pid, signal.SIGKILL)
                workers[0].wait()
            elif args.kill == "web":
                assert server.proc is not None
                server.proc.kill()
                server.proc.wait()
            else:
                pid = pid_of(workdir / "store")
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
                assert store.process is not None
                store.process.wait()
            await asyncio.sleep(2)
            if args.kill == "worker":
                workers.append(start_worker(server, workdir, 2))
            elif args.kill == "web":
                server.start()
            else:
                stores.append(EmbeddedRedis(workdir / "store"))
                stores[-1].start()
            gap = calls() - before
            await asyncio.sleep(args.before)
            after = calls() - before - gap
            stop.set()
            await asyncio.wait(tasks, timeout=60)
            for v in volunteers:
                await v.aclose()
            report.update(
                calls_before_kill=before,
                calls_in_gap=gap,
                calls_after_restart=after,
                recovery_ratio=round(after / before, 2) if before else None,
                volunteers_that_reconnected=sum(1 for r in reconnects if r),
            )

        asyncio.run(day())
        time.sleep(args.settle)
        with server.client() as admin:
            stats = admin.get("/api/campaigns/pw/stats").json()
            dialer = admin.get("/api/campaigns/pw/dialer").json()
        report.update(
            contacts=stats["contacts"],
            pending=stats["pending"],
            leased_after_stop=stats["leased"],
            completed=stats["completed"],
            calls_recorded=stats["calls"],
            dials=dialer.get("dials"),
            abandoned=dialer.get("abandoned"),
        )
    finally:
        stop_workers(workers, report)
        server.stop()
        for s in stores:
            s.stop()
    report["logs"] = log_figures(workdir)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["power", "predictive", "preview"], default="power")
    parser.add_argument("--kill", choices=["worker", "web", "redis"], default="worker")
    parser.add_argument("--volunteers", type=int, default=8)
    parser.add_argument("--contacts", type=int, default=400)
    parser.add_argument(
        "--before", type=float, default=12.0, help="seconds of calling before the kill and after"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the processes' logs (their folder is printed)"
    )
    parser.add_argument("--settle", type=float, default=5.0, help="seconds after the volunteers stop")
    args = parser.parse_args()
    if args.keep:
        workdir = Path(tempfile.mkdtemp(prefix="kill-run-"))
        print(json.dumps({**run(args, workdir), "logs_in": str(workdir)}))
        return
    with tempfile.TemporaryDirectory(prefix="kill-run-") as tmp:
        print(json.dumps(run(args, Path(tmp))))


if __name__ == "__main__":
    main()
