"""Finding 4: `/signin?next=/%09/evil.example/` sent people to evil.example after signing in, because browsers
drop tabs, CR and LF inside URLs (`/\\t/evil` is `//evil` to them). Checked as the server sees it and, end to
end, in headless Chromium with the characters browsers strip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Request
from playwright.sync_api import Error as PlaywrightError

from dialer.web.pages import safe_next
from tests.browser.conftest import make_user
from tests.browser.harness import Running, running_server

# Each is another site to a browser: tab/CR/LF dropped, leading controls and spaces trimmed, `\\` read as `/`.
ATTACKS = [
    "/\t/evil.example/",
    "/\n/evil.example/",
    "/\r\n/evil.example/",
    "\t//evil.example/",
    " //evil.example/",
    "\x00//evil.example/",
    "/\\evil.example/",
    "/\t\\evil.example/",
    "//evil.example/",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
]
# The same, as they are written in a link's query string.
ENCODED = ["/%09/evil.example/", "/%0a/evil.example/", "/%0D%0A/evil.example/", "%09//evil.example/",
           "/%5Cevil.example/", "%20//evil.example/"]  # fmt: skip


@pytest.mark.parametrize("target", ATTACKS)
def test_targets_that_a_browser_reads_as_another_site_are_refused(target: str) -> None:
    assert safe_next(target) == "/campaigns"


def test_local_paths_are_kept_as_the_browser_will_read_them() -> None:
    assert safe_next("/call/fall?x=1") == "/call/fall?x=1"
    assert safe_next("/call/\tfall") == "/call/fall"
    assert safe_next("/%2F%2Fevil.example") == "/%2F%2Fevil.example"  # an encoded slash is part of a path


@pytest.fixture
def server(tmp_path: Path, clean_redis: str) -> Iterator[Running]:
    with running_server(tmp_path, clean_redis) as running:
        yield running


def _sign_in_with_next(browser: Browser, server: Running, encoded: str) -> tuple[list[str], str]:
    """Signs in from `/signin?next=<encoded>`; the requests made to other hosts, and where the page ended."""
    ours = urlsplit(server.base_url).netloc
    elsewhere: list[str] = []
    context = browser.new_context()
    try:

        def watch(request: Request) -> None:
            if urlsplit(request.url).netloc != ours:
                elsewhere.append(request.url)

        context.on("request", watch)
        context.route("**/*", lambda route: route.continue_() if ours in route.request.url else route.abort())
        page = context.new_page()
        page.goto(f"{server.base_url}/signin?next={encoded}")
        page.fill("#email", "redirect@example.org")
        page.fill("#password", "a long password")
        page.click("button[type=submit]")
        try:
            page.wait_for_url(f"{server.base_url}/campaigns", timeout=10_000)
        except PlaywrightError:
            pass  # a navigation elsewhere was aborted: the caller reports it
        return elsewhere, page.url
    finally:
        context.close()


@pytest.mark.browser
def test_signing_in_never_leaves_the_site(browser: Browser, server: Running) -> None:
    make_user(server, "redirect@example.org", "Rea")
    for encoded in ENCODED:
        elsewhere, landed = _sign_in_with_next(browser, server, encoded)
        assert elsewhere == [], (encoded, elsewhere)
        assert landed == f"{server.base_url}/campaigns"
