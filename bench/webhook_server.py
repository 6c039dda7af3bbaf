"""Signed Twilio status callbacks through `dialer serve`, against a bare Starlette handler, in one run.

    .venv/bin/python bench/webhook_server.py [--seconds 10] [--connections 32] [--calls 3000]

Needs `wrk` (Debian: apt-get install wrk). Starts an embedded Redis in a temporary directory, then, one
after the other on the same Redis and with the same uvicorn options:
- `dialer serve` (CARRIER=twilio), with a preview campaign and `--calls` browser calls whose voter legs
  send ringing / in-progress / completed callbacks (each distinct, each signed as Twilio signs it, so
  every request is applied, not answered as a duplicate);
- the baseline, bench/bare_webhook_app.py: parse the form, one HMAC-SHA1 check, XADD, 204.
Both servers run side by side; wrk replays the signed requests at one, then the other, `--rounds` times
for `--seconds` each with `--connections` connections (alternating, so a busy machine weighs on both
alike). Besides requests per second, the server process's own CPU time per request (utime + stime from
/proc) is measured: on a shared machine that figure holds still when throughput does not. Prints one JSON
object: medians of both figures for each server, their ratios, and non-2xx answers (must be 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import redis.asyncio as aioredis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialer.embedded import EmbeddedRedis  # noqa: E402
from dialer.queue.attempts import AttemptStore  # noqa: E402
from dialer.telephony.forms import status_callback_url  # noqa: E402
from dialer.telephony.signing import WebhookSigner  # noqa: E402

TOKEN = "0123456789abcdef0123456789abcdef"
ACCOUNT = "AC" + "ab" * 16
ADMIN = "bench-admin-token-0123456789abcdefghijkl"
CAMPAIGN = "hooks"
SCRIPT = "id: hooks\ntitle: Hooks\nstart: hi\nsteps:\n  hi:\n    text: Hello\n    result: contacted\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, proc: subprocess.Popen[bytes], path: str = "/healthz") -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        try:
            httpx.get(url + path, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def callbacks(public: str, calls: int) -> list[tuple[str, str, str]]:
    """(path?query, body, signature) for every callback of `calls` voter legs."""
    signer = WebhookSigner(TOKEN, public)
    out = []
    for i in range(calls):
        parent = f"CA{i:032x}"
        child = f"CA{i + 10**9:032x}"
        url = status_callback_url(public, CAMPAIGN, str(i + 1))
        path_qs = url[len(public) :]
        for seq, status in enumerate(("ringing", "in-progress", "completed")):
            form = {
                "AccountSid": ACCOUNT, "ApiVersion": "2010-04-01", "CallSid": child, "ParentCallSid": parent,
                "CallStatus": status, "Direction": "outbound-dial", "From": "+13125550101",
                "To": f"+1202555{100 + i % 100:04d}", "SequenceNumber": str(seq),
                "Timestamp": "Wed, 25 Nov 2026 13:10:56 +0000", "CallbackSource": "call-progress-events",
            }  # fmt: skip
            if status == "completed":
                form["CallDuration"] = "73"
            out.append((path_qs, urlencode(form), signer.sign(url, form)))
    return out


def wrk_script(requests: list[tuple[str, str, str]], path: Path) -> None:
    """A wrk Lua script that sends the requests in order, each once, then again from the start. Each of
    wrk's two threads starts half-way from the other (they share no state), so neither repeats the other's
    requests before the list runs out; `wrk ... -- <offset>` starts a round where the last one stopped.
    The requests are read from a file beside it: LuaJIT takes at most 65,536 constants in a script."""
    data = path.with_suffix(".tsv")
    data.write_text("".join(f"{p}\t{b}\t{s}\n" for p, b, s in requests))
    path.write_text(
        "local threads = 0\n"
        "function setup(thread)\n  thread:set('first', threads)\n  threads = threads + 1\nend\n"
        "local reqs, offset, i = {}, 0, nil\n"
        "function init(args)\n  offset = tonumber(args[1]) or 0\n"
        f"  for line in io.lines({json.dumps(str(data))}) do\n"
        "    local p, b, s = line:match('^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)$')\n"
        "    reqs[#reqs + 1] = {p, b, s}\n  end\nend\n"
        "request = function()\n"
        "  if i == nil then i = (offset + (first or 0) * math.floor(#reqs / 2)) % #reqs end\n"
        "  i = i % #reqs + 1\n  local r = reqs[i]\n"
        '  return wrk.format("POST", r[1], {["Content-Type"] = "application/x-www-form-urlencoded",'
        ' ["X-Twilio-Signature"] = r[3]}, r[2])\nend\n'
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_wrk(
    url: str, script: Path, seconds: int, connections: int, pid: int, offset: int = 0
) -> tuple[float, float, int, int]:
    """(requests per second, server CPU seconds per request, non-2xx answers, requests)."""
    cpu_before = cpu_seconds(pid)
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url, "--", str(offset)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    cpu = cpu_seconds(pid) - cpu_before
    if done.stderr.strip():  # e.g. a Lua error: wrk then sends plain GETs, measuring the wrong thing
        raise SystemExit(f"wrk: {done.stderr.strip()[:500]}")
    total = int(re.search(r"(\d+) requests in", done.stdout).group(1))  # type: ignore[union-attr]
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", done.stdout)
    return rate, cpu / max(total, 1), int(bad.group(1)) if bad else 0, total


async def seed_attempts(redis_url: str, calls: int) -> None:
    client = aioredis.Redis.from_url(redis_url, decode_responses=True)
    store = AttemptStore(client)
    for start in range(0, calls, 40):  # 40 at a time (the pool's limit is 50): one by one took minutes
        await asyncio.gather(*(
            store.start_dial(CAMPAIGN, f"CA{i:032x}", contact_id=str(i + 1), volunteer="u1",
                             phone=f"+1202555{100 + i % 100:04d}", now=time.time(),
                             max_attempts=10**6)
            for i in range(start, min(calls, start + 40))
        ))  # fmt: skip
    await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    # 3 callbacks each: enough that the dialer's rounds (3 x 4 s at up to ~7,000/s) never repeat one, so
    # every request it gets is applied (a repeat is answered as a duplicate, which costs less).
    parser.add_argument("--calls", type=int, default=30000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/webhook_server.py needs wrk: apt-get install wrk")
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp) / "redis") as store:
        redis_url = store.url
        port, bare_port = free_port(), free_port()
        public = f"http://127.0.0.1:{port}"
        env = {**os.environ, "REDIS_URL": redis_url, "CARRIER": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT,
               "TWILIO_AUTH_TOKEN": TOKEN, "PUBLIC_URL": public, "DIALER_ACCESS_LOG": "0",
               "DIALER_ADMIN_TOKEN": ADMIN, "DIALER_DATA_DIR": tmp}  # fmt: skip
        requests = callbacks(public, args.calls)
        script = Path(tmp) / "hooks.lua"
        wrk_script(requests, script)
        log = open(Path(tmp) / "serve.log", "wb")  # noqa: SIM115
        serve = subprocess.Popen([sys.executable, "-m", "dialer", "serve", "--port", str(port)], env=env,
                                 stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        # The baseline checks signatures against the dialer's URL (the same signed requests go to both).
        bare_env = {**os.environ, "BARE_TOKEN": TOKEN, "BARE_PUBLIC_URL": public, "BARE_REDIS_URL": redis_url}
        bare = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"), "bare_webhook_app:app",
             "--port", str(bare_port), "--no-access-log", "--log-level", "warning"],
            env=bare_env,
        )  # fmt: skip
        ours: list[tuple[float, float, int, int]] = []
        base: list[tuple[float, float, int, int]] = []
        try:
            wait_healthy(public, serve)
            wait_healthy(f"http://127.0.0.1:{bare_port}", bare, "/")
            headers = {"Authorization": f"Bearer {ADMIN}"}
            r = httpx.post(f"{public}/api/scripts", content=SCRIPT, headers={**headers,
                           "Content-Type": "application/yaml"})  # fmt: skip
            assert r.status_code == 201, r.text
            r = httpx.post(f"{public}/api/campaigns", headers=headers, json={"id": CAMPAIGN, "name": "Hooks",
                           "script_id": "hooks", "caller_id": "+13125550199"})  # fmt: skip
            assert r.status_code == 201, r.text
            asyncio.run(seed_attempts(redis_url, args.calls))
            for _ in range(args.rounds):
                # Each round goes on where the last stopped (per thread: half its requests, and a margin
                # for the threads' unequal shares), so that the dialer gets no repeat.
                offset = sum(o[3] for o in ours) * 11 // 20
                ours.append(run_wrk(public, script, args.seconds, args.connections, serve.pid, offset))
                base.append(run_wrk(f"http://127.0.0.1:{bare_port}", script, args.seconds,
                                    args.connections, bare.pid, offset))  # fmt: skip
        finally:
            for proc in (serve, bare):
                proc.terminate()
                proc.wait()
            log.close()
    rate, bare_rate = statistics.median(o[0] for o in ours), statistics.median(b[0] for b in base)
    cpu, bare_cpu = statistics.median(o[1] for o in ours), statistics.median(b[1] for b in base)
    print(json.dumps({
        "status_callbacks_per_second": round(rate), "bare_handler_per_second": round(bare_rate),
        "throughput_ratio": round(rate / bare_rate, 2),
        "server_cpu_us_per_callback": round(cpu * 1e6), "bare_cpu_us_per_request": round(bare_cpu * 1e6),
        "cpu_ratio": round(bare_cpu / cpu, 2),
        "non_2xx": {"dialer": sum(o[2] for o in ours), "bare": sum(b[2] for b in base)},
        "rounds": args.rounds, "seconds": args.seconds, "connections": args.connections,
        "distinct_requests": len(requests), "dialer_requests": sum(o[3] for o in ours),
        "no_repeats": sum(o[3] for o in ours) * 11 // 10 <= len(requests),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
