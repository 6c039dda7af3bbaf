"""Twilio's webhook and TwiML dialect, shared by both carriers: the simulated one speaks it exactly, so our
webhook routes cannot tell the two apart and the real webhook code is what every demo and test runs."""

from __future__ import annotations

from collections.abc import Mapping

from dialer.telephony import forms, twiml
from dialer.telephony.base import CallEvent, VoiceRequest
from dialer.telephony.signing import WebhookSigner


class TwilioDialect:
    signer: WebhookSigner

    def validate(self, path_qs: str, form: Mapping[str, str], signature: str | None) -> bool:
        return self.signer.validate(path_qs, form, signature)

    def parse_voice(self, form: Mapping[str, str], query: Mapping[str, str] | None = None) -> VoiceRequest:
        return forms.parse_voice(form, query)

    def parse_status(self, form: Mapping[str, str], query: Mapping[str, str] | None = None) -> CallEvent:
        return forms.parse_status(form, query)

    def parse_amd(self, form: Mapping[str, str], query: Mapping[str, str] | None = None) -> CallEvent:
        return forms.parse_amd(form, query)

    def dial_twiml(
        self,
        number: str,
        caller_id: str,
        status_callback_url: str,
        timeout: int = 30,
        *,
        whisper_url: str | None = None,
    ) -> str:
        return twiml.dial_twiml(number, caller_id, status_callback_url, timeout, whisper_url=whisper_url)

    def refusal_twiml(self, message: str) -> str:
        return twiml.refusal_twiml(message)
