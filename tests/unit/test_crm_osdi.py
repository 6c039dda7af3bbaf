"""The OSDI adapter against a hand-written stand-in (httpx.MockTransport): questions and tags read from
OSDI's HAL pages, the record canvass helper posted with the token header, and answers read as outcomes."""

from __future__ import annotations

import json

import httpx
import pytest

from dialer.crm.mapping import Target, TargetKind
from dialer.crm.osdi import OsdiClient
from dialer.crm.port import CrmError, Outcome, OutcomeKind
from dialer.crm.requests import Planned, ResultEntry

pytestmark = pytest.mark.anyio
BASE = "https://osdi.example.org/api/v1"
QUESTION = f"{BASE}/questions/q1"


def standin(seen: list[httpx.Request], status: int = 200) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("OSDI-API-Token") != "tok-123":
            return httpx.Response(401, json={"error": "bad token"})
        path = request.url.path
        if path.endswith("/questions") and "page=2" not in str(request.url):
            question = {"title": "Support", "_links": {"self": {"href": QUESTION}},
                        "responses": [{"key": "y", "title": "Yes"}, {"key": "n", "title": "No"}]}  # fmt: skip
            page = {"_embedded": {"osdi:questions": [question]},
                    "_links": {"next": {"href": f"{BASE}/questions?page=2"}}}  # fmt: skip
            return httpx.Response(200, json=page)
        if path.endswith("/questions"):
            return httpx.Response(200, json={"_embedded": {"osdi:questions": []}, "_links": {}})
        if path.endswith("/tags"):
            return httpx.Response(200, json={"_embedded": {"osdi:tags": [{"name": "volunteer"}]}})
        if path.endswith("/record_canvass_helper"):
            return httpx.Response(status, json={"error": "no such person"} if status >= 400 else {})
        return httpx.Response(404, json={"error": "not found"})

    return httpx.MockTransport(handle)


def entry() -> ResultEntry:
    return ResultEntry.from_fields("1-0", {"external_id": "p-9", "result": "contacted", "recorded_at": "0"})


async def test_the_catalog_and_a_canvass_follow_osdi() -> None:
    seen: list[httpx.Request] = []
    client = OsdiClient(BASE, "tok-123", transport=standin(seen))
    catalog = await client.catalog()
    assert [(q.id, [r.id for r in q.responses]) for q in catalog.survey_questions] == [(QUESTION, ["y", "n"])]
    assert [t.id for t in catalog.activist_codes] == ["volunteer"] and catalog.result_code("not_home")
    planned = Planned("p-9", responses=(Target(TargetKind.SURVEY_RESPONSE, QUESTION, "y"),
                                        Target(TargetKind.ACTIVIST_CODE, "volunteer")))  # fmt: skip
    outcome = await client.send(planned, entry())
    assert outcome == Outcome(OutcomeKind.SENT)
    posted = seen[-1]
    assert posted.url.path == "/api/v1/people/p-9/record_canvass_helper"
    body = json.loads(posted.content)
    assert body["add_answers"] == [{"question": QUESTION, "responses": ["y"]}] and body["add_tags"] == [
        "volunteer"
    ]
    await client.aclose()


async def test_refusals_and_outages_read_as_failed_and_retry() -> None:
    refused = OsdiClient(BASE, "tok-123", transport=standin([], status=404))
    outcome = await refused.send(Planned("p-9", result_code="not_home"), entry())
    assert outcome.kind is OutcomeKind.FAILED and outcome.message == "HTTP 404: no such person"  # type: ignore[union-attr]
    down = OsdiClient(BASE, "tok-123", transport=standin([], status=503))
    assert (await down.send(Planned("p-9", result_code="busy"), entry())).kind is OutcomeKind.RETRY  # type: ignore[union-attr]
    with pytest.raises(CrmError, match="bad token"):
        await OsdiClient(BASE, "wrong", transport=standin([])).check()
