"""A campaign switched to another script mid-day: the call under way goes on with the script it started
with, across a reconnect, and the next voter gets the new script on the page already open."""

from __future__ import annotations

import csv
import io
from typing import Any

from starlette.testclient import TestClient

from tests.conftest import ADMIN
from tests.e2e.calling import EXAMPLES
from tests.integration.test_api_conformance_ws import World, finish, next_of, world

__all__ = ["world"]
SPEAKING, NO = 0, 2  # gotv's intro "Speaking", support "No" (-> thanks-anyway)


def switch_to_recruit(client: TestClient) -> None:
    r = client.post(
        "/api/scripts",
        content=(EXAMPLES / "recruit.yaml").read_bytes(),
        headers={**ADMIN, "Content-Type": "application/yaml"},
    )
    assert r.status_code == 201 and r.json()["version"] == 1, r.text  # the same version number as gotv's
    r = client.patch("/api/campaigns/dc", json={"script_id": "recruit-volunteers"}, headers=ADMIN)
    assert r.status_code == 200, r.text


def steps_until_error(ws: Any) -> list[dict[str, Any]]:
    """The steps sent before the answer to a bad frame: whatever came, without waiting on what did not."""
    ws.send_json({"type": "no-such-type"})
    out = []
    while (message := ws.receive_json())["type"] != "error":
        out.append(message)
    return [m for m in out if m["type"] == "step"]


def test_a_call_under_way_keeps_its_script_across_a_reconnect_and_the_next_call_takes_the_new_one(
    world: World,
) -> None:
    first, second = (c.id for c in world.batch.contacts[:2])
    url = f"/ws/call/dc?token={world.token}"
    with world.client.websocket_connect(url) as ws:
        next_of(ws, "campaign")
        ws.send_json({"type": "start", "contact_id": first})
        assert next_of(ws, "step", "error")["step"]["id"] == "intro"
        ws.send_json({"type": "answer", "step": "intro", "choice": SPEAKING})
        assert next_of(ws, "step", "error")["step"]["id"] == "support"
    switch_to_recruit(world.client)
    with world.client.websocket_connect(url) as ws:  # the page reloaded (or its connection dropped)
        next_of(ws, "campaign")
        ws.send_json({"type": "start", "contact_id": first})  # the page asks where the call is
        steps = steps_until_error(ws)
        assert steps and steps[-1]["step"]["id"] == "support", steps  # not recruit's "ask", nor its intro
        ws.send_json({"type": "answer", "step": "support", "choice": NO})
        assert next_of(ws, "step", "error")["step"]["id"] == "thanks-anyway"
        ws.send_json({"type": "answer", "step": "thanks-anyway"})
        done = next_of(ws, "done", "error")
        assert done["type"] == "done" and done["answers"] == {"intro": "Speaking", "support": "no"}, done
        ws.send_json(finish(first, "k-1"))
        assert next_of(ws, "recorded", "error") == {"type": "recorded", "contact_id": first}
        ws.send_json({"type": "start", "contact_id": second})  # the next voter, on the same page
        step = next_of(ws, "step", "error")
        assert "Thanks for supporting us" in step["step"]["text"], step  # recruit's intro, not gotv's


def test_answers_given_before_a_switch_stay_in_the_export(world: World) -> None:
    first, second = (c.id for c in world.batch.contacts[:2])
    headers = {"Authorization": f"Bearer {world.token}"}
    answers = {"intro": "Speaking", "support": "no"}
    body = {"contact_id": first, "result": "contacted", "answers": answers, "idempotency_key": "k-1"}
    r = world.client.post(f"/api/batches/{world.batch.id}/results", json=body, headers=headers)
    assert r.status_code == 200, r.text
    switch_to_recruit(world.client)
    answers = {"intro": "Yes", "will_volunteer": "no"}
    body = {"contact_id": second, "result": "contacted", "answers": answers, "idempotency_key": "k-2"}
    r = world.client.post(f"/api/batches/{world.batch.id}/results", json=body, headers=headers)
    assert r.status_code == 200, r.text
    export = world.client.get("/api/campaigns/dc/results.csv", headers=ADMIN)
    rows = {r["contact_id"]: r for r in csv.DictReader(io.StringIO(export.text))}
    assert rows[first]["support"] == "no" and rows[second]["will_volunteer"] == "no"
    header = export.text.splitlines()[0].split(",")
    assert header.index("will_volunteer") < header.index("support")  # the current script's first
