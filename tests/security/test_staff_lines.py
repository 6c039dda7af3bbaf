"""Calls the campaign pays for to a number a person typed: a leader's "coach phone" or an organizer's
transfer target on a premium-rate or foreign line (well-formed E.164 is not enough), and a coach phone rung
again and again by Join, Leave, Join..."""

from __future__ import annotations

import pytest

from dialer.staff_lines import staff_line_problem
from dialer.web.api_coach import COACH_PHONE_CALLS, coach_phone_count
from tests.conftest import ADMIN
from tests.integration.test_coaching import World as CoachWorld
from tests.integration.test_coaching import coach_url, participant_requests
from tests.integration.test_coaching import world as coach_world  # noqa: F401 (the fixture)
from tests.stores import open_store

# Premium rate (+1 900), the Caribbean inside the +1 plan (the "one ring" scam's favourite), abroad, a
# satellite service: every one a well-formed E.164 number.
COSTLY = ["+19002345678", "+18765550142", "+442079460958", "+88213000000"]


@pytest.mark.parametrize("phone", COSTLY)
def test_a_coach_phone_is_a_home_line(coach_world: CoachWorld, phone: str) -> None:  # noqa: F811
    w = coach_world
    r = w.client.post(coach_url(w), json={"mode": "listen", "phone": phone}, headers=w.leader)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["path"] == "phone"
    assert participant_requests(w) == []  # nothing dialed
    assert w.client.get(coach_url(w), headers=w.leader).json()["joined"] is False  # nothing claimed


@pytest.mark.parametrize("phone", COSTLY)
def test_a_transfer_target_is_a_home_line(coach_world: CoachWorld, phone: str) -> None:  # noqa: F811
    w = coach_world
    r = w.client.patch("/api/campaigns/dc", json={"transfer_targets": [{"name": "Desk", "phone": phone}]},
                       headers=ADMIN)  # fmt: skip
    assert r.status_code == 422, r.text
    assert r.json()["error"]["details"][0]["path"] == "transfer_targets[0].phone"
    assert w.client.get("/api/campaigns/dc", headers=ADMIN).json()["transfer_targets"] == []


def test_staff_lines_at_home_pass() -> None:
    for phone in ("+12025550142", "+14165550142", "+18005550142", "+17875550142"):
        assert staff_line_problem(phone) is None, phone
    for bad in (*COSTLY, "12025550142", "+1202555014", "+12025550142;ext=1", None, 12025550142):
        assert staff_line_problem(bad) is not None, bad


def test_a_coach_phone_is_not_rung_without_end(coach_world: CoachWorld) -> None:  # noqa: F811
    w = coach_world
    r = w.client.post(coach_url(w), json={"mode": "listen", "phone": "+12025550142"}, headers=w.leader)
    assert r.status_code == 201, r.text
    assert w.client.delete(coach_url(w), headers=w.leader).status_code == 204
    leader_id = r.json()["coach"]
    store = open_store(w.url)  # the rest of the hour's lines, as if placed one by one
    assert int(store.get(coach_phone_count(leader_id, w.clock[0]))) == 1
    store.set(coach_phone_count(leader_id, w.clock[0]), COACH_PHONE_CALLS)
    placed = len(participant_requests(w))
    r = w.client.post(coach_url(w), json={"mode": "listen", "phone": "+12025550142"}, headers=w.leader)
    assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_coach_calls", r.text
    assert len(participant_requests(w)) == placed  # nothing dialed
    assert w.client.get(coach_url(w), headers=w.leader).json()["joined"] is False  # nothing claimed
    # The browser is still reachable, and another coach's count is their own.
    r = w.client.post(coach_url(w), json={"mode": "listen"}, headers=w.leader)
    assert r.status_code == 201, r.text
    assert w.client.delete(coach_url(w), headers=w.leader).status_code == 204
    r = w.client.post(coach_url(w), json={"mode": "listen", "phone": "+12025550143"}, headers=w.organizer)
    assert r.status_code == 201, r.text
    assert w.client.delete(coach_url(w), headers=w.organizer).status_code == 204
    w.clock[0] += 3600  # the next hour of the clock
    r = w.client.post(coach_url(w), json={"mode": "listen", "phone": "+12025550142"}, headers=w.leader)
    assert r.status_code == 201, r.text
