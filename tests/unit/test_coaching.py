"""The coaching rules (pure): who may coach whom, the mode transitions, the Participant fields sent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.coaching import (
    CoachError,
    CoachMode,
    JoinCoach,
    Step,
    coach_address,
    coach_notice,
    may_coach,
    mode_form,
    next_step,
    parse_mode,
    session_seconds,
)
from dialer.models import Role

LEG = "CA" + "b" * 32
teams = st.one_of(st.none(), st.sampled_from(["t1", "t2"]))
people = st.sampled_from(["u1", "u2", "u3"])
modes = st.sampled_from(list(CoachMode))


@pytest.mark.parametrize(
    ("role", "leader_of", "volunteer_team", "allowed"),
    [
        (Role.ADMIN, None, None, True),
        (Role.ORGANIZER, None, "t1", True),
        (Role.LEADER, "t1", "t1", True),
        (Role.LEADER, "t1", "t2", False),
        (Role.LEADER, "t1", None, False),
        (Role.LEADER, None, None, False),  # a leader without a team matches no teamless volunteer
        (Role.VOLUNTEER, "t1", "t1", False),
    ],
)
def test_who_may_coach_whom(
    role: Role, leader_of: str | None, volunteer_team: str | None, allowed: bool
) -> None:
    assert may_coach(role, "coach", "vol", leader_of, volunteer_team) is allowed


@given(st.sampled_from(list(Role)), people, teams, teams)
def test_nobody_coaches_their_own_call_and_only_leaders_and_up_coach(
    role: Role, who: str, leader_of: str | None, team: str | None
) -> None:
    assert not may_coach(role, who, who, leader_of, team)
    if may_coach(role, who, "someone else", leader_of, team):
        assert role.includes(Role.ORGANIZER) or (role is Role.LEADER and leader_of == team is not None)


@given(st.lists(st.tuples(people, modes, st.booleans()), max_size=30))
def test_one_coach_at_a_time_through_any_sequence(requests: list[tuple[str, CoachMode, bool]]) -> None:
    """A model of the API over the rules: joins, switches, repeats and leaves in any order."""
    session: tuple[str, CoachMode] | None = None
    for who, mode, leaves in requests:
        if leaves:
            if session is not None and session[0] == who:
                session = None
            continue
        try:
            step = next_step(session[1] if session else None, session[0] if session else None, who, mode)
        except CoachError as exc:
            assert (
                session is not None and session[0] != who and exc.status == 409 and exc.code == "coach_busy"
            )
            continue
        assert step is (Step.JOIN if session is None else Step.SAME if session[1] is mode else Step.SWITCH)
        session = (who, mode)


def test_modes_and_addresses_are_validated() -> None:
    assert parse_mode("barge") is CoachMode.BARGE
    for bad in ("whisper", None, 1, "LISTEN"):
        with pytest.raises(CoachError) as caught:
            parse_mode(bad)
        assert caught.value.status == 422
    assert coach_address(None, "u1") == "client:u1"
    assert coach_address("+12025550142", "u1") == "+12025550142"
    for bad in ("2025550142", "+1 202 555 0142", 12025550142, "client:u2"):
        with pytest.raises(CoachError):
            coach_address(bad, "u1")


@given(modes)
def test_every_mode_sets_muted_and_coaching_so_a_switch_undoes_the_last(mode: CoachMode) -> None:
    form = dict(mode_form(mode, LEG))
    assert form["Muted"] == ("true" if mode is CoachMode.LISTEN else "false")
    assert form["Coaching"] == ("true" if mode is CoachMode.COACH else "false")
    assert ("CallSidToCoach" in form) is (mode is CoachMode.COACH)


def test_the_join_form() -> None:
    join = JoinCoach("dialer-dc-u9", "+12025550142", "+12025550199", CoachMode.COACH, LEG, "https://x/cb")
    form = join.form()
    assert form[:2] == [("From", "+12025550199"), ("To", "+12025550142")]
    assert dict(form)["EndConferenceOnExit"] == "false" and dict(form)["StartConferenceOnEnter"] == "false"
    assert [v for k, v in form if k == "StatusCallbackEvent"] == ["answered", "completed"]
    assert dict(form)["CallSidToCoach"] == LEG


def test_the_pages_message_and_the_audits_duration() -> None:
    published = {"type": "coach", "volunteer": "u9", "mode": "listen", "by": "Org", "to": "+12025550142"}
    assert coach_notice(published) == {"type": "coach", "mode": "listen", "by": "Org"}
    assert coach_notice({"type": "coach", "mode": "bogus"})["mode"] is None
    assert session_seconds(100.0, 190.04) == 90.0 and session_seconds(100.0, 90.0) == 0.0
