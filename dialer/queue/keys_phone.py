"""Redis keys of the calls a volunteer's phone leg places in preview mode (dialer/web/phone_dial.py), listed
with their owners and TTLs in docs/redis-keys.md. Reached as `keys.<name>`: queue/keys.py re-exports them,
so every key is still found in one place."""

from __future__ import annotations


def _tag(campaign_id: str) -> str:
    return "{c:" + campaign_id + "}"  # the campaign's hash tag, as keys.tag


def phone_call(campaign_id: str, volunteer: str) -> str:
    """The CallSid of the latest voter call placed into the volunteer's phone leg (preview); TTL 1 day."""
    return f"{_tag(campaign_id)}:phoneleg:{volunteer}:call"


def phone_call_placing(campaign_id: str, volunteer: str) -> str:
    """Set (to the dial's own id) while a call into the volunteer's phone leg is being placed: one call at
    a time, whatever is clicked; TTL 30 s."""
    return f"{_tag(campaign_id)}:phoneleg:{volunteer}:placing-call"
