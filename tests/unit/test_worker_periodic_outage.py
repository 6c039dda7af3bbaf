"""The worker's periodic jobs while Redis is down (bench/crowd_kill.py, Redis killed and restarted): each
job that failed logged a full traceback (6 in a 7 s outage), with the store's outage as its only news,
among the lines an operator reads for real failures. Now one warning line each; other errors keep theirs."""

from __future__ import annotations

import logging
import threading

import pytest
import redis

from dialer import worker
from dialer.settings import Settings


def test_a_store_outage_is_one_warning_line_and_other_failures_keep_their_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()

    def down(settings: Settings, url: str) -> None:
        raise redis.ConnectionError("Error 111 connecting to redis.sock. Connection refused.")

    def broken(settings: Settings, url: str) -> None:
        stop.set()  # one round of the loop is enough
        raise ValueError("a real bug")

    monkeypatch.setattr(worker, "PERIODIC_SECONDS", 0.0)
    monkeypatch.setattr(worker, "PERIODIC_JOBS", [("reap-expired-leases", down), ("broken", broken)])
    with caplog.at_level(logging.WARNING, logger=worker.log.name):
        worker._periodic_loop(Settings(), "redis://unused", stop)
    outage = [r for r in caplog.records if "reap-expired-leases" in r.getMessage()]
    assert len(outage) == 1 and outage[0].levelno == logging.WARNING and outage[0].exc_info is None
    assert "store is unavailable" in outage[0].getMessage()
    bug = [r for r in caplog.records if "broken" in r.getMessage()]
    assert len(bug) == 1 and bug[0].levelno == logging.ERROR and bug[0].exc_info is not None
