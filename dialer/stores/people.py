"""People, as organizers find them: prefix search of users by the words of their name and their email,
a page at a time, with their team, calls, campaigns and when they were last seen.

Never loads every user: the search walks a sorted index (`keys.USERS_LEX`, members `<word>\\x1f<uid>`, all
scored 0, so ZRANGEBYLEX finds a prefix in O(log N)); without a search, pages come from `keys.USERS` by
rank. Accounts made before the index are indexed once, by `ensure_index`. Cursors are opaque to clients:
`m:<member>` after a search's last index entry, `i:<rank>` for the next rank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import redis.asyncio as aioredis

from dialer.queue import keys
from dialer.times import iso

SEP = "\x1f"
_SPLIT = re.compile(r"[\s@.+_-]+")
BUILD_CHUNK = 500


class BadCursor(ValueError):
    pass


def words(name: str, email: str) -> set[str]:
    """What a search may start with: each word of the name and of the email, the whole email, its domain."""
    email = email.lower()
    found = {w for w in _SPLIT.split(f"{name.lower()} {email}") if w}
    found.add(email)
    found.add(email.rpartition("@")[2])  # the domain: everyone from one organization
    found.add(name.lower().strip())
    return {w.replace(SEP, "") for w in found if w.strip()}


async def index_user(redis: aioredis.Redis, uid: str, name: str, email: str) -> None:
    await redis.zadd(keys.USERS_LEX, {f"{w}{SEP}{uid}": 0 for w in words(name, email)})


async def ensure_index(redis: aioredis.Redis) -> None:
    """Indexes accounts that predate the index (once; new accounts are indexed as they are made)."""
    if await redis.exists(keys.USERS_LEX_BUILT) or not await redis.zcard(keys.USERS):
        return  # indexed, or nobody yet (a fresh store stays empty until someone signs up)
    start = 0
    while ids := [str(i) for i in await redis.zrange(keys.USERS, start, start + BUILD_CHUNK - 1)]:
        async with redis.pipeline(transaction=False) as pipe:
            for uid in ids:
                pipe.hmget(keys.user(uid), ["name", "email"])
            rows = await pipe.execute()
        for uid, (name, email) in zip(ids, rows, strict=True):
            if name and email:
                await index_user(redis, uid, str(name), str(email))
        start += BUILD_CHUNK
    await redis.set(keys.USERS_LEX_BUILT, "1")


@dataclass(frozen=True)
class Found:
    ids: list[str]
    next: str | None
    total: int  # every account (not only the matches: counting those would mean walking them all)


# The upper end of a prefix's range: the last code point, whose UTF-8 bytes (f4 8f bf bf) sort after every
# word that starts with the prefix. "\xff" (c3 bf) sorted before Cyrillic, Greek or CJK letters.
LAST = "\U0010ffff"


async def search(redis: aioredis.Redis, query: str, cursor: str = "", limit: int = 25) -> Found:
    """A page of user ids whose name or email has a word starting with `query` (all users when empty).

    Raises BadCursor for a cursor this function did not hand out."""
    await ensure_index(redis)
    total = int(await redis.zcard(keys.USERS))
    q = query.strip().lower().replace(SEP, "")
    if not q:
        rank = _rank(cursor)
        ranked = [str(i) for i in await redis.zrange(keys.USERS, rank, rank + limit)]
        more = len(ranked) > limit
        return Found(ranked[:limit], f"i:{rank + limit}" if more else None, total)
    if cursor and not cursor.startswith("m:"):
        raise BadCursor(cursor)
    low = f"({cursor[2:]}" if cursor else f"[{q}"
    kept: list[tuple[str, str]] = []  # (index member, uid)
    while len(kept) <= limit:
        high = f"[{q}{LAST}"
        got = [str(m) for m in await redis.zrangebylex(keys.USERS_LEX, low, high, start=0, num=limit + 1)]
        if not got:
            break
        kept += await _first_matches(redis, q, got)
        low = f"({got[-1]}"
    ids = [uid for _, uid in kept[:limit]]
    return Found(ids, f"m:{kept[limit - 1][0]}" if len(kept) > limit else None, total)


async def _first_matches(redis: aioredis.Redis, q: str, members: list[str]) -> list[tuple[str, str]]:
    """The members that are their user's first word starting with `q`: so a user whose name and email
    both match is listed once, at one place in the order, on whichever page that falls."""
    pairs = [(m, *m.rpartition(SEP)[::2]) for m in members]
    async with redis.pipeline(transaction=False) as pipe:
        for _, _, uid in pairs:
            pipe.hmget(keys.user(uid), ["name", "email"])
        found = await pipe.execute()
    out = []
    for (member, word, uid), (name, email) in zip(pairs, found, strict=True):
        if name is None or email is None:
            continue  # an account gone since
        first = min(w for w in [*words(str(name), str(email)), word] if w.startswith(q))
        if first == word:
            out.append((member, uid))
    return out


def _rank(cursor: str) -> int:
    if not cursor:
        return 0
    if not re.fullmatch(r"i:[0-9]{1,9}", cursor):
        raise BadCursor(cursor)
    return int(cursor[2:])


async def touch(redis: aioredis.Redis, uid: str, now: float) -> None:
    """Notes that the user used the app now (only ever moves forward)."""
    await redis.zadd(keys.USERS_SEEN, {uid: now}, gt=True)


async def rows(
    redis: aioredis.Redis, ids: list[str], campaigns: list[tuple[str, str]]
) -> list[dict[str, object]]:
    """The People page's row of each account in `ids` (those that exist): who they are, their team, their
    calls in each campaign (`campaigns`: (id, name) pairs) and when they were last seen. One pipeline."""
    async with redis.pipeline(transaction=False) as pipe:
        for uid in ids:
            pipe.hgetall(keys.user(uid))
            pipe.zscore(keys.USERS_SEEN, uid)
            for campaign_id, _ in campaigns:
                pipe.zscore(keys.leaderboard(campaign_id), uid)
        answers = list(await pipe.execute())
    team_names = await _team_names(redis, answers[:: 2 + len(campaigns)])
    out: list[dict[str, object]] = []
    step = 2 + len(campaigns)
    for n, uid in enumerate(ids):
        data, seen, *scores = answers[n * step : (n + 1) * step]
        if not data or not data.get("email"):
            continue
        calls = [
            {"id": cid, "name": name, "calls": int(float(score))}
            for (cid, name), score in zip(campaigns, scores, strict=True)
            if score
        ]
        team = str(data.get("team") or "")
        out.append(
            {
                "id": uid,
                "email": data["email"],
                "name": data.get("name", ""),
                "role": data.get("role", "volunteer"),
                "disabled": data.get("disabled") == "1",
                "team": {"id": team, "name": team_names.get(team, "")} if team else None,
                "last_seen": iso(float(seen)) if seen is not None else None,
                "calls": sum(int(c["calls"]) for c in calls),  # type: ignore[call-overload]
                "campaigns": calls,
            }
        )
    return out


async def _team_names(redis: aioredis.Redis, users: list[dict[str, str]]) -> dict[str, str]:
    teams = sorted({u.get("team", "") for u in users if u and u.get("team")})
    if not teams:
        return {}
    async with redis.pipeline(transaction=False) as pipe:
        for team_id in teams:
            pipe.hget(keys.team(team_id), "name")
        names = await pipe.execute()
    return {t: str(n or "") for t, n in zip(teams, names, strict=True)}
