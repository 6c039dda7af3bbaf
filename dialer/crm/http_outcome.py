"""How a CRM's HTTP answer reads for the sync (shared by the VAN and OSDI adapters)."""

from __future__ import annotations

import json

import httpx

from dialer.crm.port import Outcome, OutcomeKind

MAX_MESSAGE = 500


def retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after", "").strip()
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if 0 <= value <= 3600 else None


def error_text(response: httpx.Response) -> str:
    """The CRM's own words: VAN's `errors[].text`, OSDI's `error`/`message`/`errors`, else the status."""
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        body = None
    texts: list[str] = []
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list):
            for item in errors:
                if isinstance(item, dict):
                    text = item.get("text") or item.get("message") or item.get("code")
                    props = item.get("properties")
                    if text and isinstance(props, list) and props:
                        text = f"{text} ({', '.join(str(p) for p in props[:3])})"
                    if text:
                        texts.append(str(text))
                elif isinstance(item, str):
                    texts.append(item)
        for name in ("error", "message", "description"):
            if isinstance(body.get(name), str):
                texts.append(body[name])
    message = "; ".join(texts) or (response.reason_phrase or "error")
    return f"HTTP {response.status_code}: {message}"[:MAX_MESSAGE]


def outcome_of(response: httpx.Response) -> Outcome:
    if response.is_success:
        return Outcome(OutcomeKind.SENT)
    if response.status_code == 429:
        return Outcome(OutcomeKind.RETRY, error_text(response), retry_after(response), rate_limited=True)
    if response.status_code >= 500 or response.status_code == 408:
        return Outcome(OutcomeKind.RETRY, error_text(response), retry_after(response))
    return Outcome(OutcomeKind.FAILED, error_text(response))


# Failures that happen before a byte of the request leaves: the CRM cannot have it.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def network_outcome(exc: httpx.HTTPError) -> Outcome:
    """A timeout or a dropped connection: try again. Unless it failed before sending (no connection), the
    request may or may not have arrived, and the re-send is in doubt."""
    maybe = not isinstance(exc, NOT_SENT)
    return Outcome(OutcomeKind.RETRY, f"no answer from the CRM ({type(exc).__name__})", maybe_delivered=maybe)
