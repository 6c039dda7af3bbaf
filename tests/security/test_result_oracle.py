"""Finding (attacker's probe, as a signed-up volunteer): a result posted through one's own batch for a voter
in nobody's or another volunteer's batch was checked against the script with that voter's fields, and its
call-back time against their time zone, before the batch's holder and members were: `422 invalid_answers`
against `409 not_in_batch` told any volunteer which branch of a `when: contact....` rule any voter takes
(contact ids are numbers in import order, so every voter could be asked about), and which ids exist. A
result now first needs the caller's batch to hold the contact; what is refused says nothing of the voter."""

from __future__ import annotations

from tests.conftest import ADMIN
from tests.integration.test_api_batches import World, take, world  # noqa: F401 - the fixture

__all__ = ["world"]

# Voter 4's answers go through step `a`, everyone else's through `b`: which ones the script accepts for a
# voter says whether their first name is '=CMD|4' (the fixture's names are '=CMD|<n>').
ORACLE = """
id: oracle
title: Oracle
start: intro
steps:
  intro:
    text: "Hi"
    next:
      - {when: "contact.first_name == '=CMD|4'", goto: a}
      - {goto: b}
  a:
    text: "A"
    question: qa
    choices:
      - {label: "Yes", value: "yes", result: contacted}
  b:
    text: "B"
    question: qb
    choices:
      - {label: "Yes", value: "yes", result: contacted}
"""


def _refusals(world: World, batch_id: str, contact_id: str) -> list[tuple[int, str]]:  # noqa: F811
    out = []
    for answers in ({"qa": "yes"}, {"qb": "yes"}, {"nothing": "x"}):
        body = {"contact_id": contact_id, "result": "contacted", "answers": answers, "idempotency_key": "k"}
        r = world.client.post(f"/api/batches/{batch_id}/results", json=body, headers=world.volunteer)
        out.append((r.status_code, r.json()["error"]["code"]))
    body = {"contact_id": contact_id, "result": "call_back", "call_back_at": "2026-11-26T04:00:00Z"}
    r = world.client.post(f"/api/batches/{batch_id}/results", json=body, headers=world.volunteer)
    out.append((r.status_code, r.json()["error"]["code"]))
    return out


def test_a_result_for_a_voter_outside_ones_batch_tells_nothing_of_the_voter(world: World) -> None:  # noqa: F811
    r = world.client.post(
        "/api/scripts", content=ORACLE, headers={**ADMIN, "Content-Type": "application/yaml"}
    )
    assert r.status_code == 201, r.text
    assert (
        world.client.patch("/api/campaigns/dc", json={"script_id": "oracle"}, headers=ADMIN).status_code
        == 200
    )
    _, mine = take(world, world.volunteer)  # two of the five voters
    _, theirs = take(world, world.other)  # two more; one is nobody's
    held = {c["id"] for c in mine["contacts"]}
    others = [str(i) for i in range(1, 8) if str(i) not in held]  # two ids beyond the list's five
    seen = {cid: _refusals(world, mine["id"], cid) for cid in others}
    refused = [(409, "not_in_batch")] * 4
    assert seen == dict.fromkeys(others, refused), seen
    # Their own voters are still checked against the script as before.
    own = mine["contacts"][0]["id"]
    body = {"contact_id": own, "result": "contacted", "answers": {"nothing": "x"}, "idempotency_key": "k"}
    r = world.client.post(f"/api/batches/{mine['id']}/results", json=body, headers=world.volunteer)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_answers", r.text
    # Another volunteer's batch is theirs, whatever the voter.
    body = {"contact_id": theirs["contacts"][0]["id"], "result": "contacted", "answers": {"nothing": "x"}}
    r = world.client.post(f"/api/batches/{theirs['id']}/results", json=body, headers=world.volunteer)
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_holder", r.text
