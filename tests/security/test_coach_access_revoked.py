"""Finding (attacker's probe, as a team leader): a coach kept listening after their access was taken away.
An admin demoting a team leader to volunteer, or an organizer disabling a coach's account, ended their
sockets and tokens but not their coaching session: their phone stayed in the volunteer's conference, where
in power and predictive modes every voter of the call day is bridged, until they hung up themselves, and
the roster still named them as the coach. Now the session ends and the coach's line is hung up (audit
reason `access changed`); a change that still allows coaching (a leader made organizer) leaves it be."""

from __future__ import annotations

from tests.conftest import ADMIN
from tests.integration.test_coaching import COACH_PHONE, World, audit_log, coach_url, world

__all__ = ["world"]


def _id(w: World, headers: dict[str, str]) -> str:
    return str(w.client.get("/api/me", headers=headers).json()["user"]["id"])


def _listen(w: World, headers: dict[str, str]) -> str:
    r = w.client.post(coach_url(w), json={"mode": "listen", "phone": COACH_PHONE}, headers=headers)
    assert r.status_code == 201, r.text
    (_, coach_sid), *_ = w.standin.participants
    return str(coach_sid)


def _assert_hung_up(w: World, coach_sid: str) -> None:
    assert w.client.get(coach_url(w), headers=ADMIN).json()["mode"] is None
    hangups = [r for r in w.standin.requests if r.path.endswith(f"/Calls/{coach_sid}.json")]
    assert [r.get("Status") for r in hangups] == ["completed"]
    left = audit_log(w)[-1]
    assert left["action"] == "coach_leave" and left["detail"]["reason"] == "access changed", left


def test_a_leader_demoted_to_volunteer_stops_listening(world: World) -> None:  # noqa: F811
    w = world
    coach_sid = _listen(w, w.leader)
    r = w.client.put(f"/api/users/{_id(w, w.leader)}/role", json={"role": "volunteer"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    _assert_hung_up(w, coach_sid)


def test_a_disabled_organizer_stops_listening(world: World) -> None:  # noqa: F811
    w = world
    coach_sid = _listen(w, w.organizer)
    r = w.client.put(f"/api/users/{_id(w, w.organizer)}/disabled", json={"disabled": True}, headers=ADMIN)
    assert r.status_code == 200, r.text
    _assert_hung_up(w, coach_sid)


def test_an_organizer_made_a_leader_of_another_team_stops_listening(world: World) -> None:  # noqa: F811
    w = world
    coach_sid = _listen(w, w.organizer)
    r = w.client.put(f"/api/users/{_id(w, w.organizer)}/role", json={"role": "leader"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    _assert_hung_up(w, coach_sid)


def test_a_change_that_still_allows_coaching_leaves_the_session(world: World) -> None:  # noqa: F811
    w = world
    _listen(w, w.leader)
    r = w.client.put(f"/api/users/{_id(w, w.leader)}/role", json={"role": "organizer"}, headers=ADMIN)
    assert r.status_code == 200, r.text
    r = w.client.put(
        f"/api/users/{_id(w, w.outsider_leader)}/disabled", json={"disabled": True}, headers=ADMIN
    )
    assert r.status_code == 200, r.text  # somebody else's account
    assert w.client.get(coach_url(w), headers=ADMIN).json()["mode"] == "listen"
    assert not [r for r in w.standin.requests if r.get("Status") == "completed"]
    assert [e["action"] for e in audit_log(w)] == ["coach_join"]
