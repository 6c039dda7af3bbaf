"""Command-line administration: accounts, script and call-list imports, exports.

Each command opens its own connection (REDIS_URL, else the embedded server under the data dir), runs the
same service code the web app uses, and closes it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import sys
import time
from collections.abc import AsyncIterator
from typing import TextIO

import redis.asyncio as aioredis

from dialer.connections import async_client, resolve_url
from dialer.models import Role
from dialer.names import unprintable
from dialer.passwords import password_problem
from dialer.settings import Settings
from dialer.stores import password_resets
from dialer.stores.accounts import EMAIL_RE, AccountStore, EmailTaken, normalize_email


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


MAX_NAME = 120  # sign-up's limit on a name


def create_user(settings: Settings, *, email: str, name: str, role: str, password: str | None) -> int:
    if not EMAIL_RE.match(normalize_email(email)):
        print(f"dialer: {email!r} is not an email address", file=sys.stderr)
        return 2
    if (why := unprintable(name)) is not None:
        print(f"dialer: the name {why}", file=sys.stderr)
        return 2
    # As sign-up takes a name (web/api_auth.py): at most 120 characters as given, then stripped, not empty.
    if len(name) > MAX_NAME:
        print(f"dialer: the name must be at most {MAX_NAME} characters", file=sys.stderr)
        return 2
    name = name.strip()
    if not name:
        print("dialer: the name must not be empty", file=sys.stderr)
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
                print(
                    f"dialer: an account with email {email} exists: sign in with it at /signin, or set "
                    f"its password with `dialer user set-password --email {email}`",
                    file=sys.stderr,
                )
                return 1
            token = await store.issue_token(user.id, ttl=None)
            print(token)
            print(f"created {user.role.value} {user.email} (id {user.id})", file=sys.stderr)
            return 0

    return asyncio.run(go())


def read_new_password(stdin: TextIO) -> str | None:
    """The new password: typed twice at a hidden prompt on a terminal, else the first line of stdin (a
    pipe or a file). Never a command-line argument, which other users of the machine can see in `ps` and
    which stays in the shell's history. None when the two typed differ."""
    if stdin.isatty():
        first = getpass.getpass("New password: ")
        return first if getpass.getpass("Again: ") == first else None
    return stdin.readline().rstrip("\r\n")


def set_password(settings: Settings, *, email: str, stdin: TextIO) -> int:
    """Sets an account's password (sign-up's policy) and ends every session of the account."""
    password = read_new_password(stdin)
    if password is None:
        print("dialer: the two passwords differ; nothing changed", file=sys.stderr)
        return 2
    if (problem := password_problem(password, email.strip().lower())) is not None:
        print(f"dialer: the password {problem}; nothing changed", file=sys.stderr)
        return 2

    async def go() -> int:
        async with connect(settings) as redis:
            store = AccountStore(redis)
            found = await store.by_email(email)
            if found is None:
                print(f"dialer: no account has the email {email}", file=sys.stderr)
                return 1
            user = found[0]
            ended = await store.set_password(user.id, password)
            await password_resets.revoke(redis, user.id)
            await password_resets.audit(
                redis, user.id, "password_set", by="cli", name="dialer user set-password", now=time.time()
            )
            print(f"password set for {user.email}; {ended} session(s) signed out", file=sys.stderr)
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
