"""Redis keys of coaching and warm transfer (dialer/queue/coach_sessions.py, transfer_state.py), listed
with their owners and TTLs in docs/redis-keys.md. Reached as `keys.<name>`: queue/keys.py re-exports them,
so every key is still found in one place."""

from __future__ import annotations


def _tag(campaign_id: str) -> str:
    return "{c:" + campaign_id + "}"  # the campaign's hash tag, as keys.tag


def coach_session(campaign_id: str, volunteer: str) -> str:
    """The coaching session on a volunteer's call (dialer/queue/coach_sessions.py)."""
    return f"{_tag(campaign_id)}:coach:{volunteer}"


def agent_leg(campaign_id: str, volunteer: str) -> str:
    """The CallSid of the volunteer's own leg in their conference (power and predictive modes)."""
    return f"{_tag(campaign_id)}:agent-leg:{volunteer}"


def held_voter(campaign_id: str, volunteer: str) -> str:
    """The voter's CallSid held while the volunteer's page comes back (web/conference_hold.py); TTL the
    hold's limit and a minute."""
    return f"{_tag(campaign_id)}:held-voter:{volunteer}"


def transfer(campaign_id: str, voter_call_sid: str) -> str:
    """A warm transfer of the voter on this server-dialed line (dialer/queue/transfer_state.py)."""
    return f"{_tag(campaign_id)}:transfer:{voter_call_sid}"


def dial_socket(campaign_id: str, volunteer: str) -> str:
    """The id of the volunteer's latest call socket (power, predictive): a late close of an older one
    leaves them in the dialing pool (lua/dial_ready.lua)."""
    return f"{_tag(campaign_id)}:dial:socket:{volunteer}"
