"""The pages over HTTP (no browser): role checks, redirects, no voter data for the wrong role, the pages'
JSON helpers, and the security headers on real pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from dialer.settings import Settings
from dialer.web.pages import safe_next
from dialer.web.pages_tools import compose, line_of, path_segments
from tests.browser.harness import compose_app
from tests.conftest import ADMIN

GOTV = (Path(__file__).parents[2] / "examples" / "gotv.yaml").read_text()
BROKEN = """id: broken
title: Broken
start: intro
steps:
  intro:
    text: "Hello {{ contact.first_name }}"
    choices:
      - {label: "Yes", next: nowhere}
      - {label: "No", result: not_a_code}
"""


@pytest.fixture
def web(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(compose_app(app_settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def campaign(web: TestClient) -> str:
    r = web.post("/api/scripts", content=GOTV, headers={**ADMIN, "Content-Type": "application/yaml"})
    assert r.status_code == 201, r.text
    r = web.post(
        "/api/campaigns",
        json={
            "id": "fall",
            "name": "Fall GOTV",
            "script_id": "gotv-2026",
            "caller_id": "+12025550142",
            "goal": 50,
        },
        headers=ADMIN,
    )
    assert r.status_code == 201, r.text
    return "fall"


def sign_up(web: TestClient, email: str = "vol@example.org") -> None:
    r = web.post(
        "/api/auth/signup", json={"email": email, "name": "Vee Volunteer", "password": "a long password"}
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    "path", ["/campaigns", "/call/fall", "/profile", "/campaigns/fall/dashboard", "/scripts"]
)
def test_anonymous_visitors_are_sent_to_sign_in(web: TestClient, campaign: str, path: str) -> None:
    r = web.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/signin?next={path}"


def test_join_link_sends_newcomers_to_sign_up_and_back(web: TestClient, campaign: str) -> None:
    r = web.get("/join/fall", follow_redirects=False)
    assert r.headers["location"] == "/signup?next=/join/fall"
    page = web.get("/signup?next=/join/fall").text
    assert 'data-next="/join/fall"' in page
    assert "<h1>Sign up to make calls for Fall GOTV</h1>" in page  # the newcomer sees what they join
    assert "<h1>Sign up to make calls</h1>" in web.get("/signup?next=/join/nothing-here").text
    assert web.patch("/api/campaigns/fall", json={"archived": True}, headers=ADMIN).status_code == 200
    assert "<h1>Sign up to make calls</h1>" in web.get("/signup?next=/join/fall").text  # hidden: no name
    assert web.patch("/api/campaigns/fall", json={"archived": False}, headers=ADMIN).status_code == 200
    sign_up(web)
    page = web.get("/join/fall").text
    assert "Fall GOTV" in page and 'href="/call/fall"' in page
    assert "paused" not in page


def test_join_page_of_a_paused_campaign_says_so(web: TestClient, campaign: str) -> None:
    assert web.patch("/api/campaigns/fall", json={"status": "paused"}, headers=ADMIN).status_code == 200
    sign_up(web)
    page = web.get("/join/fall").text
    assert "Calls for this campaign are paused right now" in page and 'href="/call/fall"' in page


def test_volunteer_call_page_and_no_organizer_pages(web: TestClient, campaign: str) -> None:
    sign_up(web)
    r = web.get("/call/fall")
    assert r.status_code == 200
    assert "(202) 555-0142" in r.text  # the campaign's caller ID, as a caller reads it
    assert r.headers["cache-control"] == "no-store"
    for path in ("/campaigns/fall/dashboard", "/campaigns/fall/settings", "/scripts", "/campaigns/new"):
        denied = web.get(path)
        assert denied.status_code == 403
        assert "Fall GOTV" not in denied.text and "page-data" not in denied.text
    assert web.get("/call/nope").status_code == 404


def test_organizer_pages_render(web: TestClient, campaign: str) -> None:
    for path in (
        "/campaigns",
        "/campaigns/fall/dashboard",
        "/campaigns/fall/settings",
        "/scripts",
        "/campaigns/new",
    ):
        r = web.get(path, headers=ADMIN)
        assert r.status_code == 200, path
    page = web.get("/campaigns", headers=ADMIN).text
    assert "/join/fall" in page and "/campaigns/fall/dashboard" in page


def test_pages_have_no_inline_scripts_and_send_a_csp(web: TestClient, campaign: str) -> None:
    r = web.get("/campaigns/fall/dashboard", headers=ADMIN)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    for tag in re.findall(r"<script[^>]*>", r.text):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert "style=" not in r.text  # inline styles are refused by the CSP too


def test_page_data_cannot_break_out_of_its_script_block(web: TestClient) -> None:
    r = web.post("/api/scripts", content=GOTV, headers={**ADMIN, "Content-Type": "application/yaml"})
    assert r.status_code == 201
    name = "</script><script>alert(1)</script>"
    r = web.post(
        "/api/campaigns",
        json={"id": "x", "name": name, "script_id": "gotv-2026", "caller_id": "+12025550142"},
        headers=ADMIN,
    )
    assert r.status_code == 201, r.text
    page = web.get("/call/x", headers=ADMIN).text
    assert "<script>alert(1)" not in page


def test_sign_in_redirect_targets_stay_on_site() -> None:
    assert safe_next("/call/fall?x=1") == "/call/fall?x=1"
    for bad in ("//evil.example.com", "https://evil.example.com", "/\\evil.example.com", "", None):
        assert safe_next(bad) == "/campaigns"


def test_progress_is_aggregate_only(web: TestClient, campaign: str) -> None:
    sign_up(web)
    assert web.get("/call/fall/progress").json() == {
        "goal": 50,
        "calls": 0,
        "contacts_reached": 0,
        "my_calls": 0,
    }
    web.cookies.clear()
    assert web.get("/call/fall/progress").status_code == 401


def test_script_problem_paths_map_to_lines(web: TestClient) -> None:
    r = web.post("/api/scripts", content=BROKEN, headers={**ADMIN, "Content-Type": "application/yaml"})
    assert r.status_code == 422
    details = r.json()["error"]["details"]
    lines = web.post("/scripts/lines", json={"source": BROKEN, "paths": details}, headers=ADMIN).json()[
        "lines"
    ]
    by_path = {d["path"]: lines[d["path"]] for d in details}
    assert by_path["steps.intro.choices[0].next"] == 8
    assert by_path["steps.intro.choices[1].result"] == 9


def test_line_of() -> None:
    root = compose(BROKEN)
    assert path_segments("steps.plan.next[0].goto") == ["steps", "plan", "next", 0, "goto"]
    assert line_of(root, "start") == 3
    assert line_of(root, "steps.intro.text") == 6
    assert line_of(root, "steps.intro.missing") == 5  # a missing key points at its parent
    assert line_of(None, "", "the YAML could not be read on line 7, column 3: oops") == 7


def test_preview_walks_the_script_like_a_call(web: TestClient) -> None:
    contact = {"first_name": "Ada", "last_name": "Lovelace", "fields": {}}

    def walk(events: list[dict[str, object]]) -> dict[str, object]:
        r = web.post(
            "/scripts/preview", json={"source": GOTV, "contact": contact, "events": events}, headers=ADMIN
        )
        assert r.status_code == 200, r.text
        return dict(r.json())

    first = walk([])
    assert first["type"] == "step" and "Ada" in str(first["step"])
    events: list[dict[str, object]] = [
        {"step": "intro", "choice": 0},
        {"step": "support", "choice": 1},
        {"step": "household", "value": 2},
    ]
    assert walk(events)["step"]["id"] == "persuade"  # type: ignore[index]
    assert walk([*events, {"back": True}])["step"]["id"] == "household"  # type: ignore[index]
    done = walk([{"step": "intro", "choice": 1}])
    assert done == {"type": "done", "result": "not_home", "answers": {"intro": "Not home"}}
    bad = web.post("/scripts/preview", json={"source": BROKEN, "contact": {}, "events": []}, headers=ADMIN)
    assert bad.status_code == 422
    assert {d["line"] for d in bad.json()["error"]["details"]} >= {8, 9}


def test_tools_need_an_organizer(web: TestClient) -> None:
    sign_up(web)
    assert web.post("/scripts/preview", json={"source": GOTV}).status_code == 403
    assert web.post("/scripts/lines", json={"source": GOTV, "paths": []}).status_code == 403


def test_cross_site_sign_in_is_refused(web: TestClient) -> None:
    body = {"email": "vol@example.org", "name": "V", "password": "a long password"}
    r = web.post("/api/auth/signup", json=body, headers={"Origin": "https://evil.example.com"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"
    assert web.post("/api/auth/signup", json=body, headers={"Origin": "http://testserver"}).status_code == 201


def test_static_modules_are_served(web: TestClient) -> None:
    r = web.get("/static/js/call.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert "crypto.randomUUID" in r.text
    assert web.get("/static/js/delivery.js").status_code == 200
