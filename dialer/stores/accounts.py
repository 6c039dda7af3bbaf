"""Accounts: users, roles, passwords (argon2) and bearer tokens, stored in Redis.

Tokens are random, handed out once, and stored only as their SHA-256, so a copy of the database does not
let anyone sign in. Sign-in attempts are counted per email and failures per address (signin_limits.py) to
answer 429 before guessing gets far; successes are not limited per address (a phone bank's volunteers
often share one office network). Hashing goes through the app's `HashPool` when given (passwords.py).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
import redis.asyncio as aioredis

from dialer.connections import uses_cluster
from dialer.models import Role
from dialer.passwords import HashPool, hash_password, verify_password
from dialer.queue import keys
from dialer.queue.lua_scripts import run
from dialer.stores import people, signin_limits
from dialer.stores.signin_limits import RateLimited

TOKEN_TTL_SECONDS = 30 * 24 * 3600
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")

# A real hash to verify against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    role: Role
    disabled: bool = False  # a disabled account cannot sign in, and its tokens and sockets are refused
    # How many times the account has been disabled, as read with it: a sign-in begun before a disable
    # makes no session, even when the account is enabled again by the time it ends (`issue_session`).
    disables: int = field(default=0, compare=False)

    def public(self) -> dict[str, str]:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role.value}


# Who the DIALER_ADMIN_TOKEN is. Not an account: it is never stored (no user hash, no team), so code that
# would write per-user data checks `is_account` first.
ADMIN_TOKEN_USER = User(id="admin", email="admin@localhost", name="Administrator", role=Role.ADMIN)
ROLES = frozenset(role.value for role in Role)


def is_account(user: User) -> bool:
    return user is not ADMIN_TOKEN_USER and user.id != ADMIN_TOKEN_USER.id


class EmailTaken(Exception):
    pass


class AccountDisabled(Exception):
    """The password was right, but an organizer or admin disabled the account."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    """The form an address is stored and looked up in: any case, and without the domain's trailing dot
    (`vol1@example.org.` is the same mailbox as `vol1@example.org`, and signed up as a second account)."""
    return email.strip().lower().rstrip(".")


class AccountStore:
    def __init__(self, redis: aioredis.Redis, hashing: HashPool | None = None) -> None:
        """`hashing` bounds concurrent argon2 work (the web app's); without it hashes run unbounded (CLI)."""
        self.redis = redis
        self.hashing = hashing
        # A token and its user's token set are in two slots on a Redis Cluster, where MULTI cannot span
        # them: there the two writes are an ordered pipeline (a token missing from the set after a crash
        # is still refused once its account is disabled: `user_for_token` checks the account).
        self.atomic = not uses_cluster(redis)

    async def _hash(self, password: str) -> str:
        if self.hashing is not None:
            return await self.hashing.hash(password)
        return await anyio.to_thread.run_sync(hash_password, password)

    async def _verify(self, stored: str, password: str) -> bool:
        if self.hashing is not None:
            return await self.hashing.verify(stored, password)
        return await anyio.to_thread.run_sync(verify_password, stored, password)

    async def create(self, email: str, name: str, password: str | None, role: Role, now: float) -> User:
        uid = uuid.uuid4().hex[:16]
        email = normalize_email(email)
        pw_hash = await self._hash(password) if password else ""
        fields = {
            "email": email,
            "name": name,
            "role": role.value,
            "password": pw_hash,
            "created_at": str(now),
        }
        if uses_cluster(self.redis):
            await self._create_in_steps(uid, email, fields, now)
        else:
            flat = [item for pair in fields.items() for item in pair]
            created = await run(
                self.redis,
                "create_user",
                [keys.user_email(email), keys.user(uid), keys.USERS],
                [uid, now, *flat],
            )
            if not created:
                raise EmailTaken(email)
        await people.index_user(self.redis, uid, name, email)
        return User(id=uid, email=email, name=name, role=role)

    async def _create_in_steps(self, uid: str, email: str, fields: dict[Any, Any], now: float) -> None:
        """create_user.lua's work on a Redis Cluster, where its three keys live in three slots.

        In an order where a crash at any point leaves no half-made account visible: the new user's hash
        first (nothing names it yet), then the email claimed (the account exists from here on), then the
        index. A crash before the index leaves an account missing from the list; creating it again (which
        answers EmailTaken) puts it there."""
        await self.redis.hset(keys.user(uid), mapping=fields)
        if not await self.redis.set(keys.user_email(email), uid, nx=True):
            await self.redis.delete(keys.user(uid))
            owner = await self.redis.get(keys.user_email(email))
            if owner is not None and await self.redis.zscore(keys.USERS, str(owner)) is None:
                await self.redis.zadd(keys.USERS, {str(owner): now})  # an earlier crash's missing index
            raise EmailTaken(email)
        await self.redis.zadd(keys.USERS, {uid: now})

    async def _load(self, uid: str) -> tuple[User, str] | None:
        data: dict[str, str] = await self.redis.hgetall(keys.user(uid))  # type: ignore[assignment]
        if not all(data.get(field) for field in ("email", "name", "role")) or data["role"] not in ROLES:
            # Not an account: nothing, or a partial hash some bug wrote (older versions stored a team for
            # the admin token's pseudo-user this way).
            return None
        disabled = data.get("disabled") == "1"
        disables = int(data["disables"]) if data.get("disables", "").isdigit() else 0
        user = User(
            id=uid, email=data["email"], name=data["name"], role=Role(data["role"]), disabled=disabled,
            disables=disables,
        )  # fmt: skip
        return user, data.get("password", "")

    async def get(self, uid: str) -> User | None:
        found = await self._load(uid)
        return found[0] if found else None

    async def may_call(self, uid: str) -> bool:
        """Whether calls may still be placed for this id: an account that exists and is not disabled (or
        the admin token's pseudo-user). For what outlives an account's tokens: a dial-in PIN, a Voice SDK
        access token (an hour), a batch's lease."""
        if uid == ADMIN_TOKEN_USER.id:
            return True
        user = await self.get(uid)
        return user is not None and not user.disabled

    async def by_email(self, email: str) -> tuple[User, str] | None:
        uid = await self.redis.get(keys.user_email(normalize_email(email)))
        return await self._load(str(uid)) if uid is not None else None

    async def set_role(self, uid: str, role: Role) -> User | None:
        if await self.get(uid) is None:
            return None
        await self.redis.hset(keys.user(uid), "role", role.value)
        # Open sockets that need more than the new role end (a demoted organizer's live dashboard).
        await self.redis.publish(
            keys.ACCOUNTS_EVENTS, json.dumps({"type": "role", "user": uid, "role": role.value})
        )
        return await self.get(uid)

    async def set_password(self, uid: str, password: str, keep_token: str = "") -> int:
        """Sets the account's password and ends every session of it but `keep_token`'s (a token, not its
        hash: the one that changed it). Returns how many sessions ended."""
        return await self.store_password(uid, await self.hash_password(password), keep_token)

    async def hash_password(self, password: str) -> str:
        """The hash to store (raises passwords.HashingBusy when the server cannot hash it now): done before
        anything is used up, such as a one-time reset link."""
        return await self._hash(password)

    async def store_password(self, uid: str, pw_hash: str, keep_token: str = "") -> int:
        """`set_password` with the hash already made."""
        await self.redis.hset(keys.user(uid), "password", pw_hash)
        return await self.end_sessions(uid, keep=hash_token(keep_token) if keep_token else "")

    async def end_sessions(self, uid: str, keep: str = "") -> int:
        """Revokes every token of the account except the one whose hash is `keep`, and tells the open
        sockets (`{"type": "sessions_ended", "user", "keep"}`) to end all but that session's."""
        hashes = [str(h) for h in await self.redis.smembers(keys.user_tokens(uid)) if str(h) != keep]
        async with self.redis.pipeline(transaction=self.atomic) as pipe:
            for hashed in hashes:
                pipe.delete(keys.token(hashed))
                pipe.srem(keys.user_tokens(uid), hashed)
            await pipe.execute()
        event = {"type": "sessions_ended", "user": uid, "keep": keep}
        await self.redis.publish(keys.ACCOUNTS_EVENTS, json.dumps(event))
        return len(hashes)

    async def issue_token(self, uid: str, ttl: int | None = TOKEN_TTL_SECONDS) -> str:
        token = secrets.token_urlsafe(32)
        hashed = hash_token(token)
        async with self.redis.pipeline(transaction=self.atomic) as pipe:
            pipe.set(keys.token(hashed), uid, ex=ttl)
            pipe.sadd(keys.user_tokens(uid), hashed)  # so that disabling the account can end them all
            await pipe.execute()
        return token

    async def issue_session(self, user: User) -> str:
        """A token for `user` as read when their sign-in began (`authenticate`); raises AccountDisabled
        when the account has been disabled since, even if enabled again: the disable ended every session
        it found, and one made as it ran must not come back with the account. The token is written
        first and the account read after it, so a disable either finds the token or is seen here."""
        token = await self.issue_token(user.id)
        now = await self.get(user.id)
        if now is None or now.disabled or now.disables != user.disables:
            await self.revoke_token(token)
            raise AccountDisabled(user.email)
        return token

    async def revoke_token(self, token: str) -> None:
        hashed = hash_token(token)
        uid = await self.redis.get(keys.token(hashed))
        async with self.redis.pipeline(transaction=self.atomic) as pipe:
            pipe.delete(keys.token(hashed))
            if uid:
                pipe.srem(keys.user_tokens(str(uid)), hashed)
            await pipe.execute()
        if uid:  # the sockets opened with this token end too (sign-out on a shared computer)
            event = {"type": "signed_out", "user": str(uid), "token": hashed}
            await self.redis.publish(keys.ACCOUNTS_EVENTS, json.dumps(event))

    async def user_for_token(self, token: str) -> User | None:
        """The token's user; None for an unknown or revoked token, and for a disabled account's."""
        uid = await self.redis.get(keys.token(hash_token(token)))
        user = await self.get(str(uid)) if uid else None
        return user if user is not None and not user.disabled else None

    async def set_disabled(self, uid: str, disabled: bool) -> User | None:
        """Disables (or enables again) an account. Disabling ends its tokens at once and tells the app's
        open sockets (`keys.ACCOUNTS_EVENTS`) to close theirs; a token issued before the token set
        existed is refused anyway, by `user_for_token`."""
        if await self.get(uid) is None:
            return None
        if not disabled:
            await self.redis.hdel(keys.user(uid), "disabled")
            return await self.get(uid)
        async with self.redis.pipeline(transaction=True) as pipe:  # one key: atomic on a cluster too
            pipe.hset(keys.user(uid), "disabled", "1")
            pipe.hincrby(keys.user(uid), "disables", 1)
            await pipe.execute()
        hashes = [str(h) for h in await self.redis.smembers(keys.user_tokens(uid))]
        async with self.redis.pipeline(transaction=self.atomic) as pipe:
            for hashed in hashes:
                pipe.delete(keys.token(hashed))
            pipe.delete(keys.user_tokens(uid))
            await pipe.execute()
        # After the tokens are gone (a cluster client cannot publish inside a pipeline).
        await self.redis.publish(keys.ACCOUNTS_EVENTS, json.dumps({"type": "disabled", "user": uid}))
        return await self.get(uid)

    async def authenticate(self, email: str, password: str, address: str) -> User | None:
        """The user when the password matches; None otherwise.

        Raises RateLimited after repeated attempts (the attempt is counted before the password is checked)
        and passwords.HashingBusy when the server cannot check it now (then the attempt is not counted).
        """
        email = normalize_email(email)
        attempt = await signin_limits.begin(self.redis, email, address)
        found = await self.by_email(email)
        stored = found[1] if found and found[1] else _DUMMY_HASH
        try:
            ok = await self._verify(stored, password)
        except BaseException:
            await attempt.unchecked()
            raise
        if ok and found is not None and found[1]:
            await attempt.succeeded()
            if found[0].disabled:
                raise AccountDisabled(email)
            return found[0]
        attempt.failed()
        return None


__all__ = [
    "EMAIL_RE",
    "AccountDisabled",
    "AccountStore",
    "EmailTaken",
    "RateLimited",
    "User",
    "hash_token",
    "normalize_email",
]
