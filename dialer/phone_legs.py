"""The volunteer's phone leg for "call me" (pure: no I/O, time passed in).

A volunteer who calls over their own phone line gives their number once. It is verified with a 6-digit
code that a call from us reads out to them (`new_code`, `check_code`): the code expires, and a few wrong
tries end it, so a number that is not theirs cannot be confirmed by guessing. Only the verified number is
ever called for them, and pages show it masked (`mask`).

"Call me" then rings that number; the leg's callbacks move it forward only (`leg_advances`), the volunteer
presses 1 to take it (`pressed_one`: an answering machine or a pocket dial never joins a campaign), and the
leg ending (they hung up) takes them out of the dialing pool as closing the browser's call does.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace

CODE_DIGITS = 6
CODE_TTL = 600.0  # seconds a verification code may be typed in
CODE_TRIES = 5  # wrong codes before the verification is void and a new call is needed
MASK_DOT = "\u2022"


def new_code(randbelow: Callable[[int], int]) -> str:
    """A 6-digit code, leading zeros kept; `randbelow` is `secrets.randbelow` outside tests."""
    return f"{randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_digest(code: str, secret: bytes) -> str:
    """What is stored of a code: a keyed hash, so a read of the store does not reveal it."""
    return hmac.new(secret, code.encode(), hashlib.sha256).hexdigest()


def mask(e164: str) -> str:
    """A number as pages show it: only its last four digits ("+12025550142" -> "•••• •••0142")."""
    digits = "".join(ch for ch in e164 if ch.isdigit())
    if len(digits) < 4:
        return MASK_DOT * 4
    return f"{MASK_DOT * 4} {MASK_DOT * 3}{digits[-4:]}"


def spoken_code(code: str) -> str:
    """The code as a <Say> reads it: digit by digit, twice, so it can be written down."""
    once = ", ".join(code)
    return f"Your dialer verification code is {once}. Again: {once}."


@dataclass(frozen=True)
class Verification:
    """A number waiting to be confirmed: the digest of the code read to it, until when, tries left."""

    phone: str
    digest: str
    expires_at: float
    tries_left: int = CODE_TRIES


class CodeCheck(enum.StrEnum):
    VERIFIED = "verified"
    WRONG = "wrong_code"
    EXPIRED = "code_expired"
    NO_TRIES = "too_many_tries"


def check_code(
    v: Verification, entered: str, now: float, secret: bytes
) -> tuple[CodeCheck, Verification | None]:
    """The outcome of typing `entered`, and the verification left to keep (None: discard it).

    Expired or out of tries, nothing is compared; a wrong code uses a try, and the last wrong one voids it."""
    if now >= v.expires_at:
        return CodeCheck.EXPIRED, None
    if v.tries_left <= 0:
        return CodeCheck.NO_TRIES, None
    if hmac.compare_digest(v.digest, code_digest(entered, secret)):
        return CodeCheck.VERIFIED, None
    left = v.tries_left - 1
    if left <= 0:
        return CodeCheck.NO_TRIES, None
    return CodeCheck.WRONG, replace(v, tries_left=left)


def valid_code_shape(entered: object) -> bool:
    if not isinstance(entered, str):
        return False
    return len(entered) == CODE_DIGITS and entered.isascii() and entered.isdigit()


def pressed_one(digits: str | None) -> bool:
    """Whether the Gather heard the volunteer take the call (exactly the key 1)."""
    return (digits or "").strip() == "1"


class LegState(enum.StrEnum):
    """Where a volunteer's phone leg is, in the order it moves through them."""

    CALLING = "calling"  # placed, ringing their phone
    ANSWERED = "answered"  # picked up, asked to press 1
    CONNECTED = "connected"  # pressed 1: in their conference, their session runs over this leg
    ENDED = "ended"  # hung up, unanswered or failed

    @property
    def rank(self) -> int:
        return list(LegState).index(self)


def leg_advances(old: LegState | None, new: LegState) -> bool:
    """Callbacks and key presses arrive out of order and are retried: only a later state is stored."""
    return old is None or new.rank > old.rank


def leg_state_for(call_status: str) -> LegState | None:
    """A status callback's CallStatus as a leg state (None: one that does not move the leg)."""
    if call_status in ("completed", "busy", "no-answer", "failed", "canceled"):
        return LegState.ENDED
    if call_status == "in-progress":
        return LegState.ANSWERED
    if call_status in ("queued", "initiated", "ringing"):
        return LegState.CALLING
    return None


# ---- dial-in: the volunteer calls the campaign's inbound number and types the PIN their page shows ----

PIN_TTL = 600.0  # seconds a PIN is valid; it is also single use and tied to one campaign and volunteer
PIN_TRIES = 3  # PINs one inbound call may try before it is hung up


def new_pin(randbelow: Callable[[int], int]) -> str:
    """A 6-digit PIN, leading zeros kept; `randbelow` is `secrets.randbelow` outside tests."""
    return new_code(randbelow)


def spaced_pin(pin: str) -> str:
    """A PIN as the page shows it: "042 917"."""
    return f"{pin[:3]} {pin[3:]}"


def pin_record(volunteer: str, expires_at: float) -> str:
    """What is kept under a PIN: whose it is and until when (the store's TTL only cleans up)."""
    return f"{expires_at!r}|{volunteer}"


def pin_owner(record: str | None, now: float) -> str | None:
    """The volunteer a PIN's record names, if it has not expired (None otherwise)."""
    if not record or "|" not in record:
        return None
    expires, _, volunteer = record.partition("|")
    try:
        return volunteer or None if now < float(expires) else None
    except ValueError:
        return None


class PinStep(enum.StrEnum):
    """What an inbound call does after a PIN attempt."""

    CONNECT = "connect"  # the right PIN: the call becomes the volunteer's leg
    RETRY = "retry"  # wrong, tries left: ask again
    HANG_UP = "hang_up"  # wrong, and that was the last try


def after_pin(owner: str | None, attempt: int) -> PinStep:
    """The step after the `attempt`-th PIN (1-based) of a call, given whose PIN it was (None: nobody's)."""
    if owner is not None:
        return PinStep.CONNECT
    return PinStep.HANG_UP if attempt >= PIN_TRIES else PinStep.RETRY
