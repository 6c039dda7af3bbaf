"""A socket's Mailbox (dialer/live.py) with a frame writer: stats written at once when nothing is queued or
being sent before them, and through the sender (`take`) otherwise, in the order they were offered; and the
frame bytes the writer builds once per fan-out (dialer/web/frame_writer.py)."""

from __future__ import annotations

import json

import anyio
import pytest
from websockets.protocol import State
from websockets.server import ServerProtocol

from dialer.live import Mailbox
from dialer.web.frame_writer import text_frame

pytestmark = pytest.mark.anyio


class FakeSocket:
    """A frame writer that takes frames while `open`, and records them."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.open = True

    def write(self, text: str) -> bool:
        if self.open:
            self.frames.append(text)
        return self.open


def stats(calls: int) -> str:
    return json.dumps({"type": "stats", "calls": calls})


def roster(*names: str) -> str:
    return json.dumps({"type": "roster", "volunteers": list(names)})


async def test_stats_and_a_changed_roster_are_written_at_once_when_nothing_is_pending() -> None:
    sock = FakeSocket()
    box = Mailbox("c", sock.write)
    box.offer_stats(stats(1), 1, roster("vera"))
    box.offer_stats(stats(2), 2, roster("vera"))  # the same roster: not sent again
    assert sock.frames == [stats(1), roster("vera"), stats(2)]
    assert box.written == 2 and box.dropped == 0
    box.offer_control({"type": "pong"})
    assert await box.take() == ['{"type": "pong"}']  # nothing else was left for the sender


async def test_what_the_writer_declines_goes_through_the_sender_newest_first_replaced() -> None:
    sock = FakeSocket()
    sock.open = False  # e.g. the connection's transport is paused: the client stopped reading
    box = Mailbox("c", sock.write)
    box.offer_stats(stats(1), 1, roster("vera"))
    sock.open = True
    box.offer_stats(stats(2), 2)  # queued behind the pending one, which it replaces
    assert sock.frames == [] and box.written == 0 and box.dropped == 1
    assert await box.take() == [stats(2), roster("vera")]


async def test_a_frame_never_overtakes_one_the_sender_is_still_sending() -> None:
    sock = FakeSocket()
    box = Mailbox("c", sock.write)
    box.offer_control({"type": "pong"})
    box.offer_stats(stats(1), 1)  # behind a queued control reply: queued too
    assert sock.frames == []
    assert await box.take() == ['{"type": "pong"}', stats(1)]
    box.offer_stats(stats(2), 2)  # the sender may still be sending stats 1: queued
    assert sock.frames == []
    assert await box.take() == [stats(2)]
    async with anyio.create_task_group() as tg:
        tg.start_soon(box.take)  # the sender is back, waiting: what it took before was sent
        await anyio.wait_all_tasks_blocked()
        box.offer_stats(stats(3), 3)
        assert sock.frames == [stats(3)]
        tg.cancel_scope.cancel()


async def test_a_roster_declined_after_its_stats_were_written_is_queued() -> None:
    sock = FakeSocket()
    written: list[str] = []

    def stats_only(text: str) -> bool:
        if json.loads(text)["type"] == "stats":
            written.append(text)
            return True
        return False

    box = Mailbox("c", stats_only)
    box.offer_stats(stats(1), 1, roster("vera"))
    assert written == [stats(1)]
    assert await box.take() == [roster("vera")]
    assert sock.frames == []


async def test_older_or_closed_writes_nothing() -> None:
    sock = FakeSocket()
    box = Mailbox("c", sock.write)
    box.offer_stats(stats(2), 2)
    box.offer_stats(stats(1), 1)  # an older computation
    box.close(1001, "server shutting down")
    box.offer_stats(stats(3), 3)
    assert sock.frames == [stats(2)]
    assert await box.take() == []


def test_a_frame_built_once_is_what_a_server_connection_would_write() -> None:
    conn = ServerProtocol()
    conn.state = State.OPEN
    for text in (stats(1), "é" * 200, "x" * 70_000):  # the three lengths of the frame header
        conn.send_text(text.encode())
        assert text_frame(text) == b"".join(conn.data_to_send())
