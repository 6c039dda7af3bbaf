"""A Redis restart is said in one warning line by the worker's loops, not an ERROR with a traceback each
(a restart under a power-mode run logged three, which read as a bug to whoever watched the worker)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import redis.exceptions

from dialer.dialing.runner import _guarded

pytestmark = pytest.mark.anyio


class DiesWith:
    campaign_id = "pw"

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def run(self, stop: Any) -> None:
        raise self.error


async def test_a_pacer_stopped_by_a_redis_restart_is_a_warning_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="dialer.pacer"):
        await _guarded(DiesWith(redis.exceptions.ConnectionError("Connection refused")), lambda: False)  # type: ignore[arg-type]
    [record] = caplog.records
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "pacer of campaign pw stopped: Connection refused" in record.getMessage()


async def test_any_other_failure_of_a_pacer_keeps_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="dialer.pacer"):
        await _guarded(DiesWith(KeyError("lines")), lambda: False)  # type: ignore[arg-type]
    [record] = caplog.records
    assert record.levelno == logging.ERROR and record.exc_info is not None
