"""Redis keys of the lease state kept per campaign rather than in each contact's hash, so that a claim of
20 reads and writes them with O(1) commands (one HMGET, one HSET of 20 fields) instead of two commands per
contact. Listed with the contact's hash in docs/redis-keys.md; reached as `keys.<name>` (queue/keys.py
re-exports them). The Lua scripts build the same names from the `{c:<id>}:` prefix. No TTL: they live as
long as the campaign's contacts.

Contacts imported before these keys existed (their `status`, `batch`, `card`, `reserved_*` in their own
hash) are moved into them at start-up by queue/lease_layout.py, before anything is served.
"""

from __future__ import annotations


def _tag(campaign_id: str) -> str:
    return "{c:" + campaign_id + "}"  # the campaign's hash tag, as keys.tag


def lease_of(campaign_id: str) -> str:
    """Hash: contact id -> where the contact is: `pending`, `done`, or the id of the batch holding it
    (leased). Written by add_contacts, claim, record, release, skip, reap, dial_take/_ready/_event/_return,
    mirror_dnc (a waiting contact whose number is listed);
    no TTL."""
    return f"{_tag(campaign_id)}:lease_of"


def cards(campaign_id: str) -> str:
    """Hash: contact id -> its card (JSON of what claim hands a volunteer, without `attempts`). Written once
    by add_contacts.lua and never changed, so LeaseQueue.claim reads the cards of the contacts claim.lua
    leased after the script (one HMGET), rather than the script moving them through Lua; no TTL."""
    return f"{_tag(campaign_id)}:cards"


def phone_of(campaign_id: str) -> str:
    """Hash: contact id -> its phone (E.164), written once by add_contacts.lua: claim checks 20 phones
    against the campaign's do-not-call mirror with one HMGET. No TTL."""
    return f"{_tag(campaign_id)}:phone_of"


def tries(campaign_id: str) -> str:
    """Hash: contact id -> results recorded for it (attempts), for claim and dial_take. record.lua writes
    it in the same step as the contact hash's own `attempts` (read by whole-contact readers); a contact
    without a field has none. No TTL."""
    return f"{_tag(campaign_id)}:tries"


def reserved(campaign_id: str) -> str:
    """Hash: contact id -> "<until>|<volunteer>": a call-back kept for the volunteer who arranged it until
    then (record.lua sets it, claim.lua and the next result clear it); no TTL."""
    return f"{_tag(campaign_id)}:reserved"


LEASE_LAYOUT = "dialer:layout:lease"
"""String: "3" once every campaign's contacts have their lease state in the keys above and no pending set
holds a contact that is not pending (lease_layout.py sets it after moving older contacts and dropping such
entries; new stores get it at their first start). Organization-wide; no TTL."""
