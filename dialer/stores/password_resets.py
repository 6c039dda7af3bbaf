"""Password-reset links that an organizer hands a volunteer (by text: phone banks have no mail server), and
each account's audit log of password changes.

A link's token is `<uid>.<secret>`: the uid finds the account's one reset record, whose stored SHA-256 of
the token is compared with the presented one's in constant time (a copy of the database does not let anyone
use a link). Only the newest link of an account works (making one replaces the record), for
`LINK_SECONDS`, once, and only while the account keeps the role it had when the link was made (the record
keeps it: an organizer's link for a volunteer must not open the account once an admin made it an
organizer's or admin's): the first use sets a marker keyed by the token's hash with SET NX, so two uses at
the same moment cannot both pass. Expiry is judged by the app's clock (tests inject it); Redis's TTL only
clears old records away.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any, cast

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.stores import account_history
from dialer.stores.accounts import hash_token
from dialer.times import iso

LINK_SECONDS = 24 * 3600
KEEP_SECONDS = 2 * 24 * 3600  # a used or expired link's record stays this long, to say so plainly
_TOKEN = re.compile(r"^([0-9a-f]{1,32})\.([A-Za-z0-9_-]{20,100})$")


class LinkProblem(Exception):
    """The link cannot be used: unknown (404) or used or expired (410)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


UNKNOWN = LinkProblem(
    404,
    "unknown_link",
    "This reset link is not known: check that it was copied whole. A link stops working once a newer one "
    "is made, the password is changed, the account's role changes or its maker can no longer make it; ask "
    "an organizer for a new one.",
)


@dataclass(frozen=True)
class Link:
    token: str
    expires_at: float


@dataclass(frozen=True)
class Issued:
    """Whom a usable link is for: the account, its role when the link was made ('' in records made before
    the role was kept), and who made it (an account id, or the admin token's "admin")."""

    uid: str
    role: str
    by: str = ""


async def issue(redis: aioredis.Redis, uid: str, *, role: str, by: str, by_name: str, now: float) -> Link:
    """A new link for the account `uid`, whose role is `role` now; any older link of the account stops
    working."""
    token = f"{uid}.{secrets.token_urlsafe(32)}"
    expires = now + LINK_SECONDS
    record: dict[Any, Any] = {
        "hash": hash_token(token),
        "created_at": repr(now),
        "expires_at": repr(expires),
        "by": by,
        "role": role,
    }
    async with redis.pipeline(transaction=True) as pipe:  # one key: atomic on a cluster too
        pipe.delete(keys.password_reset(uid))
        pipe.hset(keys.password_reset(uid), mapping=record)
        pipe.expire(keys.password_reset(uid), KEEP_SECONDS)
        await pipe.execute()
    await audit(redis, uid, "password_reset_link", by=by, name=by_name, now=now, expires_at=iso(expires))
    return Link(token, expires)


async def check(redis: aioredis.Redis, token: str, now: float) -> Issued:
    """The account the link is for; raises LinkProblem when it is unknown, replaced, used or expired. The
    caller refuses it (as UNKNOWN) when the account's role is no longer `Issued.role`."""
    matched = _TOKEN.match(token)
    if matched is None:
        raise UNKNOWN
    uid = matched.group(1)
    record = cast(dict[str, str], await redis.hgetall(keys.password_reset(uid)))
    stored = record.get("hash", "")
    hashed = hash_token(token)
    if not stored or not hmac.compare_digest(stored.encode(), hashed.encode()):
        raise UNKNOWN
    if await redis.exists(keys.password_reset_used(hashed)):
        raise LinkProblem(410, "link_used", "This reset link has been used. Ask an organizer for a new one.")
    if now >= float(record.get("expires_at") or 0):
        raise LinkProblem(
            410, "link_expired", "This reset link has expired (links last 24 hours). Ask for a new one."
        )
    return Issued(uid, record.get("role", ""), record.get("by", ""))


async def consume(redis: aioredis.Redis, token: str, now: float) -> str:
    """Uses the link (once, whoever comes first): its account id; raises LinkProblem as `check` does."""
    uid = (await check(redis, token, now)).uid
    if not await redis.set(keys.password_reset_used(hash_token(token)), repr(now), nx=True, ex=KEEP_SECONDS):
        raise LinkProblem(410, "link_used", "This reset link has been used. Ask an organizer for a new one.")
    return uid


async def revoke(redis: aioredis.Redis, uid: str) -> None:
    """The account's outstanding link stops working (its password was changed another way)."""
    await redis.delete(keys.password_reset(uid))


audit = account_history.note  # the account's history (stores/account_history.py)
