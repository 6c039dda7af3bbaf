from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.telephony import forms, twiml
from dialer.telephony.base import AnsweredBy, CallStatus, EventKind, MalformedWebhook

SID = "CA" + "0123456789abcdef" * 2
PARENT = "CA" + "fedcba9876543210" * 2
ACCOUNT = "AC" + "ab" * 16


def test_parse_voice_takes_identity_from_the_client_leg() -> None:
    form = {"CallSid": SID, "From": "client:vol-42", "AccountSid": ACCOUNT, "contact_id": " k7 ", "To": ""}
    request = forms.parse_voice(form)
    assert (request.call_sid, request.identity, request.contact_id) == (SID, "vol-42", "k7")
    assert request.account_sid == ACCOUNT
    assert request.params["From"] == "client:vol-42"


def test_parse_voice_from_a_phone_has_no_identity() -> None:
    request = forms.parse_voice({"CallSid": SID, "From": "+12025550142"})
    assert request.identity is None and request.contact_id is None


def test_parse_voice_needs_a_call_sid() -> None:
    with pytest.raises(MalformedWebhook):
        forms.parse_voice({"From": "client:vol-42"})


def test_parse_status_reads_a_completed_callback() -> None:
    form = {
        "CallSid": SID,
        "ParentCallSid": PARENT,
        "AccountSid": ACCOUNT,
        "CallStatus": "completed",
        "CallDuration": "73",
        "SequenceNumber": "3",
        "Timestamp": "Wed, 25 Nov 2026 13:10:56 +0000",
        "To": "+12025550142",
        "From": "+13125550101",
        "AnsweredBy": "human",
    }
    event = forms.parse_status(form, {"campaign_id": "gotv", "contact_id": "k7"})
    assert event.status is CallStatus.COMPLETED and event.kind is EventKind.STATUS
    assert (event.call_sid, event.parent_call_sid, event.duration, event.sequence_number) == (
        SID,
        PARENT,
        73,
        3,
    )
    assert event.timestamp == datetime.datetime(2026, 11, 25, 13, 10, 56, tzinfo=datetime.UTC).timestamp()
    assert (event.campaign_id, event.contact_id) == ("gotv", "k7")
    assert (event.to, event.from_, event.answered_by) == ("+12025550142", "+13125550101", AnsweredBy.HUMAN)


def test_parse_status_tolerates_what_twilio_leaves_out() -> None:
    event = forms.parse_status({"CallSid": SID, "CallStatus": "ringing"})
    assert event.status is CallStatus.RINGING
    assert event.sequence_number is None and event.duration is None and event.timestamp is None
    assert event.contact_id is None and event.parent_call_sid is None


@pytest.mark.parametrize(
    "form",
    [
        {"CallSid": SID, "CallStatus": "answered"},  # an event name, not a status
        {"CallSid": SID},
        {"CallSid": "CA123", "CallStatus": "ringing"},
        {"CallSid": SID, "CallStatus": "ringing", "SequenceNumber": "one"},
    ],
)
def test_parse_status_rejects_malformed_forms(form: dict[str, str]) -> None:
    with pytest.raises(MalformedWebhook):
        forms.parse_status(form)


def test_parse_amd_reads_the_verdict() -> None:
    form = {
        "CallSid": SID,
        "AccountSid": ACCOUNT,
        "AnsweredBy": "machine_end_beep",
        "MachineDetectionDuration": "4100",
    }
    event = forms.parse_amd(form, {"contact_id": "k7"})
    assert event.kind is EventKind.AMD and event.status is None
    assert event.answered_by is AnsweredBy.MACHINE_END_BEEP and event.contact_id == "k7"
    assert forms.parse_amd({"CallSid": SID, "AnsweredBy": "robot"}).answered_by is AnsweredBy.UNKNOWN
    with pytest.raises(MalformedWebhook):
        forms.parse_amd({"CallSid": SID})


def test_callback_urls_carry_campaign_and_contact() -> None:
    url = forms.status_callback_url("https://dialer.example.org/", "gotv 2026", "k&7")
    assert url == "https://dialer.example.org/twilio/status?campaign_id=gotv+2026&contact_id=k%267"
    assert (
        forms.amd_callback_url("https://dialer.example.org", None, None)
        == "https://dialer.example.org/twilio/amd"
    )


def test_rfc2822_round_trips() -> None:
    assert forms.rfc2822(1795000000.0).endswith("+0000")
    event = forms.parse_status(
        {"CallSid": SID, "CallStatus": "ringing", "Timestamp": forms.rfc2822(1795000000.0)}
    )
    assert event.timestamp == 1795000000.0


def test_dial_twiml_bridges_to_the_number_with_callbacks() -> None:
    callback = "https://dialer.example.org/twilio/status?campaign_id=gotv&contact_id=k7"
    doc = ET.fromstring(twiml.dial_twiml("+12025550142", "+13125550101", callback, timeout=25))
    assert doc.tag == "Response" and len(doc) == 1
    dial = doc[0]
    assert dial.tag == "Dial"
    assert dial.attrib == {"callerId": "+13125550101", "answerOnBridge": "true", "timeout": "25"}
    (number,) = list(dial)
    assert number.tag == "Number" and number.text == "+12025550142"
    assert number.attrib["statusCallback"] == callback
    assert number.attrib["statusCallbackEvent"].split() == ["initiated", "ringing", "answered", "completed"]
    assert number.attrib["statusCallbackMethod"] == "POST"


def test_dial_twiml_refuses_a_timeout_twilio_would_not_take() -> None:
    with pytest.raises(ValueError):
        twiml.dial_twiml(
            "+12025550142", "+13125550101", "https://dialer.example.org/twilio/status", timeout=2
        )


def test_refusal_twiml_speaks_then_hangs_up() -> None:
    doc = ET.fromstring(twiml.refusal_twiml("This contact is not yours to call <now>."))
    assert [child.tag for child in doc] == ["Say", "Hangup"]
    assert doc[0].text == "This contact is not yours to call <now>."


def _email_timestamp(value: str) -> float | None:
    """What `_timestamp` answered with the email module alone, before its fast path."""
    import email.utils

    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


@settings(max_examples=300)
@given(
    st.datetimes(min_value=datetime.datetime(1971, 1, 1), max_value=datetime.datetime(2200, 1, 1)),
    st.sampled_from(["+0000", "-0000", "+0100", "-0500", "GMT", ""]),
)
def test_twilios_timestamp_reads_as_the_email_module_reads_it(moment: datetime.datetime, zone: str) -> None:
    value = moment.strftime("%a, %d %b %Y %H:%M:%S ") + zone
    assert forms._timestamp(value.strip()) == _email_timestamp(value.strip())


@pytest.mark.parametrize(
    "value",
    ["Wed, 25 Nov 2026 13:10:56 +0000", "Wed, 31 Feb 2026 13:10:56 +0000", "Wed, 25 Nov 2026 24:10:56 +0000",
     "Wed, 25 Nov 2026 13:10:60 +0000", "Wed, 25 Foo 2026 13:10:56 +0000", "Wed, 25 Nov 26 13:10:56 +0000",
     "Wed, 25 Nov 2026 1:10:56 +0000", "Wed, ٢5 Nov 2026 13:10:56 +0000", "Wed, 25 Nov 2026 13:1٠:56 +0000",
     "Wed, 25 Nov 2026 13:10 +0000", "25 Nov 2026 13:10:56 +0000", "Wed, 25 Nov 2026 13:10:56:1 +0000"],
)  # fmt: skip
def test_odd_timestamps_read_as_the_email_module_reads_them(value: str) -> None:
    assert forms._twilio_timestamp(value) in (None, _email_timestamp(value))
    assert forms._timestamp(value) == _email_timestamp(value)
