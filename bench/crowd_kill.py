"""A crowd of simulated volunteers over three web processes, with a web process (or the whole `dialer
serve`), the worker and Redis killed (kill -9) in turn and started again, checked afterwards for the
promises: no voter handed out twice, no acknowledged result lost.

    .venv/bin/python bench/crowd_kill.py [--mode preview|power|predictive] [--volunteers 150] [--minutes 4]
        [--contacts 3000] [--web-workers 3] [--kills web,worker,redis] [--keep]

An embedded Redis with its append-only file, `dialer serve --workers 3` (one port), one `dialer worker`
(imports, the periodic jobs, the pacer and the simulated carrier), a campaign with fictional contacts
(555-01xx numbers in real area codes), and one account per volunteer, each calling over the real sockets
(dialer/volunteer_sim.py) and keeping a ledger (bench/crowd_ledger.py) of each contact it was handed, when,
and each result the server acknowledged, with its idempotency key. The kills are spread over the run;
`web` kills one of serve's web processes (uvicorn's supervisor starts another), `serve` the whole of it.

In power and predictive modes one contact in ten is a cell (no consent), one in ten lives where calling
hours are closed, and one in ten goes on the do-not-call list mid-run; the server-dialed lines are checked
too (bench/dialer_checks.py: no voter on two lines at once, every line settled, the dialer's counters and
abandonment rate, calling hours, do-not-call, cells).

Prints one JSON object: calls/s in the window before each kill and after its restart (and their ratio,
and the seconds from the kill until a 5 s window is back to 80% of the rate before),
volunteers' reconnects, the checks' violations (bench/crowd_ledger.py), and each process's log figures.
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

from bench.crowd_ledger import LedgerVolunteer, check, recovery_seconds, stream_time  # noqa: E402
from bench.dialer_checks import check_lines, read_lines  # noqa: E402
from bench.process_kit import log_figures, start_worker, stop_workers, web_processes  # noqa: E402
from dialer.calling_hours import Window  # noqa: E402
from dialer.connections import async_client  # noqa: E402
from dialer.contacts import Contact  # noqa: E402
from dialer.embedded import EmbeddedRedis, pid_of  # noqa: E402
from dialer.queue import keys, keys_lease  # noqa: E402
from dialer.queue.lease import LeaseQueue  # noqa: E402
from tests.e2e.calling import midday_zone, seed_script  # noqa: E402
from tests.servers import ServerProcess  # noqa: E402

CAMPAIGN = "crowd"
AREA_CODES = (202, 206, 212, 213, 214, 215, 303, 305, 312, 313, 314, 317, 404, 412, 415, 503, 504, 512)
AREA_CODES += (602, 612, 614, 615, 617, 702, 704, 713, 718, 801, 804, 813, 816, 901, 913, 919)
AREA_CODES += (201, 203, 205, 207, 208, 209, 210, 216, 217, 218, 219, 224, 225, 228, 229, 231, 234, 239)
AREA_CODES += (240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270)
PASSWORD = "a long password for the crowd"


def fictional_contacts(n: int, zone: str, dialing: bool, night: str = "") -> list[Contact]:
    """555-0100..0199 in real area codes: at most 100 a code, so 6400 in all. For the dialing modes, one in
    ten is a cell (the campaign has no consent: never to be dialed) and one in ten lives where calling
    hours are closed (`night`: never to be dialed either); the rest are landlines."""
    assert n <= 100 * len(AREA_CODES), f"at most {100 * len(AREA_CODES)} fictional numbers"

    def kind(i: int) -> tuple[str, str]:
        if not dialing:
            return ("landline" if i % 2 else "cell"), zone
        return ("cell" if i % 10 == 0 else "landline"), (night if i % 10 == 1 and night else zone)

    return [
        Contact(
            phone=f"+1{AREA_CODES[i // 100]}555{100 + i % 100:04d}",
            timezone=kind(i)[1],
            first_name=f"Voter{i}",
            last_name="Crowd",
            phone_type=kind(i)[0],
        )
        for i in range(n)
    ]


def dnc_phones(n: int) -> list[str]:
    """The landlines (one in ten) that the run puts on the do-not-call list mid-run."""
    return [c.phone for i, c in enumerate(fictional_contacts(n, "Etc/GMT", True)) if i % 10 == 2]


def night_zone(now: float) -> str:
    """An IANA zone where it is about midnight right now: calling hours closed."""
    utc_hour = time.gmtime(now).tm_hour
    offset = (24 - utc_hour) % 24
    if offset > 12:
        offset -= 24
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"


async def seed(url: str, n: int, dialing: bool) -> None:
    await seed_script(url)
    client = async_client(url)
    now = time.time()
    try:
        contacts = fictional_contacts(n, midday_zone(now), dialing, night_zone(now))
        await LeaseQueue(client).add_contacts(CAMPAIGN, contacts, now)
    finally:
        await client.aclose()


def sign_up(base_url: str, n: int) -> list[str]:
    """One account a volunteer, through the join form's API, waiting out the password checks' 503s."""
    tokens = []
    with httpx.Client(base_url=base_url, timeout=60) as http:
        for i in range(n):
            while True:
                body = {"email": f"crowd{i}@example.org", "name": f"Crowd {i}", "password": PASSWORD}
                r = http.post("/api/auth/signup", json=body)
                if r.status_code in (429, 503):
                    time.sleep(float(r.headers.get("Retry-After", "1")))
                    continue
                assert r.status_code in (200, 201), r.text
                tokens.append(r.json()["token"])
                break
    return tokens


class Run:
    def __init__(self, args: argparse.Namespace, workdir: Path) -> None:
        self.args, self.workdir = args, workdir
        self.stores = [EmbeddedRedis(workdir / "store")]
        self.url = self.stores[0].start()
        env = {
            "DIALER_SIM_SPEED": str(args.speed),
            "DIALER_SIM_SEED": "7",
            "DIALER_ACCESS_LOG": "0",
            "WEB_CONCURRENCY": str(args.web_workers),
        }
        self.server = ServerProcess(workdir, self.url, env=env)
        self.server.start(timeout=60)
        self.workers = [start_worker(self.server, workdir, 1)]
        self.report: dict[str, Any] = {
            "mode": args.mode,
            "volunteers": args.volunteers,
            "web_processes": args.web_workers,
            "contacts": args.contacts,
            "minutes": args.minutes,
        }
        self.dnc_since: dict[str, float] = {}

    def kill(self, what: str) -> dict[str, Any]:
        """kill -9 one process; returns what was killed."""
        if what == "web":
            pids = web_processes(self.server)
            os.kill(pids[0], signal.SIGKILL)
            return {"pid": pids[0], "of": pids}
        if what == "serve":
            assert self.server.proc is not None
            self.server.proc.kill()  # its web processes are left to notice their parent is gone
            self.server.proc.wait()
            for pid in web_processes_orphaned(self.workdir):
                os.kill(pid, signal.SIGKILL)
            return {"pid": self.server.proc.pid}
        if what == "worker":
            os.killpg(self.workers[-1].pid, signal.SIGKILL)
            self.workers[-1].wait()
            return {"pid": self.workers[-1].pid}
        pid = pid_of(self.workdir / "store")
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        store = self.stores[-1]
        assert store.process is not None
        store.process.wait()
        return {"pid": pid}

    def restart(self, what: str) -> None:
        if what == "serve":
            self.server.start(timeout=60)
        elif what == "worker":
            self.workers.append(start_worker(self.server, self.workdir, len(self.workers) + 1))
        elif what == "redis":
            self.stores.append(EmbeddedRedis(self.workdir / "store"))
            self.stores[-1].start()
        # web: uvicorn's supervisor starts a new web process by itself

    def add_dnc(self) -> None:
        """Mid-run, one landline in ten goes on the do-not-call list: none may be dialed after."""
        phones = dnc_phones(self.args.contacts)
        with self.server.client() as admin:
            r = admin.post("/api/dnc", json={"phones": phones})
            assert r.status_code == 200, r.text
        self.dnc_since = dict.fromkeys(phones, time.time())  # a dial placed during the POST may go
        self.report["dnc_added"] = r.json()["added"]

    def dialer_status(self) -> dict[str, Any]:
        """The dialer's own view (power mode): its pool, ready volunteers, lines in flight."""
        with self.server.client() as admin:
            r = admin.get(f"/api/campaigns/{CAMPAIGN}/dialer")
        if r.status_code != 200:
            return {"status_code": r.status_code}
        body: dict[str, Any] = r.json()
        return {
            k: body.get(k) for k in ("agents", "ready", "lines", "waiting", "dialed", "dials") if k in body
        }

    async def day(self, tokens: list[str]) -> list[LedgerVolunteer]:
        args = self.args
        stop = asyncio.Event()
        volunteers = [
            LedgerVolunteer(
                i, self.server.base_url, t, CAMPAIGN, seed=i, think_seconds=args.think, call_timeout=60
            )
            for i, t in enumerate(tokens)
        ]
        reconnects = [0] * len(volunteers)
        errors: dict[str, int] = {}
        examples: dict[str, str] = {}  # the first message of each cause

        async def one(i: int, v: LedgerVolunteer) -> None:
            await asyncio.sleep(i * args.arrival)
            while not stop.is_set():
                try:
                    await v.follow(args.mode, stop=stop)
                    await asyncio.wait_for(stop.wait(), 2)  # the list is exhausted (or paused): wait
                except TimeoutError:
                    continue
                except Exception as exc:  # the server went away: come back, as the page does
                    reconnects[i] += 1
                    name = type(exc).__name__
                    status = getattr(getattr(exc, "response", None), "status_code", None)
                    name += f" {status}" if status else ""
                    errors[name] = errors.get(name, 0) + 1
                    examples.setdefault(name, str(exc)[:300])
                    await asyncio.sleep(0.5)

        def calls() -> int:
            return sum(len(v.acks) for v in volunteers)

        tasks = [asyncio.create_task(one(i, v)) for i, v in enumerate(volunteers)]
        total = args.minutes * 60
        kills = [k for k in args.kills.split(",") if k]
        start = time.monotonic()
        window = args.window
        first = start + len(volunteers) * args.arrival + window  # everyone has arrived and called a while
        gap = (start + total - first) / max(1, len(kills))
        events = []
        for n, what in enumerate(kills):
            at = first + n * gap
            await asyncio.sleep(max(0, at - window - time.monotonic()))
            if n == 0 and args.mode != "preview":
                await asyncio.to_thread(self.add_dnc)
            c0 = calls()
            await asyncio.sleep(window)
            before = (calls() - c0) / window
            killed = self.kill(what)
            down_at, killed_wall = time.monotonic(), time.time()
            await asyncio.sleep(args.down)
            await asyncio.to_thread(self.restart, what)
            restarted_in = time.monotonic() - down_at
            c1 = calls()
            await asyncio.sleep(window)
            after = (calls() - c1) / window
            dialer = await asyncio.to_thread(self.dialer_status)
            events.append(
                {
                    "kill": what,
                    **killed,
                    "at_seconds": round(down_at - start, 1),
                    "back_after_seconds": round(restarted_in, 1),
                    "calls_per_s_before": round(before, 2),
                    "calls_per_s_after": round(after, 2),
                    "ratio": round(after / before, 2) if before else None,
                    "killed_wall": killed_wall,
                    "dialer_after": dialer,
                }
            )
        await asyncio.sleep(max(0, start + total - time.monotonic()))
        stop.set()
        await asyncio.wait(tasks, timeout=90)
        for v in volunteers:
            await v.aclose()
        acks = [when for v in volunteers for _, _, when in v.acks]
        for e in events:  # how long until calls were back to 80% of the rate before the kill
            e["recovered_after_seconds"] = recovery_seconds(
                acks, e.pop("killed_wall"), e["calls_per_s_before"], until=time.time()
            )
        self.report.update(
            seconds=round(time.monotonic() - start, 1),
            calls_acknowledged=calls(),
            calls_per_s=round(calls() / (time.monotonic() - start), 2),
            kills=events,
            reconnects=sum(reconnects),
            volunteers_that_reconnected=sum(1 for r in reconnects if r),
            reconnect_causes=errors,
            reconnect_examples=examples,
        )
        return volunteers

    async def verify(self, volunteers: list[LedgerVolunteer]) -> None:
        client = async_client(self.url)
        try:
            stream = await client.xrange(keys.results(CAMPAIGN))
            counters = await client.hgetall(keys.counters(CAMPAIGN))
            lease_of = await client.hgetall(keys_lease.lease_of(CAMPAIGN))
            leases = dict(await client.zrange(keys.leases(CAMPAIGN), 0, -1, withscores=True))
            now = time.time()
            lines = await read_lines(client, CAMPAIGN) if self.args.mode != "preview" else None
        finally:
            await client.aclose()
        with self.server.client() as admin:
            export = admin.get(f"/api/campaigns/{CAMPAIGN}/results.csv", timeout=120)
            assert export.status_code == 200, export.text[:300]
        self.report["checks"] = check(volunteers, stream, export.text, counters, lease_of, leases, now)
        self.report["counters"] = counters
        if lines is not None:
            window = Window.parse("09:00", "21:00")  # the campaign's default calling hours
            self.report["dialer"] = check_lines(lines, stream, window, self.dnc_since, cap=0.03)
            self.report["dialer"]["counters"] = lines["counters"]
        first = stream_time(stream[0][0]) if stream else now
        timeline: dict[int, int] = {}
        for entry_id, _ in stream:  # results recorded (by volunteers and by the dialer) per 10 s
            slot = int((stream_time(entry_id) - first) // 10) * 10
            timeline[slot] = timeline.get(slot, 0) + 1
        self.report["results_per_10s"] = timeline

    def run(self) -> dict[str, Any]:
        args = self.args
        try:
            asyncio.run(seed(self.url, args.contacts, dialing=args.mode != "preview"))
            with self.server.client() as admin:
                body = {"id": CAMPAIGN, "name": "Crowd and kill", "script_id": "gotv-2026",
                        "caller_id": "+14155550199", "mode": args.mode}  # fmt: skip
                r = admin.post("/api/campaigns", json=body)
                assert r.status_code == 201, r.text
            tokens = sign_up(self.server.base_url, args.volunteers)
            volunteers = asyncio.run(self.day(tokens))
            time.sleep(args.settle)
            asyncio.run(self.verify(volunteers))
        finally:
            stop_workers(self.workers, self.report)
            self.server.stop()
            for s in self.stores:
                s.stop()
        self.report["logs"] = log_figures(self.workdir)
        return self.report


def web_processes_orphaned(workdir: Path) -> list[int]:
    """Web processes left by a killed `dialer serve` (re-parented): those started in `workdir`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (
                b"spawn_main" in (proc / "cmdline").read_bytes()
                and (proc / "cwd").resolve() == workdir.resolve()
            ):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["preview", "power", "predictive"], default="preview")
    parser.add_argument("--volunteers", type=int, default=150)
    parser.add_argument("--contacts", type=int, default=3000)
    parser.add_argument("--minutes", type=float, default=4.0)
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument(
        "--speed",
        type=float,
        default=20.0,
        help="the simulated carrier's speed (a dialing crowd empties "
        "the list fast at 20: 5 keeps 150 volunteers calling 6,400 contacts for about 4 minutes)",
    )
    parser.add_argument("--kills", default="web,worker,redis", help="in turn: web, serve, worker, redis")
    parser.add_argument("--window", type=float, default=15.0, help="seconds measured before and after a kill")
    parser.add_argument("--down", type=float, default=2.0, help="seconds a killed process stays down")
    parser.add_argument("--think", type=float, default=0.3, help="seconds a volunteer takes per script step")
    parser.add_argument("--arrival", type=float, default=0.1, help="seconds between volunteers' arrivals")
    parser.add_argument(
        "--settle", type=float, default=15.0, help="seconds after the volunteers stop (lines settle)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the processes' logs (their folder is printed)"
    )
    args = parser.parse_args()
    if args.keep:
        workdir = Path(tempfile.mkdtemp(prefix="crowd-kill-"))
        print(json.dumps({**Run(args, workdir).run(), "logs_in": str(workdir)}))
        return
    with tempfile.TemporaryDirectory(prefix="crowd-kill-") as tmp:
        print(json.dumps(Run(args, Path(tmp)).run()))


if __name__ == "__main__":
    main()
