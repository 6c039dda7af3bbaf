"""A script that would trap a volunteer, over HTTP against a real Redis: the upload refuses it with each
step's path and nothing saved (a new version leaves the old one the latest), the page's preview shows the
same problems on their YAML lines, and the warnings of a script that is accepted come with lines too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from dialer.app import create_app
from dialer.settings import Settings
from tests.conftest import ADMIN

YAML = {**ADMIN, "Content-Type": "application/yaml"}

GOOD = """id: ward-loop
title: Ward loop
start: hello
steps:
  hello:
    text: "Hi {{ contact.first_name }}, can we count on your vote?"
    question: support
    choices:
      - {label: "Yes", next: plan}
      - {label: "No", result: refused}
  plan:
    text: Let's make a plan.
    next:
      - {when: "answers.support == 'yes'", goto: thanks}
      - {goto: thanks}
  thanks:
    text: Thank you!
    result: contacted
"""
# Line 13 is `plan`'s `next:`, line 14 its first rule with its condition (1-based).
TRAP = GOOD.replace("title: Ward loop", "title: Ward loop 2").replace(
    "{when: \"answers.support == 'yes'\", goto: thanks}", "{when: \"answers.support == 'Yes'\", goto: plan}"
)


@pytest.fixture
def client(app_settings: Settings, clean_redis: str) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings), raise_server_exceptions=False) as c:
        yield c


def test_a_script_that_goes_round_for_ever_is_refused_and_nothing_is_saved(client: TestClient) -> None:
    r = client.post("/api/scripts", content=TRAP, headers=YAML)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_script" and "nothing was saved" in error["message"]
    (detail,) = error["details"]
    assert detail["path"] == "steps.plan.next" and "goes round for ever" in detail["message"]
    assert client.get("/api/scripts/ward-loop", headers=ADMIN).status_code == 404
    assert client.get("/api/scripts", headers=ADMIN).json() == []

    # Over a good first version: the refused second one leaves it the latest.
    good = client.post("/api/scripts", content=GOOD, headers=YAML)
    assert good.status_code == 201 and good.json()["version"] == 1
    assert client.post("/api/scripts", content=TRAP, headers=YAML).status_code == 422
    latest = client.get("/api/scripts/ward-loop", headers=ADMIN).json()
    assert latest["version"] == 1 and latest["title"] == "Ward loop"


def test_an_accepted_script_s_warnings_name_the_condition_and_the_spelling(client: TestClient) -> None:
    r = client.post("/api/scripts", content=GOOD, headers=YAML)
    assert r.status_code == 201, r.text
    (warning,) = r.json()["warnings"]
    assert warning["path"] == "steps.plan.next[0].when"
    assert (
        "answers.support is never 'yes'" in warning["message"] and "did you mean 'Yes'?" in warning["message"]
    )


def test_the_preview_shows_the_trap_and_the_warning_on_their_lines(client: TestClient) -> None:
    r = client.post("/scripts/preview", json={"source": TRAP, "contact": {}, "events": []}, headers=ADMIN)
    assert r.status_code == 422
    (detail,) = r.json()["error"]["details"]
    assert (detail["path"], detail["line"], detail["severity"]) == ("steps.plan.next", 13, "error")

    r = client.post("/scripts/preview", json={"source": GOOD, "contact": {}, "events": []}, headers=ADMIN)
    assert r.status_code == 200, r.text
    (warning,) = r.json()["warnings"]
    assert (warning["path"], warning["line"]) == ("steps.plan.next[0].when", 14)
