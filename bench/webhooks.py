"""What one Twilio webhook costs us: signature check + parse, against a bare HMAC-SHA1 of the same bytes.

Run: .venv/bin/python bench/webhooks.py [N]. Prints microseconds per webhook and the ratios; the design
budget (DESIGN.md, "Scale on paper") is ~33,000 webhooks/s on about 7 web cores.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode

from dialer.telephony import forms
from dialer.telephony.signing import WebhookSigner

TOKEN = "0123456789abcdef0123456789abcdef"
PUBLIC = "https://dialer.example.org"
PATH_QS = "/twilio/status?campaign_id=gotv-2026&contact_id=c-000142"
FORM = {
    "AccountSid": "AC" + "ab" * 16,
    "ApiVersion": "2010-04-01",
    "CallSid": "CA" + "0123456789abcdef" * 2,
    "ParentCallSid": "CA" + "fedcba9876543210" * 2,
    "CallStatus": "completed",
    "CallDuration": "73",
    "Duration": "2",
    "Direction": "outbound-dial",
    "From": "+13125550101",
    "To": "+12025550142",
    "Called": "+12025550142",
    "Caller": "+13125550101",
    "SequenceNumber": "3",
    "Timestamp": "Wed, 25 Nov 2026 13:10:56 +0000",
    "CallbackSource": "call-progress-events",
    "SipResponseCode": "200",
}


def per_call(fn: Callable[[], object], n: int) -> float:
    for _ in range(min(n, 1000)):  # warm up
        fn()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def main(n: int = 20_000) -> None:
    signer = WebhookSigner(TOKEN, PUBLIC)
    signature = signer.sign(PUBLIC + PATH_QS, FORM)
    body = urlencode(FORM)
    query = dict(parse_qsl(PATH_QS.partition("?")[2]))
    payload = (PUBLIC + PATH_QS + "".join(k + FORM[k] for k in sorted(FORM))).encode()
    key = TOKEN.encode()

    def bare_hmac() -> object:
        return base64.b64encode(hmac.new(key, payload, hashlib.sha1).digest())

    def validate() -> object:
        assert signer.validate(PATH_QS, FORM, signature)
        return None

    def reject_forged() -> object:
        assert not signer.validate(PATH_QS, FORM, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        return None

    def parse() -> object:
        return forms.parse_status(FORM, query)

    def whole_webhook() -> object:
        form = dict(parse_qsl(body, keep_blank_values=True))
        if not signer.validate(PATH_QS, form, signature):
            raise AssertionError("signature must validate")
        return forms.parse_status(form, query)

    baseline = per_call(bare_hmac, n)
    rows = [
        ("bare HMAC-SHA1 of the signed string (baseline)", baseline),
        ("signature validation (twilio RequestValidator)", per_call(validate, n)),
        ("forged signature rejected (every URL variant tried)", per_call(reject_forged, n)),
        ("form -> CallEvent parse", per_call(parse, n)),
        ("body decode + validate + parse (one webhook)", per_call(whole_webhook, n)),
    ]
    for name, seconds in rows:
        print(f"{name:50s} {seconds * 1e6:8.2f} us  x{seconds / baseline:6.1f}")
    whole = rows[-1][1]
    print(f"one core: ~{1 / whole:,.0f} webhooks/s for check + parse (before Redis and the web framework)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
