"""Which numbers the server may ring for a person of ours (a coach's phone, a transfer's staff line, a
volunteer's own phone before it is verified): pure.

A leader's "coach phone" or an organizer's transfer target is a number the campaign pays to call, typed by a
person rather than taken from a verified list. An E.164 shape alone lets it be a premium-rate line (+1 900)
or a foreign one (+1 876 Jamaica shares the +1 plan; +882 satellite services): the classic toll-fraud
destinations, billed per minute to the campaign. Staff lines are therefore US/Canadian (and US-territory)
numbers, not premium rate, without an extension, the same home that a volunteer's own verified phone has.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

from dialer.phones import MAX_LENGTH, parse_phone

HOME_LINE = "must be a US or Canadian number such as +12025550142 (not premium rate, not abroad)"


def staff_line_problem(raw: object) -> str | None:
    """Why `raw` may not be rung as a staff line (None: it may); it must already be E.164."""
    if not isinstance(raw, str) or not raw.startswith("+") or len(raw) > MAX_LENGTH:
        return HOME_LINE
    phone = parse_phone(raw)
    if phone is None or phone.e164 != raw or phone.abroad or phone.extension or phone.number is None:
        return HOME_LINE
    if phonenumbers.number_type(phone.number) in (PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST):
        return HOME_LINE
    return None
