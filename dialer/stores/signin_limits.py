"""How hard sign-in may be guessed at: attempts per email and address, per email, failures per address,
counted atomically.

- Per email and address: at most `ATTEMPTS_PER_EMAIL_AND_ADDRESS` attempts in the window, counted *before*
  the password is checked (login_attempt.lua), so 40 concurrent guesses from one place get 5 checks and 35
  refusals, whatever comes first; a success clears the count. Counting per email alone let anyone lock an
  account (the organizer's on a call day) with 5 wrong passwords every 15 minutes: now a guesser locks out
  only their own address, and the owner still signs in from theirs.
- Per email, from every address: at most `ATTEMPTS_PER_EMAIL` (much higher) in the window, so guessing
  spread over many addresses is bounded too (a success takes its own attempt back).
- Per address: failures (wrong passwords, unknown bearer tokens) are counted. Past `FAILURES_PER_ADDRESS`
  a wrong password is answered 429 instead of 401, but a right one still signs in: behind a proxy or an
  office NAT every volunteer shares one address (API.md). Only past the much higher `HARD_LIMIT_PER_ADDRESS`
  is every sign-in from the address refused until its window ends: that bounds password spraying across
  many accounts, which the per-email limits cannot see.

An "address" is an IPv4 address, or an IPv6 host's whole /64 (`address_bucket`): a home or cloud
connection is given at least a /64, and one machine may send from any address in it, so counting each
IPv6 address alone gave a single guesser 2^64 fresh addresses, each with its own 5 guesses per email and
its own 30 and 300 failures.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.queue.lua_scripts import run

ATTEMPTS_PER_EMAIL_AND_ADDRESS = 5
ATTEMPTS_PER_EMAIL = 100
FAILURES_PER_ADDRESS = 30
HARD_LIMIT_PER_ADDRESS = 300
WINDOW_SECONDS = 15 * 60


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def address_bucket(address: str) -> str:
    """What the per-address limits count: an IPv6 address's /64 network (an IPv4-mapped one's IPv4
    address), an IPv4 address as it is; anything else (a test client's name, "unknown") as given."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _email_key(email: str) -> str:
    return keys.ratelimit("login-email", hashlib.sha256(email.encode()).hexdigest()[:32])


def _pair_key(email: str, address: str) -> str:
    return keys.ratelimit(
        "login-pair", hashlib.sha256(f"{email}\n{address_bucket(address)}".encode()).hexdigest()[:32]
    )


def _address_key(address: str) -> str:
    return keys.ratelimit("login-addr", address_bucket(address))


@dataclass(frozen=True)
class Attempt:
    """A counted sign-in attempt; settle it with `succeeded`, `failed` or `unchecked`."""

    redis: aioredis.Redis
    keys: list[str]  # the email and address's, the email's, the address's counters
    address_count: int

    async def succeeded(self) -> None:
        await run(self.redis, "login_settle", self.keys, ["success"])

    async def unchecked(self) -> None:
        await run(self.redis, "login_settle", self.keys, ["unchecked"])

    def failed(self) -> None:
        """The failure stays counted; raises RateLimited once the address is past its soft limit."""
        if self.address_count > FAILURES_PER_ADDRESS:
            raise RateLimited(WINDOW_SECONDS)


async def begin(redis: aioredis.Redis, email: str, address: str) -> Attempt:
    """Counts an attempt for `email` (normalized) from `address`; raises RateLimited when over a limit."""
    counters = [_pair_key(email, address), _email_key(email), _address_key(address)]
    reply = await run(
        redis,
        "login_attempt",
        counters,
        [ATTEMPTS_PER_EMAIL_AND_ADDRESS, ATTEMPTS_PER_EMAIL, HARD_LIMIT_PER_ADDRESS, WINDOW_SECONDS],
    )
    if not int(reply[0]):
        raise RateLimited(int(reply[1]))
    return Attempt(redis, counters, int(reply[3]))


async def count_failure(redis: aioredis.Redis, address: str) -> None:
    """A failure from `address` that was not a password (an unknown bearer token)."""
    await run(redis, "count_failure", [_address_key(address)], [WINDOW_SECONDS])
