"""Recording with consent, pure: the all-party consent states, the disclosure-then-record order, the
whisper TwiML, retention and expiry."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.recording_consent import (
    ALL_PARTY_STATES,
    DAY,
    RecordingSteps,
    Step,
    expires_at,
    is_expired,
    needs_all_party_consent,
    retention_problems,
)
from dialer.telephony.recording import disclosure_twiml
from dialer.telephony.twiml import dial_twiml

START = "https://dialer.example.org/twilio/recording/start?campaign_id=dc&contact_id=7"


def test_the_all_party_consent_states() -> None:
    codes = [s.code for s in ALL_PARTY_STATES]
    assert sorted(codes) == sorted(
        ["CA", "CT", "DE", "FL", "IL", "MD", "MA", "MI", "MT", "NV", "NH", "OR", "PA", "WA"]
    )
    assert len(set(codes)) == len(codes)
    assert [s.name for s in ALL_PARTY_STATES] == sorted(s.name for s in ALL_PARTY_STATES)  # as listed
    by_code = {s.code: s for s in ALL_PARTY_STATES}
    assert "one-party for phone calls" in by_code["OR"].note  # the list's qualifications are kept
    assert needs_all_party_consent("ca") and needs_all_party_consent(" WA ")
    assert (
        not needs_all_party_consent("NY")
        and not needs_all_party_consent("")
        and not needs_all_party_consent("C")
    )


@given(st.lists(st.sampled_from(list(Step)), max_size=8))
def test_recording_starts_once_and_never_before_the_disclosure(steps: list[Step]) -> None:
    state, started = RecordingSteps(), 0
    for step in steps:
        if step is Step.STARTED:
            if not state.disclosed:
                with pytest.raises(ValueError):
                    state.after(step)
                continue
            started += state.may_start()
        state = state.after(step)
    first_disclosure = steps.index(Step.DISCLOSED) if Step.DISCLOSED in steps else len(steps)
    assert started == (1 if Step.STARTED in steps[first_disclosure:] else 0)


def test_the_whisper_says_the_disclosure_then_asks_to_start_recording() -> None:
    root = ET.fromstring(disclosure_twiml("This call is recorded.", START))
    assert [(c.tag, c.text) for c in root] == [("Say", "This call is recorded."), ("Redirect", START)]
    assert root[1].get("method") == "POST"


def test_the_preview_dial_carries_the_whisper_only_when_recording() -> None:
    callback = "https://dialer.example.org/twilio/status"
    whisper = "https://dialer.example.org/twilio/recording/disclose?campaign_id=dc&contact_id=7"
    number = ET.fromstring(dial_twiml("+12025550142", "+12025550100", callback, whisper_url=whisper))[0][0]
    assert number.tag == "Number" and number.get("url") == whisper and number.get("method") == "POST"
    plain = ET.fromstring(dial_twiml("+12025550142", "+12025550100", callback))[0][0]
    assert plain.get("url") is None
    assert ET.fromstring(dial_twiml("+12025550142", "+12025550100", callback))[0].get("record") is None


@given(st.floats(min_value=0, max_value=4e9), st.integers(min_value=1, max_value=365))
def test_a_recording_expires_exactly_after_its_retention(created: float, days: int) -> None:
    assert expires_at(created, days) == created + days * DAY
    assert not is_expired(created, days, created)
    assert not is_expired(created, days, created + days * DAY - 1)
    assert is_expired(created, days, created + days * DAY)


@pytest.mark.parametrize(("value", "ok"), [(1, True), (30, True), (365, True), (0, False), (366, False),
                                           (True, False), ("30", False), (2.5, False)])  # fmt: skip
def test_retention_is_a_whole_number_of_days(value: object, ok: bool) -> None:
    assert (retention_problems(value) == []) is ok
