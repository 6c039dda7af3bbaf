"""X-Twilio-Signature: computing and checking it exactly as Twilio does.

The URL a signature covers is PUBLIC_URL + the request's path and query, never one rebuilt from Host or
X-Forwarded-* headers: those are chosen by the client, so trusting them would let a forger pick the URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Iterator, Mapping

from twilio.request_validator import RequestValidator

from dialer.settings import Settings

SIGNATURE_HEADER = "X-Twilio-Signature"

Params = Mapping[str, str] | Iterable[tuple[str, str]]


def validation_url(public_url: str, path_qs: str) -> str:
    """The URL Twilio signed: PUBLIC_URL + path (+ '?' + query), exactly as the request line had them."""
    if not path_qs.startswith("/"):
        raise ValueError(f"path_qs must start with '/', not {path_qs!r}")
    return public_url.rstrip("/") + path_qs


class _MultiParams:
    """Repeated form keys (e.g. StatusCallbackEvent) for RequestValidator, which looks for `getall`."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for key, value in pairs:
            self._values.setdefault(key, []).append(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def getall(self, key: str) -> list[str]:
        return self._values[key]


def _as_params(params: Params) -> _MultiParams:
    """Always hand RequestValidator an object with `getall`.

    Given a plain dict it tries `getall`, then `getlist`, and catches two AttributeErrors per key:
    that was two thirds of the cost of validating a webhook (bench/webhooks.py).
    """
    if isinstance(params, Mapping):
        multi_items = getattr(params, "multi_items", None)  # Starlette's FormData keeps repeated keys
        return _MultiParams(multi_items() if callable(multi_items) else params.items())
    return _MultiParams(params)


class WebhookSigner:
    """Signs and validates webhooks with one auth token (the account's, or the simulated carrier's)."""

    def __init__(self, auth_token: str, public_url: str) -> None:
        if not auth_token:
            raise ValueError("a webhook signer needs a non-empty auth token")
        self._validator = RequestValidator(auth_token)
        # The HMAC keyed once: each webhook copies it instead of hashing the key again (webhook_lane.py).
        self._mac = hmac.new(auth_token.encode("utf-8"), digestmod=hashlib.sha1)
        self.public_url = public_url.rstrip("/")

    def sign(self, url: str, params: Params) -> str:
        """The X-Twilio-Signature Twilio would send for a POST of `params` to the full `url`."""
        return str(self._validator.compute_signature(url, _as_params(params)))

    def validate(self, path_qs: str, form: Params, signature: str | None) -> bool:
        """Whether `signature` is genuine for PUBLIC_URL + `path_qs` and this form. Missing -> False."""
        if not signature:
            return False
        url = validation_url(self.public_url, path_qs)
        # The exact URL is always one of the two RequestValidator tries (with and without the default
        # port), so checking it first changes no answer; it only spares genuine webhooks a second HMAC.
        if type(form) is dict:  # one value per key (the webhook routes' forms): Twilio's string, directly
            expected = self._exact(url, form)
        else:
            expected = str(self._validator.compute_signature(url, _as_params(form)))
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return True
        return bool(self._validator.validate(url, _as_params(form), signature))

    def _exact(self, url: str, form: dict[str, str]) -> str:
        """RequestValidator.compute_signature for a form with one value per key: the URL, then each key
        and its value in key order, HMAC-SHA1 with the auth token, base64."""
        mac = self._mac.copy()
        mac.update((url + "".join([key + form[key] for key in sorted(form)])).encode("utf-8"))
        return base64.b64encode(mac.digest()).decode("ascii")


def webhook_auth_token(settings: Settings) -> str:
    """The secret webhooks are signed with.

    With Twilio, the account's auth token. Without one (the simulated carrier), a key derived from the
    server's secret key, so the web process and the simulated carrier agree without more configuration
    and a token from one deployment never validates on another.
    """
    if settings.twilio_auth_token:
        return settings.twilio_auth_token
    secret = settings.resolve_secret_key().encode()
    return hmac.new(secret, b"dialer simulated carrier webhooks", hashlib.sha256).hexdigest()


def signer_for(settings: Settings) -> WebhookSigner:
    return WebhookSigner(webhook_auth_token(settings), settings.base_url)
