"""Stored scripts that trap volunteers: what the checks added since their upload find in them, for the pages.

A version uploaded before a check existed is still read back (campaigns call with it), so nothing refused it;
the Scripts page, the campaigns using it and the script's "Check and preview" say it as warnings instead.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection

from dialer.stores.scripts import ScriptStore, stored_findings
from dialer.web.deps import deps
from dialer.web.offload import offload


async def script_findings(conn: HTTPConnection, script_id: str) -> dict[str, Any] | None:
    """`{script_id, version, warnings: [{path, message}]}` for the latest version of the script when the
    later checks find anything in it, else None (no such script, or nothing found)."""
    found = await ScriptStore(deps(conn).redis).raw(script_id)
    if found is None:
        return None
    warnings = await offload(conn, stored_findings, found[1])
    if not warnings:
        return None
    return {"script_id": script_id, "version": found[0], "warnings": [p.as_detail() for p in warnings]}


async def scripts_findings(conn: HTTPConnection, script_ids: list[str]) -> list[dict[str, Any]]:
    """script_findings for each of `script_ids` that has any, in their order."""
    found = [await script_findings(conn, script_id) for script_id in script_ids]
    return [f for f in found if f is not None]
