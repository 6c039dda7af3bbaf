"""Ending a volunteer's call when its result is saved, and what a client may read of a call.

A result is the end of the conversation: if the carrier leg is still up when it is recorded (socket
`finish`, the HTTP results call, Save & next), the voter's leg is hung up, so a volunteer is never left
connected to the previous voter while the page shows the next one. With Twilio that is `Status=completed` on
the Call resource; the carrier's final callbacks then follow as for any hang-up. Hanging up is best effort:
the result is already safe, so a carrier failure is logged, never reported as a failed save.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.queue.transfer_state import handed_on
from dialer.telephony.base import CallStatus, CarrierError
from dialer.times import iso
from dialer.web.deps import Deps

log = logging.getLogger("dialer.calls")


SERVER_DIALED = ("power", "predictive")


async def hang_up_leg(d: Deps, campaign_id: str, attempt: dict[str, str]) -> None:
    """Ends the voter's leg of a call. A line the dialer placed (power, predictive) belongs to the pacer,
    which holds the carrier's handle on it (with the simulated carrier, in the worker's process): it gets a
    `hangup` action, carried out at once; the volunteer stays in their conference. A browser's call is
    hung up here. Raises CarrierError when the carrier refuses."""
    sid = attempt.get("call_sid", "")
    if attempt.get("mode") in SERVER_DIALED:
        await d.redis.rpush(keys.dial_actions(campaign_id), f"hangup|{sid}")
        return
    if d.carrier is None:
        return
    await d.carrier.hangup(attempt.get("leg_sid") or sid)


def is_up(attempt: dict[str, str]) -> bool:
    """Whether the call may still be connected (not yet reported ended by the carrier)."""
    status = attempt.get("status", "")
    return not (status in set(CallStatus) and CallStatus(status).is_final)


async def latest_call(d: Deps, campaign_id: str, volunteer: str, contact_id: str) -> str | None:
    """The CallSid of the volunteer's latest call to the contact (set when the call starts or is bridged)."""
    return cast(str | None, await d.redis.get(keys.call_of_contact(campaign_id, volunteer, contact_id)))


async def end_call_after_result(
    d: Deps, campaign_id: str, volunteer: str, contact_id: str, call_sid: str | None = None
) -> bool:
    """Hangs up the volunteer's call to the contact if it is still up; True if a hang-up was asked for."""
    sid = call_sid or await latest_call(d, campaign_id, volunteer, contact_id)
    if not sid:
        return False
    attempt = await AttemptStore(d.redis).get(campaign_id, sid)
    if attempt is None or attempt.get("volunteer") != volunteer or attempt.get("contact_id") != contact_id:
        return False
    if not is_up(attempt) or attempt.get("voicemail_at"):
        return False  # ended, or reading the voicemail message: the carrier hangs up after it
    if await handed_on(d.redis, campaign_id, sid):
        return False  # a warm transfer: the voter talks with a staff member now (web/api_transfer.py)
    try:
        await hang_up_leg(d, campaign_id, attempt)
    except CarrierError as exc:
        log.warning("could not hang up call %s after its result: %s", sid, exc.message)
        return False
    except Exception:  # the network: the result is saved; the carrier's own timeout ends the call
        log.exception("could not hang up call %s after its result", sid)
        return False
    return True


def call_view(attempt: dict[str, str]) -> dict[str, Any]:
    """`GET /api/campaigns/{id}/calls/{call_sid}`: the call as the carrier last reported it."""

    def when(field: str) -> str | None:
        value = attempt.get(field)
        return iso(float(value)) if value else None

    return {
        "call_sid": attempt.get("call_sid", ""),
        "contact_id": attempt.get("contact_id", ""),
        "status": attempt.get("status") or None,
        "answered_by": attempt.get("answered_by") or None,
        "started_at": when("started_at"),
        "ended_at": when("ended_at"),
    }
