"""Property-based fuzz of the two parsers that take strangers' input frame by frame: the call socket's
session (any JSON, and message-shaped objects with wrong fields) and the carrier webhooks' form parsers and
signature check (any form, any query, any body bytes). Each may only answer with its own error type (an
`error` message, MalformedWebhook, a refused signature), never raise anything else, and never hang: a
generous per-example deadline stands in for "it returned"."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialer.scripts.loader import load_script
from dialer.session import CallSession, Reply
from dialer.telephony import forms
from dialer.telephony.base import CallEvent, MalformedWebhook, VoiceRequest
from dialer.telephony.signing import WebhookSigner
from tests.e2e.calling import EXAMPLES

FUZZ = settings(
    max_examples=400,
    deadline=timedelta(seconds=10),  # a hang, not a slow machine: each example takes milliseconds
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SCRIPT = load_script((EXAMPLES / "gotv.yaml").read_bytes(), "application/yaml").script
CONTACTS = {
    "1": {"id": "1", "first_name": "Ada", "last_name": "L", "phone": "+12025550142", "fields": {}},
    "2": {
        "id": "2",
        "first_name": "{{ 7*7 }}",
        "last_name": "",
        "phone": "+12025550143",
        "fields": {"x": "y"},
    },
}
MESSAGE_TYPES = ("step", "done", "error", "recorded", "call_status")
STEPS = [*SCRIPT.steps, "", "nope"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=30,
)
# Messages that look like the protocol's, with each field sometimes right, sometimes anything.
messages = st.fixed_dictionaries(
    {"type": st.sampled_from(["start", "answer", "back", "finish", "bogus"]) | json_values},
    optional={
        "contact_id": st.sampled_from(["1", "2", "3"]) | json_values,
        "step": st.sampled_from(STEPS) | json_values,
        "choice": st.integers(min_value=-2, max_value=5) | json_values,
        "value": json_values,
        "notes": st.text(max_size=50) | json_values,
        "idempotency_key": st.text(max_size=30) | json_values,
        "result": st.sampled_from(["contacted", "no_answer", "busy", "call_back", "bogus"]) | json_values,
    },
)


def _check(reply: Reply) -> None:
    assert isinstance(reply, Reply)
    for message in reply.messages:
        assert isinstance(message, dict) and message.get("type") in MESSAGE_TYPES, message
        json.dumps(message)  # what the socket sends must serialize
        if message["type"] == "error":
            assert isinstance(message["code"], str) and isinstance(message["message"], str)


@FUZZ
@given(st.lists(messages | json_values, max_size=12))
def test_the_call_session_answers_any_frames_with_its_own_messages(frames: list[Any]) -> None:
    session = CallSession(SCRIPT, 1, CONTACTS)
    for frame in frames:
        _check(session.receive(frame))
        # The state kept in Redis after each frame rebuilds a session without failing.
        state = json.loads(json.dumps(session.to_state()))
        _check(CallSession.from_state(SCRIPT, 1, CONTACTS, state).resume())
    _check(session.call_status("1", "ringing"))
    _check(session.malformed())


@FUZZ
@given(json_values)
def test_damaged_session_state_starts_afresh(state: Any) -> None:
    _check(CallSession.from_state(SCRIPT, 1, CONTACTS, state).resume())


form_keys = st.sampled_from(
    ["CallSid", "AccountSid", "CallStatus", "From", "Caller", "To", "ParentCallSid", "SequenceNumber",
     "Timestamp", "CallDuration", "AnsweredBy", "contact_id", "campaign_id", "leg"]
) | st.text(max_size=10)  # fmt: skip
form_values = st.sampled_from(
    ["CA" + "a" * 32, "completed", "ringing", "client:v1", "human", "machine_start", "", "12"]
) | st.text(max_size=40)
webhook_forms = st.dictionaries(form_keys, form_values, max_size=12)


@FUZZ
@given(webhook_forms, webhook_forms)
def test_webhook_forms_parse_or_raise_malformed_webhook(form: dict[str, str], query: dict[str, str]) -> None:
    for parse in (forms.parse_voice, forms.parse_status, forms.parse_amd):
        try:
            parsed = parse(form, query)
        except MalformedWebhook:
            continue
        assert isinstance(parsed, VoiceRequest | CallEvent)


SIGNER = WebhookSigner("a-twilio-auth-token", "https://calls.example.org")


@FUZZ
@given(st.binary(max_size=600), st.text(max_size=60).map(lambda p: "/" + p), st.none() | st.text(max_size=40))
def test_any_body_is_read_and_refused_without_a_valid_signature(
    body: bytes, path_qs: str, signature: str | None
) -> None:
    try:
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return  # answered 400 by the route
    assert SIGNER.validate(path_qs, form, signature) is False or signature == SIGNER.sign(
        "https://calls.example.org" + path_qs, list(form.items())
    )


@FUZZ
@given(webhook_forms, st.sampled_from(["/twilio/voice", "/twilio/status?campaign_id=c&contact_id=1"]))
def test_a_correctly_signed_form_is_accepted_and_any_change_refused(
    form: dict[str, str], path_qs: str
) -> None:
    signature = SIGNER.sign("https://calls.example.org" + path_qs, list(form.items()))
    assert SIGNER.validate(path_qs, form, signature)
    assert not SIGNER.validate(path_qs, {**form, "Injected": "1"}, signature)
