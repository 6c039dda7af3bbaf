"""Passwords: what sign-up accepts, and argon2 hashing with a bounded number of hashes at once.

argon2 is costly on purpose (64 MiB of memory and a few CPU-milliseconds per hash with argon2-cffi's
defaults): that is what makes a stolen hash slow to crack, and also what lets 150 anonymous sign-ups take a
server from 90 MB to 2.4 GB and freeze it. So the cost stays, and `HashPool` bounds how many hashes run
at once (the smaller of the CPU cores and the operator's memory budget divided by one hash's memory) and
how many requests may wait for one; past that the caller gets `HashingBusy` (HTTP 503 with Retry-After)
at once, instead of a queue that grows until the process is killed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

import anyio
import anyio.to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 1024
COMMON_PASSWORDS = Path(__file__).parent / "data" / "common-passwords.txt"
DEFAULT_MEMORY_MB = 256
# Requests that may wait for a free slot, per slot: each waits about one hash time per request ahead of it.
WAITING_PER_SLOT = 16
WAIT_SECONDS = 10.0
RETRY_AFTER_SECONDS = 2

hasher = PasswordHasher()
HASH_MEMORY_MB = max(1, hasher.memory_cost // 1024)  # memory_cost is in KiB

T = TypeVar("T")


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str = "") -> str | None:
    """Why sign-up refuses this password (a message for the `password` field), or None when it is fine."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    lowered = password.strip().lower()
    address = email.strip().lower()
    if address and lowered in (address, address.split("@", 1)[0]):
        return "must not be your email address"
    if lowered in common_passwords():
        return "is one of the most common passwords; choose a less guessable one (a few words work well)"
    return None


def hash_password(password: str) -> str:
    return hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


class HashingBusy(Exception):
    """Too many password hashes are running or waiting; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int = RETRY_AFTER_SECONDS) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def slots_for(memory_mb: int, cores: int | None = None) -> int:
    """How many hashes may run at once: one per core, within the memory budget, and at least one."""
    return max(1, min(cores or os.cpu_count() or 1, memory_mb // HASH_MEMORY_MB))


class HashPool:
    """Runs argon2 in worker threads, at most `slots` at once and `max_waiting` waiting for a slot.

    Create it inside the running event loop (the app's lifespan does); `hash` and `verify` raise
    `HashingBusy` when the wait list is full or a slot does not come free within `wait_seconds`.
    """

    def __init__(
        self, slots: int, max_waiting: int | None = None, wait_seconds: float = WAIT_SECONDS
    ) -> None:
        self.slots = slots
        self.max_waiting = WAITING_PER_SLOT * slots if max_waiting is None else max_waiting
        self.wait_seconds = wait_seconds
        self._limiter = anyio.CapacityLimiter(slots)

    @classmethod
    def for_memory(cls, memory_mb: int) -> HashPool:
        return cls(slots_for(memory_mb))

    @property
    def waiting(self) -> int:
        return self._limiter.statistics().tasks_waiting

    @property
    def running(self) -> int:
        return self._limiter.borrowed_tokens

    async def hash(self, password: str) -> str:
        return await self._run(hash_password, password)

    async def verify(self, stored: str, password: str) -> bool:
        return await self._run(verify_password, stored, password)

    async def _run(self, fn: Callable[..., T], *args: str) -> T:
        if self.waiting >= self.max_waiting:
            raise HashingBusy()
        acquired = False
        with anyio.move_on_after(self.wait_seconds):
            await self._limiter.acquire()
            acquired = True
        if not acquired:
            raise HashingBusy()
        try:
            # Not abandoned on cancellation: the slot stays taken until the hash has really ended.
            return await anyio.to_thread.run_sync(fn, *args)
        finally:
            self._limiter.release()
