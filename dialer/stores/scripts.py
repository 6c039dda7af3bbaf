"""The script store: every uploaded version of every script, in Redis (an adapter, not part of the core).

Keys (see `dialer.queue.keys`): `script(sid)` hash version -> document JSON; `script_latest(sid)` the
newest version number; `SCRIPTS` zset of ids by update time. Versions never change once written, so parsed
scripts are cached by (id, version) in the process.

No redis import here: the client is passed in (a `redis.asyncio.Redis` with `decode_responses=True`), which
keeps the `dialer.scripts` package importable without I/O libraries.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from dialer.queue import keys
from dialer.scripts.model import Problem, Script, ScriptError
from dialer.scripts.stored import later_findings
from dialer.scripts.validate import validate_script
from dialer.times import iso


@dataclass(frozen=True)
class StoredScript:
    id: str
    version: int
    document: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """API.md's GET answer: the document as uploaded, with its `version`."""
        return {**self.document, "version": self.version}


@dataclass(frozen=True)
class ScriptSummary:
    """What a picker shows of an uploaded script: its id, title and latest version."""

    id: str
    title: str
    version: int
    updated_at: float

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "version": self.version,
            "updated_at": iso(self.updated_at),
        }


@functools.cache
def _save_source() -> str:
    return (resources.files("dialer.queue") / "lua" / "save_script.lua").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=256)
def _parse(document_json: str) -> Script:
    script, problems = validate_script(json.loads(document_json), stored=True)
    if script is None:  # only possible if someone wrote to Redis by hand
        raise ScriptError(problems)
    return script


@functools.lru_cache(maxsize=256)
def stored_findings(document_json: str) -> tuple[Problem, ...]:
    """What the checks added since a stored version was uploaded find in it, as warnings (CPU work: call it
    off the event loop; cached, as versions never change)."""
    return tuple(later_findings(json.loads(document_json)))


class ScriptStore:
    def __init__(self, redis: Any) -> None:
        self.redis = redis

    async def save(self, script: Script, now: float) -> int:
        """Store `script` (validated: it comes from the loader) as a new version; returns the version."""
        document = json.dumps(dict(script.document), ensure_ascii=False, separators=(",", ":"))
        keys_ = [keys.script(script.id), keys.script_latest(script.id)]
        # EVAL, not EVALSHA: uploads are rare and the source is small, so no per-connection registration.
        version = await self.redis.eval(_save_source(), len(keys_), *keys_, script.id, document)
        # The index is in another slot: a crash between the two leaves a stored script unlisted, not lost.
        await self.redis.zadd(keys.SCRIPTS, {script.id: now})
        return int(version)

    async def latest_version(self, script_id: str) -> int | None:
        raw = await self.redis.get(keys.script_latest(script_id))
        return int(raw) if raw is not None else None

    async def raw(self, script_id: str, version: int | None = None) -> tuple[int, str] | None:
        """(version, document JSON) of a version (default: the latest), or None when there is none."""
        return await self._stored(script_id, version)

    async def _stored(self, script_id: str, version: int | None) -> tuple[int, str] | None:
        """(version, document JSON) of a version (default: the latest), or None when there is none."""
        if version is None:
            version = await self.latest_version(script_id)
            if version is None:
                return None
        raw = await self.redis.hget(keys.script(script_id), str(version))
        return (version, raw) if raw is not None else None

    async def get(self, script_id: str, version: int | None = None) -> StoredScript | None:
        """A version of a script (default: the latest) as stored, or None when there is no such thing."""
        found = await self._stored(script_id, version)
        return StoredScript(script_id, found[0], json.loads(found[1])) if found else None

    async def load(self, script_id: str, version: int | None = None) -> tuple[int, Script] | None:
        """The parsed `Script` for the engine and call sessions, with its version (cached per version)."""
        found = await self._stored(script_id, version)
        return (found[0], _parse(found[1])) if found else None

    async def ids(self) -> list[str]:
        """Script ids, most recently updated first."""
        return list(await self.redis.zrevrange(keys.SCRIPTS, 0, -1))

    async def summaries(self, limit: int = 200) -> list[ScriptSummary]:
        """The `limit` most recently updated scripts, newest first, with their titles (three round trips)."""
        entries = await self.redis.zrevrange(keys.SCRIPTS, 0, limit - 1, withscores=True)
        if not entries:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for script_id, _ in entries:
                pipe.get(keys.script_latest(script_id))
            versions = await pipe.execute()
        async with self.redis.pipeline(transaction=False) as pipe:
            for (script_id, _), version in zip(entries, versions, strict=True):
                pipe.hget(keys.script(script_id), str(version or 0))
            documents = await pipe.execute()
        out: list[ScriptSummary] = []
        for (script_id, updated), version, raw in zip(entries, versions, documents, strict=True):
            if version is None or raw is None:
                continue  # listed, but its document is gone (only if someone wrote to Redis by hand)
            title = json.loads(raw).get("title")
            out.append(
                ScriptSummary(script_id, title if isinstance(title, str) else "", int(version), updated)
            )
        return out


async def export_questions(redis: Any, campaign_id: str, script_id: str) -> list[str]:
    """The results export's question columns: the campaign's script's latest questions in order, then
    those only earlier versions asked, then those of the scripts the campaign ran before a switch. Answers
    recorded with a question a later version renamed, or with the morning's script, stay in the export."""
    past = sorted(await redis.smembers(keys.past_scripts(campaign_id)) - {script_id})
    out: dict[str, None] = {}
    store = ScriptStore(redis)
    for sid in (script_id, *past):
        versions = sorted((int(v) for v in await redis.hkeys(keys.script(sid))), reverse=True)
        for version in versions:
            try:
                loaded = await store.load(sid, version)
            except ScriptError:
                continue
            if loaded is not None:
                out.update(dict.fromkeys(loaded[1].questions()))
    return list(out)
