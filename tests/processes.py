"""Processes from a test: `dialer worker` run beside a server, and (Linux /proc) a process's children and
whether one still runs."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path


@contextlib.contextmanager
def worker_process(env: Mapping[str, str], cwd: Path, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`dialer worker` with its output appended to `log_path`, stopped as an operator stops it on the way
    out (SIGTERM, then kill after 15 s)."""
    with open(log_path, "ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "dialer", "worker"],
            env=dict(env),
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def children_of(pid: int) -> list[int]:
    """The pids whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def running(pid: int) -> bool:
    """The process exists and is not a zombie (a dead child its parent has not reaped yet)."""
    try:
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False


def wait_gone(pid: int, timeout: float = 15.0) -> bool:
    """Waits up to `timeout` seconds for the process to end; whether it did."""
    deadline = time.monotonic() + timeout
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not running(pid)
