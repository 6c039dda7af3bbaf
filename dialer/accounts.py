"""Accounts: users, roles, passwords (argon2) and bearer tokens, stored in Redis.

Tokens are random, handed out once, and stored only as their SHA-256, so a copy of the database does not
let anyone sign in. Failed sign-ins are counted per email and per address to answer 429 before guessing gets
far; successes are not limited per address (a phone bank's volunteers often share one office network).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

import anyio.to_thread
import redis.asyncio as aioredis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dialer.models import Role
from dialer.queue import keys
from dialer.queue.lua_scripts import run

TOKEN_TTL_SECONDS = 30 * 24 * 3600
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
FAILURES_PER_EMAIL = 5
FAILURES_PER_ADDRESS = 30
FAILURE_WINDOW_SECONDS = 15 * 60

_hasher = PasswordHasher()
# A real hash to verify against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    role: Role

    def public(self) -> dict[str, str]:
        return {"id": self.id, "email": self.email, "name": self.name, "role": self.role.value}


ADMIN_TOKEN_USER = User(id="admin", email="admin@localhost", name="Administrator", role=Role.ADMIN)


class EmailTaken(Exception):
    pass


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    return email.strip().lower()


class AccountStore:
    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def create(self, email: str, name: str, password: str | None, role: Role, now: float) -> User:
        uid = uuid.uuid4().hex[:16]
        email = normalize_email(email)
        pw_hash = await anyio.to_thread.run_sync(_hasher.hash, password) if password else ""
        fields = {
            "email": email,
            "name": name,
            "role": role.value,
            "password": pw_hash,
            "created_at": str(now),
        }
        flat = [item for pair in fields.items() for item in pair]
        created = await run(
            self.redis, "create_user", [keys.user_email(email), keys.user(uid), keys.USERS], [uid, now, *flat]
        )
        if not created:
            raise EmailTaken(email)
        return User(id=uid, email=email, name=name, role=role)

    async def _load(self, uid: str) -> tuple[User, str] | None:
        data: dict[str, str] = await self.redis.hgetall(keys.user(uid))  # type: ignore[assignment]
        if not data:
            return None
        return User(id=uid, email=data["email"], name=data["name"], role=Role(data["role"])), data["password"]

    async def get(self, uid: str) -> User | None:
        found = await self._load(uid)
        return found[0] if found else None

    async def by_email(self, email: str) -> tuple[User, str] | None:
        uid = await self.redis.get(keys.user_email(normalize_email(email)))
        return await self._load(str(uid)) if uid is not None else None

    async def set_role(self, uid: str, role: Role) -> User | None:
        if not await self.redis.exists(keys.user(uid)):
            return None
        await self.redis.hset(keys.user(uid), "role", role.value)
        return await self.get(uid)

    async def set_password(self, uid: str, password: str) -> None:
        pw_hash = await anyio.to_thread.run_sync(_hasher.hash, password)
        await self.redis.hset(keys.user(uid), "password", pw_hash)

    async def issue_token(self, uid: str, ttl: int | None = TOKEN_TTL_SECONDS) -> str:
        token = secrets.token_urlsafe(32)
        await self.redis.set(keys.token(hash_token(token)), uid, ex=ttl)
        return token

    async def revoke_token(self, token: str) -> None:
        await self.redis.delete(keys.token(hash_token(token)))

    async def user_for_token(self, token: str) -> User | None:
        uid = await self.redis.get(keys.token(hash_token(token)))
        return await self.get(str(uid)) if uid else None

    async def authenticate(self, email: str, password: str, address: str) -> User | None:
        """The user when the password matches; None otherwise. Raises RateLimited after repeated failures."""
        email = normalize_email(email)
        email_key = keys.ratelimit("login-email", hashlib.sha256(email.encode()).hexdigest()[:32])
        addr_key = keys.ratelimit("login-addr", address)
        email_failures, addr_failures = await self.redis.mget(email_key, addr_key)
        if int(email_failures or 0) >= FAILURES_PER_EMAIL or int(addr_failures or 0) >= FAILURES_PER_ADDRESS:
            ttl = max(await self.redis.ttl(email_key), await self.redis.ttl(addr_key), 1)
            raise RateLimited(ttl)
        found = await self.by_email(email)
        stored = found[1] if found and found[1] else _DUMMY_HASH
        ok = await anyio.to_thread.run_sync(_verify, stored, password)
        if ok and found is not None and found[1]:
            await self.redis.delete(email_key)
            return found[0]
        for key in (email_key, addr_key):
            await run(self.redis, "count_failure", [key], [FAILURE_WINDOW_SECONDS])
        return None


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
