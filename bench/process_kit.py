"""What the kill runs share (bench/kill_run.py, bench/crowd_kill.py): starting and stopping `dialer worker`
as an operator's process manager would, finding `dialer serve --workers N`'s web processes, and the
tracebacks and ERROR lines in each process's log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.servers import ServerProcess


def start_worker(server: ServerProcess, workdir: Path, n: int) -> subprocess.Popen[bytes]:
    with open(workdir / f"worker{n}.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "dialer", "worker"],
            env={**server.env, "PORT": str(server.port)},
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its children (RQ's scheduler, a job's process) die with it below
        )


def stop_workers(workers: list[subprocess.Popen[bytes]], report: dict[str, Any]) -> None:
    """SIGTERM to each worker still running; one that does not stop within 60 s is killed, and the wait
    is in the report (worker_stop_seconds)."""
    for w in workers:
        if w.poll() is None:
            os.killpg(w.pid, signal.SIGTERM)
            asked = time.monotonic()
            try:
                w.wait(timeout=60)
            except subprocess.TimeoutExpired:  # said in the report, and the run still cleans up
                os.killpg(w.pid, signal.SIGKILL)
                w.wait()
            report["worker_stop_seconds"] = round(time.monotonic() - asked, 1)


def web_processes(server: ServerProcess) -> list[int]:
    """The pids of `dialer serve --workers N`'s web processes (the children uvicorn's supervisor spawned)."""
    assert server.proc is not None
    pids = []
    for task in Path(f"/proc/{server.proc.pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline:
                pids.append(int(pid))
    return sorted(pids)


def log_figures(workdir: Path) -> dict[str, dict[str, Any]]:
    """Per process log: its tracebacks and ERROR lines (counted, and the first few ERROR lines quoted)."""
    logs: dict[str, dict[str, Any]] = {}
    for f in sorted(workdir.glob("*.log")):
        text = f.read_text(errors="replace")
        errors = [line for line in text.splitlines() if " ERROR " in line or line.startswith("ERROR")]
        exceptions = sorted(
            {line for line in text.splitlines() if line and not line[0].isspace() and "Error:" in line}
        )
        logs[f.name.split("-")[0].removesuffix(".log")] = {
            "tracebacks": text.count("Traceback"),
            "error_lines": len(errors),
            "first_errors": [line[:300] for line in errors[:5]],
            "exceptions": [line[:300] for line in exceptions[:10]],
        }
    return logs
