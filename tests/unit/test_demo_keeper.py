"""The demo keeps its call day going: retries made due, or more voters, or a word when it cannot."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from dialer.demo_keeper import TOP_UP, DemoKeeper
from dialer.demo_seed import MAX_VOTERS

NOW = 1_796_544_000.0  # 2026-12-06 08:00 UTC


class FakeDemoServer:
    """The two API calls the keeper makes, answered from a dict of stats; records what it was sent."""

    def __init__(self, **stats: Any) -> None:
        self.stats = {"status": "active", "contacts": 60, **stats}
        self.sent: list[tuple[str, bytes]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and path == "/api/campaigns/demo/stats":
            return httpx.Response(200, json=self.stats)
        self.sent.append((path, request.content))
        if path == "/api/campaigns/demo/retries-now":
            return httpx.Response(200, json={"made_due": self.stats["to_call"]["waiting_retry"]})
        if path == "/api/campaigns/demo/contacts":
            rows = list(csv.DictReader(io.StringIO(request.content.decode())))
            return httpx.Response(200, json={"imported": len(rows)})
        return httpx.Response(404)


def keeper(server: FakeDemoServer) -> DemoKeeper:
    client = httpx.Client(base_url="http://demo", transport=httpx.MockTransport(server))
    return DemoKeeper(client, want_ready=20, clock=lambda: NOW)


def to_call(ready: int = 0, waiting: int = 0, in_lists: int = 0) -> dict[str, int]:
    return {"ready": ready, "waiting_retry": waiting, "outside_hours": 0, "in_lists": in_lists}


def test_enough_voters_ready_means_nothing_to_do() -> None:
    server = FakeDemoServer(to_call=to_call(ready=25))
    assert keeper(server).tick() is None and server.sent == []


def test_waiting_retries_are_called_first() -> None:
    server = FakeDemoServer(to_call=to_call(waiting=7))
    assert (
        keeper(server).tick()
        == "the demo made 7 waiting retries callable now, so the volunteers keep calling"
    )
    assert [path for path, _ in server.sent] == ["/api/campaigns/demo/retries-now"]


def test_more_voters_with_new_numbers_when_nobody_waits() -> None:
    server = FakeDemoServer(to_call=to_call(ready=3))
    assert keeper(server).tick() == f"the demo added {TOP_UP} voters to the call list"
    rows = list(csv.DictReader(io.StringIO(server.sent[0][1].decode())))
    assert rows[0]["id"] == "V00061" and len(rows) == TOP_UP  # after the 60 already there


def test_when_every_number_is_used_it_says_so_once() -> None:
    server = FakeDemoServer(to_call=to_call(), contacts=MAX_VOTERS)
    the_keeper = keeper(server)
    said = the_keeper.tick()
    assert said is not None and "delete ./var" in said
    assert the_keeper.tick() is None and server.sent == []


def test_a_paused_campaign_is_left_paused() -> None:
    server = FakeDemoServer(to_call=to_call(), status="paused")
    assert keeper(server).tick() is None and server.sent == []


def test_voters_added_for_the_dialer_modes_are_landlines() -> None:
    """The pacer of a power or predictive demo dials no cell (the demo claims no consent): voters added for
    it must be ones it can call."""
    server = FakeDemoServer(to_call=to_call(ready=3))
    client = httpx.Client(base_url="http://demo", transport=httpx.MockTransport(server))
    assert DemoKeeper(client, want_ready=20, clock=lambda: NOW, cells=False).tick() is not None
    rows = list(csv.DictReader(io.StringIO(server.sent[0][1].decode())))
    assert len(rows) == TOP_UP and {row["phone_type"] for row in rows} == {"landline"}
