"""Forms typed into before (or without) their scripts never send what was typed in a URL."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.harness import Running

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("page_path", ["/signin", "/signup"])
def test_enter_before_the_script_loads_does_not_put_the_password_in_a_url(
    browser: Browser, server: Running, page_path: str
) -> None:
    context = browser.new_context(base_url=server.base_url)
    page = context.new_page()
    page.route("**/static/js/auth.js", lambda route: route.abort())  # as on a slow or failing network
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page_path)
    if page_path == "/signup":
        page.fill("#name", "Sam")
    page.fill("#email", "sam@example.org")
    page.fill("#password", "hunter2-secret")
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    assert all("hunter2" not in url and "password=" not in url for url in requests + [page.url])
    context.close()
