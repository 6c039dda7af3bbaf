"""bench/crowd_kill.py's crowd and checks, as an operator without a load balancer runs it: one
`redis-server` of the machine's (append-only file, a unix socket in a temp dir), three `dialer serve` on
three ports (no PUBLIC_URL: the worker sends carrier callbacks to the URL a serve published), one `dialer
worker`. Kills, in turn: `serve3` (the last started, whose URL the worker uses; left dead: the other two
serve on), `worker`, `redis` (kill -9, started again on its append-only file). Volunteers use the first.

    .venv/bin/python bench/serve_ports_kill.py [--mode power] [--volunteers 30] [--minutes 4]
        [--kills serve3,worker,redis]

Prints crowd_kill's JSON report (the serve3 kill's `recovered_after_seconds`: how long dialing had no
callbacks), its folder kept (`logs_in`).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.crowd_kill as ck  # noqa: E402
from bench.process_kit import start_worker  # noqa: E402
from tests.servers import ServerProcess  # noqa: E402


class Stopper:
    def __init__(self, f):
        self.f = f

    def stop(self):
        self.f()


class RedisServer:
    def __init__(self, d: Path):
        self.d = d
        d.mkdir(parents=True, exist_ok=True)
        self.sock = d / "redis.sock"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                "0",
                "--unixsocket",
                str(self.sock),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--dir",
                str(self.d),
                "--save",
                "",
            ],
            stdout=open(self.d / "redis.out", "ab"),
            stderr=subprocess.STDOUT,
        )
        for _ in range(200):
            if (
                subprocess.run(
                    ["redis-cli", "-s", str(self.sock), "ping"], capture_output=True
                ).stdout.strip()
                == b"PONG"
            ):
                return f"unix://{self.sock}"
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()


class OpRun(ck.Run):
    def __init__(self, args, workdir):
        self.args, self.workdir = args, workdir
        self.rs = RedisServer(workdir / "redis")
        self.url = self.rs.start()
        env = {
            "DIALER_SIM_SPEED": str(args.speed),
            "DIALER_SIM_SEED": "7",
            "DIALER_ACCESS_LOG": "0",
            "WEB_CONCURRENCY": "1",
        }
        self.servers = []
        for _ in range(3):
            s = ServerProcess(workdir, self.url, env=env)
            s.env.pop("PUBLIC_URL", None)
            s.env.pop("PORT", None)
            s.start(timeout=60)
            self.servers.append(s)
        self.server = self.servers[0]
        self.workers = [start_worker(self.server, workdir, 1)]
        self.stores = [Stopper(lambda: [s.stop() for s in self.servers[1:]]), Stopper(lambda: self.rs.stop())]
        self.report = {
            "mode": args.mode,
            "volunteers": args.volunteers,
            "serves": [s.port for s in self.servers],
            "contacts": args.contacts,
            "minutes": args.minutes,
        }
        self.dnc_since = {}

    def kill(self, what):
        if what == "serve3":
            p = self.servers[2].proc
            p.kill()
            p.wait()
            return {"pid": p.pid, "port": self.servers[2].port}
        if what == "redis":
            self.rs.proc.kill()
            self.rs.proc.wait()
            return {"pid": self.rs.proc.pid}
        return super().kill(what)

    def restart(self, what):
        if what == "serve3":
            return  # left dead: the others serve on
        if what == "redis":
            self.rs.start()
            return
        super().restart(what)


p = argparse.ArgumentParser()
p.add_argument("--mode", default="power")
p.add_argument("--volunteers", type=int, default=30)
p.add_argument("--contacts", type=int, default=4000)
p.add_argument("--minutes", type=float, default=4)
p.add_argument("--speed", type=float, default=8)
p.add_argument("--kills", default="serve3,worker,redis")
p.add_argument("--window", type=float, default=15)
p.add_argument("--down", type=float, default=2)
p.add_argument("--think", type=float, default=0.3)
p.add_argument("--arrival", type=float, default=0.1)
p.add_argument("--settle", type=float, default=20)
p.add_argument("--web-workers", type=int, default=1)
a = p.parse_args()
wd = Path(tempfile.mkdtemp(prefix="op-run-"))
print(json.dumps({**OpRun(a, wd).run(), "logs_in": str(wd)}))
