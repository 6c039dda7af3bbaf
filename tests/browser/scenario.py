"""Shared set-up for the browser tests: a branching script, a campaign and a call list, through the API."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Route, WebSocketRoute, expect

from tests.browser.conftest import make_user, seed_contacts
from tests.browser.harness import Running

SCRIPT = """id: doors
title: Browser test script
start: intro
steps:
  intro:
    text: "Hi, is this {{ contact.first_name }}?"
    choices:
      - {label: "Speaking", next: support}
      - {label: "Not home", result: not_home}
  support:
    text: "Will you vote for the library levy?"
    question: support
    choices:
      - {label: "Yes", value: "yes", next: plan}
      - {label: "No", value: "no", result: refused}
  plan:
    text: "When will you vote?"
    question: vote_time
    input: text
    next: thanks
  thanks:
    text: "Thank you, {{ contact.first_name }}!"
    result: contacted
"""

CONTACTS = [
    ("+12025550142", "Ada", "Lovelace"),
    ("+12025550143", "Grace", "Hopper"),
    ("+12025550144", "Katherine", "Johnson"),
    ("+12025550145", "Dorothy", "Vaughan"),
]


def seed_campaign(server: Running, redis_url: str, campaign_id: str = "levy", goal: int | None = 10) -> str:
    with server.client() as admin:
        r = admin.post("/api/scripts", content=SCRIPT, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 201, r.text
        r = admin.post(
            "/api/campaigns",
            json={
                "id": campaign_id,
                "name": "Library levy",
                "script_id": "doors",
                "caller_id": "+12025550100",
                "goal": goal,
                "batch_size": 3,
                "calling_hours": {"start": "08:00", "end": "21:00"},
            },
        )
        assert r.status_code == 201, r.text
    seed_contacts(server, campaign_id, CONTACTS)
    return campaign_id


def sign_in(context: BrowserContext, server: Running, email: str) -> None:
    """Signs the browser context in through the JSON API (the cookie lands in the context's jar)."""
    r = context.request.post(
        f"{server.base_url}/api/auth/login", data={"email": email, "password": "a long password"}
    )
    assert r.status == 200, r.text()


def volunteer_context(
    browser: Browser, server: Running, email: str, name: str, **options: Any
) -> BrowserContext:
    """A new volunteer signed in, in a fresh browser context (`options`: viewport, has_touch, ...)."""
    make_user(server, email, name)
    context = browser.new_context(base_url=server.base_url, **options)
    sign_in(context, server, email)
    return context


def open_call_page(context: BrowserContext, campaign: str) -> Page:
    """The campaign's call page, loaded: its list is in and the keyboard is on Call."""
    page = context.new_page()
    page.goto(f"/call/{campaign}")
    expect(page.locator("#call-btn")).to_be_focused(timeout=10_000)
    return page


def wait_connected(page: Page) -> None:
    """The voter picked up: the script takes answers, and the keyboard is on the first one."""
    expect(page.locator("#call-status")).to_contain_text("Connected", timeout=10_000)
    expect(page.locator("#choices button").first).to_be_focused()


def organizer_on_settings(
    browser: Browser, server: Running, campaign: str, **options: Any
) -> tuple[BrowserContext, Page]:
    """A new organizer signed in, on the campaign's settings page (`options`: viewport, ...)."""
    make_user(server, "olga@example.org", "Olga Organizer", role="organizer")
    context = browser.new_context(base_url=server.base_url, **options)
    sign_in(context, server, "olga@example.org")
    page = context.new_page()
    page.goto(f"/campaigns/{campaign}/settings")
    return context, page


def campaign_field(server: Running, campaign: str, field: str) -> Any:
    """One field of the campaign as the API has it now."""
    with server.client() as admin:
        return admin.get(f"/api/campaigns/{campaign}").json()[field]


class SilentCut:
    """Relays a context's WebSockets (`context.route_web_socket(pattern, cut)`) and can make the latest go
    dead without a word: nothing passes either way and nothing closes, as after a Wi-Fi change or a router's
    timeout (the browser's offline event does not come). Connections opened after stay whole."""

    def __init__(self) -> None:
        self.opened = 0
        self.dead: set[int] = set()

    def __call__(self, ws: WebSocketRoute) -> None:
        n = self.opened
        self.opened += 1
        server = ws.connect_to_server()
        ws.on_message(lambda message: None if n in self.dead else server.send(message))
        server.on_message(lambda message: None if n in self.dead else ws.send(message))

    def kill_latest(self) -> None:
        self.dead.add(self.opened - 1)


def until_given_up(page: Page, said: Callable[[], bool]) -> None:
    """Stops the page's clock (installed with `clock.install`) and moves it on a quarter second at a time
    until the page has given its dead connection up (`said()`: it says so), at most two minutes. The clock
    then stands still: the reconnect that follows half a second later waits for the next `run_for`, so the
    page's saying so can be checked before it is gone (with the clock running, a quick reconnect raced it)."""
    now = page.evaluate("Date.now()") / 1000
    page.clock.pause_at(datetime.fromtimestamp(now + 0.25, tz=UTC))
    for _ in range(480):
        if said():
            return
        page.clock.run_for(250)
    raise AssertionError("the page never gave its dead connection up")


class HeldPosts:
    """Holds a page's POSTs to `pattern` until `release()`, so that every click lands before any answer:
    a double click's two requests can never be told apart by timing."""

    def __init__(self, page: Page, pattern: str) -> None:
        self.page = page
        self.held: list[Route] = []
        self.released = False
        page.route(pattern, self._hold)

    def _hold(self, route: Route) -> None:
        if self.released or route.request.method != "POST":  # (the page's own reads go on)
            route.continue_()
        else:
            self.held.append(route)

    def release(self) -> int:
        """Lets the held requests through once the page has taken its clicks; how many there were."""
        deadline = time.monotonic() + 10
        while not self.held and time.monotonic() < deadline:
            self.page.wait_for_timeout(50)
        self.page.evaluate("() => new Promise((done) => setTimeout(done, 0))")  # the click handlers have run
        waiting = list(self.held)
        self.released = True
        for route in waiting:
            route.continue_()
        return len(waiting)
