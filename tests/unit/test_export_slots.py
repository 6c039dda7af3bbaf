"""ExportSlots: at most N exports stream at once; a slot comes back however the stream ends."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator

import pytest

from dialer.web.errors import ApiError
from dialer.web.export_slots import ExportSlots

pytestmark = pytest.mark.anyio


async def lines(n: int = 3, fail: bool = False) -> AsyncIterator[str]:
    for i in range(n):
        yield f"{i}\r\n"
    if fail:
        raise ConnectionError("store gone")


async def test_past_the_limit_a_new_export_is_told_to_come_back() -> None:
    slots = ExportSlots(limit=2)
    first, second = slots.stream(lines()), slots.stream(lines())
    assert slots.in_use == 2
    with pytest.raises(ApiError) as refused:
        slots.stream(lines())
    assert refused.value.status == 503 and refused.value.code == "busy"
    assert refused.value.headers == {"Retry-After": "10"}
    assert [line async for line in first] == ["0\r\n", "1\r\n", "2\r\n"]  # finished: its slot is free
    assert slots.in_use == 1
    third = slots.stream(lines())
    assert slots.in_use == 2
    del second, third  # dropped before their first byte (the client hung up): freed too
    gc.collect()
    assert slots.in_use == 0


async def test_a_failing_or_abandoned_stream_frees_its_slot() -> None:
    slots = ExportSlots(limit=1)
    failing = slots.stream(lines(fail=True))
    with pytest.raises(ConnectionError):
        async for _ in failing:
            pass
    assert slots.in_use == 0
    started = slots.stream(lines(10))
    assert await anext(started) == "0\r\n"
    await started.aclose()  # the client went away mid-file
    assert slots.in_use == 0
