from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.datastructures import FormData

from dialer.settings import Settings
from dialer.telephony.signing import WebhookSigner, signer_for, validation_url, webhook_auth_token

TOKEN = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
PUBLIC = "https://dialer.example.org"
FORM = {
    "CallSid": "CA" + "ab" * 16,
    "AccountSid": "AC" + "cd" * 16,
    "CallStatus": "ringing",
    "To": "+12025550142",
    "From": "+13125550101",
    "SequenceNumber": "1",
}


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's documented algorithm, written out independently of the twilio library."""
    data = url + "".join(key + params[key] for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


@pytest.fixture
def signer() -> WebhookSigner:
    return WebhookSigner(TOKEN, PUBLIC)


def test_sign_matches_twilios_algorithm(signer: WebhookSigner) -> None:
    url = PUBLIC + "/twilio/status?campaign_id=c1&contact_id=k9"
    assert signer.sign(url, FORM) == twilio_signature(TOKEN, url, FORM)


def test_a_genuine_signature_validates(signer: WebhookSigner) -> None:
    signature = twilio_signature(TOKEN, PUBLIC + "/twilio/status", FORM)
    assert signer.validate("/twilio/status", FORM, signature)


def test_the_query_is_part_of_what_is_signed(signer: WebhookSigner) -> None:
    path_qs = "/twilio/status?campaign_id=c1&contact_id=k9"
    signature = twilio_signature(TOKEN, PUBLIC + path_qs, FORM)
    assert signer.validate(path_qs, FORM, signature)
    # Moving the call to another contact by editing the query breaks the signature.
    assert not signer.validate("/twilio/status?campaign_id=c1&contact_id=k10", FORM, signature)
    assert not signer.validate("/twilio/status", FORM, signature)


def test_a_forged_signature_is_refused(signer: WebhookSigner) -> None:
    forged = twilio_signature("not-the-token", PUBLIC + "/twilio/status", FORM)
    assert not signer.validate("/twilio/status", FORM, forged)


def test_a_tampered_form_is_refused(signer: WebhookSigner) -> None:
    signature = twilio_signature(TOKEN, PUBLIC + "/twilio/status", FORM)
    assert not signer.validate("/twilio/status", {**FORM, "CallStatus": "completed"}, signature)
    assert not signer.validate("/twilio/status", {**FORM, "Extra": "1"}, signature)


@pytest.mark.parametrize("missing", [None, ""])
def test_an_unsigned_request_is_refused(signer: WebhookSigner, missing: str | None) -> None:
    assert not signer.validate("/twilio/status", FORM, missing)


def test_a_signature_for_another_url_is_refused(signer: WebhookSigner) -> None:
    # What a forger controlling Host / X-Forwarded-Host would make us check: it must not matter.
    for url in ("https://evil.example/twilio/status", "http://dialer.example.org/twilio/status"):
        assert not signer.validate("/twilio/status", FORM, twilio_signature(TOKEN, url, FORM))
    assert not signer.validate("/twilio/amd", FORM, twilio_signature(TOKEN, PUBLIC + "/twilio/status", FORM))


def test_twilio_may_sign_with_the_default_port() -> None:
    # Twilio is inconsistent about :443 in what it signs; its own validator accepts both, so do we.
    signer = WebhookSigner(TOKEN, PUBLIC)
    assert signer.validate(
        "/twilio/status", FORM, twilio_signature(TOKEN, PUBLIC + ":443/twilio/status", FORM)
    )


def test_repeated_form_keys_are_signed_like_twilio(signer: WebhookSigner) -> None:
    pairs = [("CallSid", FORM["CallSid"]), ("Event", "b"), ("Event", "a")]
    url = PUBLIC + "/twilio/status"
    expected_data = url + "CallSid" + FORM["CallSid"] + "Eventa" + "Eventb"
    expected = base64.b64encode(
        hmac.new(TOKEN.encode(), expected_data.encode(), hashlib.sha1).digest()
    ).decode()
    assert signer.sign(url, pairs) == expected
    # A Starlette FormData (what a route gets from `await request.form()`) validates the same way.
    assert signer.validate("/twilio/status", FormData(pairs), expected)


def test_validation_url_joins_public_url_and_path() -> None:
    assert (
        validation_url("https://a.example/base/", "/twilio/voice?x=1")
        == "https://a.example/base/twilio/voice?x=1"
    )
    with pytest.raises(ValueError):
        validation_url(PUBLIC, "twilio/voice")


def test_the_signing_key_is_the_auth_token_when_there_is_one(tmp_path: Path) -> None:
    settings = Settings(twilio_auth_token=TOKEN, data_dir=tmp_path)
    assert webhook_auth_token(settings) == TOKEN


def test_without_twilio_the_key_derives_from_the_secret_key(tmp_path: Path) -> None:
    one = webhook_auth_token(Settings(secret_key="s1", data_dir=tmp_path))
    assert one == webhook_auth_token(Settings(secret_key="s1", data_dir=tmp_path))
    assert one != webhook_auth_token(Settings(secret_key="s2", data_dir=tmp_path))
    assert "s1" not in one
    signer = signer_for(Settings(secret_key="s1", data_dir=tmp_path, public_url=PUBLIC))
    assert signer.public_url == PUBLIC


def test_an_empty_token_is_refused() -> None:
    with pytest.raises(ValueError):
        WebhookSigner("", PUBLIC)


@settings(max_examples=200)
@given(
    st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=20), max_size=8),
    st.text(alphabet="abc/=&?%é", max_size=20),
)
def test_the_keyed_hmac_signs_as_the_twilio_library(form: dict[str, str], query: str) -> None:
    """The fast path for plain dict forms (one value per key) is Twilio's algorithm exactly."""
    signer = WebhookSigner(TOKEN, PUBLIC)
    url = PUBLIC + "/twilio/status?" + query
    expected = twilio_signature(TOKEN, url, form)
    assert signer._exact(url, form) == expected == signer.sign(url, form)
    assert signer.validate("/twilio/status?" + query, form, expected)
    assert not signer.validate(
        "/twilio/status?" + query, {**form, "Extra": form.get("Extra", "") + "1"}, expected
    )
