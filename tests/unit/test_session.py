"""The sans-I/O call session: messages in, messages (and record decisions) out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialer.scripts import Script, load_script
from dialer.session import CallSession, Presence, RecordResult, Reply

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BATCH = {
    "c1": {"id": "c1", "first_name": "Ann", "phone": "+12025550142", "fields": {"street": "Elm St"}},
    "c2": {"id": "c2", "first_name": "Bo", "phone": "+13125550101", "fields": {}},
}


@pytest.fixture(scope="module")
def gotv() -> Script:
    return load_script((EXAMPLES / "gotv.yaml").read_bytes(), "application/yaml").script


@pytest.fixture
def session(gotv: Script) -> CallSession:
    return CallSession(gotv, 3, BATCH)


def only(reply: Reply) -> dict[str, Any]:
    assert reply.record is None
    assert len(reply.messages) == 1
    message = reply.messages[0]
    json.dumps(message)  # every message must be JSON-able as is
    return message


def test_branching_walk_with_conditional_rule_and_finish(session: CallSession) -> None:
    step = only(session.receive({"type": "start", "contact_id": "c1"}))
    assert step["type"] == "step" and step["contact_id"] == "c1"
    assert step["step"]["id"] == "intro" and "Ann" in step["step"]["text"]
    assert only(session.receive({"type": "answer", "step": "intro", "choice": 0}))["step"]["id"] == "support"
    assert (
        only(session.receive({"type": "answer", "step": "support", "choice": 1}))["step"]["input"] == "number"
    )
    persuade = only(session.receive({"type": "answer", "step": "household", "value": "2"}))
    assert persuade["step"]["id"] == "persuade"
    assert only(session.receive({"type": "answer", "step": "persuade", "choice": 0}))["step"]["id"] == "plan"
    thanks = only(session.receive({"type": "answer", "step": "plan", "choice": 0}))["step"]
    assert thanks == {"id": "thanks", "text": thanks["text"], "choices": [], "input": None}
    done = only(session.receive({"type": "answer", "step": "thanks"}))
    answers = {
        "intro": "Speaking",
        "support": "undecided",
        "household_voters": 2,
        "persuaded": "leaning_yes",
        "vote_time": "morning",
    }
    assert done == {"type": "done", "contact_id": "c1", "result": "contacted", "answers": answers}
    reply = session.receive({"type": "finish", "contact_id": "c1", "notes": "nice", "idempotency_key": "k-1"})
    assert reply.messages == ()
    assert reply.record == RecordResult("c1", "contacted", answers, "nice", "k-1", 3)  # type: ignore[arg-type]
    assert only(session.recorded("c1")) == {"type": "recorded", "contact_id": "c1"}
    assert only(session.receive({"type": "answer", "step": "thanks"}))["code"] == "no_call"
    assert only(session.receive({"type": "start", "contact_id": "c1"}))["code"] == "already_completed"


def test_back_goes_to_the_previous_step_and_drops_later_answers(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c1"})
    session.receive({"type": "answer", "step": "intro", "choice": 0})
    session.receive({"type": "answer", "step": "support", "choice": 0})
    support = only(session.receive({"type": "back"}))
    assert support["step"]["id"] == "support" and support["can_go_back"] is True
    intro = only(session.receive({"type": "back"}))
    assert intro["step"]["id"] == "intro" and intro["can_go_back"] is False
    assert only(session.receive({"type": "back"}))["code"] == "at_start"
    assert session.to_state()["answers"] == {}


def test_choice_with_result_gives_done_at_once(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c2"})
    done = only(session.receive({"type": "answer", "step": "intro", "choice": 2}))
    assert done["type"] == "done" and done["result"] == "wrong_number"


def test_finish_before_the_end_needs_a_result(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c2"})
    assert (
        only(session.receive({"type": "finish", "contact_id": "c2", "idempotency_key": "k"}))["code"]
        == "not_done"
    )
    reply = session.receive(
        {"type": "finish", "contact_id": "c2", "idempotency_key": "k", "result": "no_answer"}
    )
    assert reply.record is not None and reply.record.result == "no_answer" and reply.record.notes == ""


@pytest.mark.parametrize(
    ("result", "kept"),
    [
        ("no_answer", False),
        ("busy", False),
        ("voicemail", False),
        ("disconnected", False),
        ("refused", True),
        ("call_back", True),
    ],
)
def test_answers_clicked_while_it_rang_are_not_recorded_when_nobody_talked(
    session: CallSession, result: str, kept: bool
) -> None:
    session.receive({"type": "start", "contact_id": "c1"})
    session.receive({"type": "answer", "step": "intro", "choice": 0})
    session.receive({"type": "answer", "step": "support", "choice": 0})
    reply = session.receive({"type": "finish", "contact_id": "c1", "idempotency_key": "k", "result": result})
    assert reply.record is not None
    expected = {"intro": "Speaking", "support": "yes"} if kept else {}
    assert reply.record.answers == expected


def test_finish_conflicting_with_the_scripts_result(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c2"})
    session.receive({"type": "answer", "step": "intro", "choice": 1})
    message = {"type": "finish", "contact_id": "c2", "idempotency_key": "k", "result": "busy"}
    assert only(session.receive(message))["code"] == "bad_result"


def test_record_failure_keeps_the_call_so_finish_can_be_retried(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c2"})
    session.receive({"type": "answer", "step": "intro", "choice": 1})
    finish = {"type": "finish", "contact_id": "c2", "idempotency_key": "k"}
    assert session.receive(finish).record is not None
    failed = only(session.record_failed("lease_expired", "your batch expired"))
    assert failed == {"type": "error", "code": "lease_expired", "message": "your batch expired"}
    assert session.receive(finish).record is not None


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("hello", "bad_message"),
        ([1, 2], "bad_message"),
        # A message without a type is malformed, not one of an unknown kind (API.md: "anything malformed").
        ({}, "bad_message"),
        ({"notype": 1}, "bad_message"),
        ({"type": None}, "bad_message"),
        ({"type": ""}, "bad_message"),
        ({"type": 5}, "bad_message"),
        ({"type": "dance"}, "unknown_type"),
        ({"type": "start"}, "bad_message"),
        ({"type": "start", "contact_id": 7}, "bad_message"),
        ({"type": "start", "contact_id": "c99"}, "not_in_batch"),
        ({"type": "answer", "step": "intro", "choice": 0}, "no_call"),
        ({"type": "back"}, "no_call"),
        ({"type": "finish", "contact_id": "c1", "idempotency_key": "k"}, "no_call"),
    ],
)
def test_malformed_messages_give_errors_and_the_session_goes_on(
    session: CallSession, message: Any, code: str
) -> None:
    error = only(session.receive(message))
    assert error["type"] == "error" and error["code"] == code and error["message"]
    assert only(session.receive({"type": "start", "contact_id": "c1"}))["type"] == "step"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ({"type": "answer", "step": "support", "choice": 0}, "wrong_step"),
        ({"type": "answer", "choice": 0}, "bad_message"),
        ({"type": "answer", "step": "intro", "choice": 9}, "bad_choice"),
        ({"type": "answer", "step": "intro", "value": "Speaking"}, "bad_choice"),
        ({"type": "finish", "contact_id": "c2", "idempotency_key": "k"}, "wrong_contact"),
        ({"type": "finish", "contact_id": "c1"}, "bad_message"),
        ({"type": "finish", "contact_id": "c1", "idempotency_key": "k", "notes": 5}, "bad_message"),
        ({"type": "finish", "contact_id": "c1", "idempotency_key": "k", "notes": "\ud800"}, "bad_message"),
        ({"type": "finish", "contact_id": "c1", "idempotency_key": "k", "notes": "a\x00b"}, "bad_message"),
        ({"type": "finish", "contact_id": "c1", "idempotency_key": "k", "result": "yay"}, "bad_result"),
        # JSON arrays and objects where text belongs (a set lookup raised TypeError and closed the socket).
        ({"type": "finish", "contact_id": "c1", "idempotency_key": "k", "result": ["busy"]}, "bad_result"),
        ({"type": "finish", "contact_id": "c1", "idempotency_key": "k", "result": {"a": 1}}, "bad_result"),
    ],
)
def test_bad_messages_during_a_call(session: CallSession, message: Any, code: str) -> None:
    session.receive({"type": "start", "contact_id": "c1"})
    assert only(session.receive(message))["code"] == code
    assert only(session.receive({"type": "answer", "step": "intro", "choice": 0}))["step"]["id"] == "support"


def test_non_json_input_goes_through_malformed(session: CallSession) -> None:
    assert only(session.malformed())["code"] == "bad_message"


def test_call_status_only_for_contacts_in_the_batch(session: CallSession) -> None:
    assert only(session.call_status("c1", "ringing")) == {
        "type": "call_status",
        "contact_id": "c1",
        "status": "ringing",
    }
    assert session.call_status("c99", "ringing") == Reply()


def test_resume_from_state_at_the_same_step(gotv: Script, session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c1"})
    session.receive({"type": "answer", "step": "intro", "choice": 0})
    session.receive({"type": "answer", "step": "support", "choice": 1})
    session.receive({"type": "answer", "step": "household", "value": "4"})
    state = json.loads(json.dumps(session.to_state()))
    assert state["step"] == "persuade" and state["answers"]["household_voters"] == 4
    resumed = CallSession.from_state(gotv, 3, BATCH, state)
    step = only(resumed.resume())
    assert step["step"]["id"] == "persuade" and step["contact_id"] == "c1"
    assert only(resumed.receive({"type": "back"}))["step"]["id"] == "household"


def test_resume_a_finished_call_shows_done_again(gotv: Script, session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c2"})
    session.receive({"type": "answer", "step": "intro", "choice": 1})
    session.recorded("c1")
    resumed = CallSession.from_state(gotv, 3, BATCH, session.to_state())
    assert only(resumed.resume())["type"] == "done"
    assert resumed.completed == {"c1"}


@pytest.mark.parametrize(
    "state",
    [
        None,
        "junk",
        {"contact_id": "c1", "history": [["intro", "Nope"]]},
        {"contact_id": "c1", "history": [["gone", None]]},
        {"contact_id": "c1", "history": [[1]]},
        {"contact_id": "c1", "history": "x"},
        {"contact_id": "c1", "history": [["intro", "Speaking"]], "step": "plan"},
        {"contact_id": "c99", "history": []},
    ],
)
def test_damaged_or_outdated_state_starts_afresh(gotv: Script, state: Any) -> None:
    resumed = CallSession.from_state(gotv, 3, BATCH, state)
    assert resumed.resume() == Reply()
    assert only(resumed.receive({"type": "start", "contact_id": "c1"}))["step"]["id"] == "intro"


def test_a_repeated_start_resumes_and_another_contact_starts_afresh(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c1"})
    session.receive({"type": "answer", "step": "intro", "choice": 0})
    assert only(session.receive({"type": "start", "contact_id": "c1"}))["step"]["id"] == "support"
    assert only(session.receive({"type": "start", "contact_id": "c2"}))["step"]["id"] == "intro"


def test_a_new_batch_drops_a_call_on_a_contact_no_longer_held(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c1"})
    session.set_contacts({"c2": BATCH["c2"]})
    assert session.resume() == Reply()
    assert only(session.receive({"type": "back"}))["code"] == "no_call"


MESSAGES = st.one_of(
    st.fixed_dictionaries({"type": st.just("start"), "contact_id": st.sampled_from(["c1", "c2", "c3", 5])}),
    st.fixed_dictionaries(
        {
            "type": st.just("answer"),
            "step": st.sampled_from(["intro", "support", "household", "persuade", "plan", "thanks", "x"]),
        },
        optional={
            "choice": st.one_of(st.integers(-1, 6), st.booleans(), st.text(max_size=2)),
            "value": st.one_of(st.integers(), st.text(max_size=5), st.none(), st.floats()),
        },
    ),
    st.just({"type": "back"}),
    st.fixed_dictionaries(
        {"type": st.just("finish"), "contact_id": st.sampled_from(["c1", "c2"])},
        optional={
            "idempotency_key": st.text(max_size=3),
            "notes": st.one_of(st.text(max_size=5), st.integers()),
            "result": st.one_of(
                st.sampled_from(["no_answer", "contacted", "bogus"]), st.lists(st.integers(), max_size=1)
            ),
        },
    ),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.integers(),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(MESSAGES, max_size=25))
def test_any_message_sequence_gets_typed_json_replies_and_state_round_trips(
    gotv: Script, messages: list[Any]
) -> None:
    session = CallSession(gotv, 1, BATCH)
    for message in messages:
        reply = session.receive(message)
        for out in reply.messages:
            assert out["type"] in {"step", "done", "error"}
            json.dumps(out)
        if reply.record is not None:
            assert reply.record.contact_id == session.contact_id
            session.recorded(reply.record.contact_id)
        state = json.loads(json.dumps(session.to_state()))
        assert CallSession.from_state(gotv, 1, BATCH, state).resume() == session.resume()


def test_without_a_call_placed_the_script_walks_as_api_md_says(gotv: Script) -> None:
    """API.md's call socket: start, then answer gives the next step. A client that places no call through
    the dialer (an integration, a test of the contract) is not told to wait for a voter who never comes."""
    session = CallSession(gotv, 1, BATCH, requires_connection=True)
    session.receive({"type": "start", "contact_id": "c1"})
    step = only(session.receive({"type": "answer", "step": "intro", "choice": 0}))
    assert step["type"] == "step" and step["step"]["id"] == "support"


def test_no_answers_before_the_voter_is_on_the_line(gotv: Script) -> None:
    session = CallSession(gotv, 1, BATCH, requires_connection=True)
    session.receive({"type": "start", "contact_id": "c1"})
    answer = {"type": "answer", "step": "intro", "choice": 0}
    session.call_status("c1", "queued", "CA1")
    assert only(session.receive(answer))["code"] == "not_connected"  # placed: nobody on the line yet
    session.call_status("c1", "ringing", "CA1")
    assert only(session.receive(answer))["code"] == "not_connected"  # ringing: nobody to talk to
    session.call_status("c1", "no-answer", "CA1")
    assert only(session.receive(answer))["code"] == "not_connected"
    # "Not home" stays possible through finish with a result (the no-answer path).
    decision = session.receive(
        {"type": "finish", "contact_id": "c1", "idempotency_key": "k", "result": "no_answer"}
    )
    assert decision.record is not None and decision.record.answers == {}
    # A redial that is answered opens the script, even if the first call's last callback comes late.
    session.call_status("c1", "ringing", "CA2")
    session.call_status("c1", "in-progress", "CA2")
    session.call_status("c1", "completed", "CA1")
    assert only(session.receive(answer))["step"]["id"] == "support"
    # The voter hung up mid-survey: what they said may still be noted.
    session.call_status("c1", "completed", "CA2")
    assert only(session.receive({"type": "answer", "step": "support", "choice": 2}))["type"] != "error"


def test_a_bridged_voter_is_on_the_line_and_survives_a_reconnect(gotv: Script) -> None:
    session = CallSession(gotv, 1, BATCH, requires_connection=True)
    assert only(session.bridged("c2", "CA9"))["step"]["id"] == "intro"
    state = json.loads(json.dumps(session.to_state()))
    again = CallSession.from_state(gotv, 1, BATCH, state, requires_connection=True)
    assert only(again.receive({"type": "answer", "step": "intro", "choice": 0}))["step"]["id"] == "support"
    assert CallSession(gotv, 1, BATCH).line("c2") is None  # without the state, nothing is known


def test_without_a_carrier_answers_need_no_call(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c1"})
    assert only(session.receive({"type": "answer", "step": "intro", "choice": 0}))["step"]["id"] == "support"


def test_a_call_back_time_is_parsed_and_kept_only_for_a_call_back(session: CallSession) -> None:
    session.receive({"type": "start", "contact_id": "c1"})
    finish = {"type": "finish", "contact_id": "c1", "idempotency_key": "k", "result": "call_back"}
    bad = session.receive({**finish, "call_back_at": "tomorrow evening"})
    assert only(bad)["code"] == "bad_message" and "ISO 8601" in only(bad)["message"]
    good = session.receive({**finish, "call_back_at": "2026-12-07T18:00:00-05:00"})
    assert good.record is not None and good.record.call_back_at == 1796684400.0
    other = session.receive({**finish, "result": "no_answer", "call_back_at": "2026-12-07T18:00:00-05:00"})
    assert other.record is not None and other.record.call_back_at is None


def test_a_raised_hand_and_the_page_going_away_are_for_the_roster(session: CallSession) -> None:
    raised = session.receive({"type": "hand", "raised": True})
    assert raised.messages == ({"type": "hand", "raised": True},) and raised.presence == Presence(hand=True)
    assert session.receive({"type": "presence", "away": True}).presence == Presence(away=True)
    assert only(session.receive({"type": "hand", "raised": "yes"}))["code"] == "bad_message"
    assert only(session.receive({"type": "presence"}))["code"] == "bad_message"


def test_a_retry_in_a_new_batch_can_be_called_again(gotv: Script) -> None:
    session = CallSession(gotv, 1, BATCH, batch="b1")
    session.receive({"type": "start", "contact_id": "c1"})
    decision = session.receive(
        {"type": "finish", "contact_id": "c1", "idempotency_key": "k", "result": "no_answer"}
    )
    assert decision.record is not None
    session.recorded("c1")
    assert only(session.receive({"type": "start", "contact_id": "c1"}))["code"] == "already_completed"
    session.set_contacts(BATCH, "b1")  # the same batch, renewed: still done
    assert only(session.receive({"type": "start", "contact_id": "c1"}))["code"] == "already_completed"
    state = json.loads(json.dumps(session.to_state()))
    session.set_contacts(BATCH, "b2")  # the retry came back in a new batch
    assert only(session.receive({"type": "start", "contact_id": "c1"}))["type"] == "step"
    assert CallSession.from_state(gotv, 1, BATCH, state, batch="b1").completed == {"c1"}
    assert CallSession.from_state(gotv, 1, BATCH, state, batch="b2").completed == set()
