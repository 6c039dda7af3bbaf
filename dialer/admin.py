"""Command-line administration: accounts, script and call-list imports, exports.

Each command opens its own connection (REDIS_URL, else the embedded server under the data dir), runs the
same service code the web app uses, and closes it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator

import redis.asyncio as aioredis

from dialer.connections import async_client, resolve_url
from dialer.models import Role
from dialer.names import unprintable
from dialer.passwords import password_problem
from dialer.settings import Settings
from dialer.stores.accounts import EMAIL_RE, AccountStore, EmailTaken


@contextlib.asynccontextmanager
async def connect(settings: Settings) -> AsyncIterator[aioredis.Redis]:
    url, embedded = resolve_url(settings)
    client = async_client(url)
    try:
        yield client
    finally:
        await client.aclose()
        if embedded is not None:
            embedded.stop()


def create_user(settings: Settings, *, email: str, name: str, role: str, password: str | None) -> int:
    if not EMAIL_RE.match(email.strip()):
        print(f"dialer: {email!r} is not an email address", file=sys.stderr)
        return 2
    if (why := unprintable(name)) is not None:
        print(f"dialer: the name {why}", file=sys.stderr)
        return 2
    problem = password_problem(password, email) if password is not None else None
    if problem is not None:
        print(f"dialer: the password {problem}", file=sys.stderr)
        return 2

    async def go() -> int:
        async with connect(settings) as redis:
            store = AccountStore(redis)
            try:
                user = await store.create(email, name, password, Role(role), time.time())
            except EmailTaken:
                print(f"dialer: an account with email {email} exists", file=sys.stderr)
                return 1
            token = await store.issue_token(user.id, ttl=None)
            print(token)
            print(f"created {user.role.value} {user.email} (id {user.id})", file=sys.stderr)
            return 0

    return asyncio.run(go())


def import_script(settings: Settings, args: argparse.Namespace) -> int:
    from dialer.scripts.cli import import_script_file  # type: ignore[import-not-found,unused-ignore]

    async def go() -> int:
        async with connect(settings) as redis:
            return int(await import_script_file(redis, args.file))

    return asyncio.run(go())


def import_contacts(settings: Settings, args: argparse.Namespace) -> int:
    from dialer.queue.cli import import_contacts_file  # type: ignore[import-not-found,unused-ignore]

    async def go() -> int:
        async with connect(settings) as redis:
            return int(await import_contacts_file(redis, args.campaign, args.file))

    return asyncio.run(go())


def export_results(settings: Settings, args: argparse.Namespace) -> int:
    from dialer.queue.cli import export_results_file  # type: ignore[import-not-found,unused-ignore]

    async def go() -> int:
        async with connect(settings) as redis:
            return int(await export_results_file(redis, args.campaign, args.output, excel=args.excel))

    return asyncio.run(go())
