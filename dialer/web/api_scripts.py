"""Script routes: upload a script (JSON or YAML) as a new version, and read the latest version back."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.scripts import ScriptError, load_script, script_format
from dialer.scripts.loader import MAX_BYTES
from dialer.stores.campaigns import CampaignStore
from dialer.stores.scripts import ScriptStore
from dialer.transfers import unknown_targets
from dialer.web.auth import require_user
from dialer.web.body import read_body
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.offload import offload
from dialer.web.script_fields import gaps_in_campaigns


async def upload_script(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    # No Content-Type: read it as YAML, which also accepts JSON documents.
    content_type = request.headers.get("content-type") or "application/yaml"
    if script_format(content_type) is None:
        raise ApiError(
            415, "unsupported_media_type", "Send the script as application/json or application/yaml."
        )
    raw = await read_body(request, MAX_BYTES)
    try:
        # Parsing and checking a large script takes a while: off the event loop, so other requests go on.
        loaded = await offload(request, load_script, raw, content_type)
    except ScriptError as exc:
        count = len(exc.errors)
        raise ApiError(
            422,
            "invalid_script",
            f"The script has {count} problem{'s' if count != 1 else ''}; nothing was saved.",
            [p.as_detail() for p in exc.errors],
        ) from None
    d = deps(request)
    # The campaigns on this script call with its new version at once: a transfer to a target one of them
    # does not list would fail in a volunteer's hands, so it fails here (add the target to them first).
    campaigns = await CampaignStore(d.redis).list()
    problems = [
        {**p, "message": f"campaign {c.id!r}: {p['message']}"}
        for c in campaigns
        if c.script_id == loaded.script.id and not c.archived
        for p in unknown_targets(loaded.script.transfers(), c.transfer_targets)
    ]
    if problems:
        raise ApiError(
            422,
            "invalid_script",
            "The script hands voters on to transfer targets a campaign using it does not list; nothing was "
            "saved. Add them to those campaigns' transfer targets first.",
            problems,
        )
    version = await ScriptStore(d.redis).save(loaded.script, now=d.clock())
    body = {
        "id": loaded.script.id,
        "version": version,
        # Besides the script's own: contact fields it reads that a campaign using it has no column for.
        "warnings": [p.as_detail() for p in loaded.warnings]
        + await gaps_in_campaigns(d.redis, loaded.script, campaigns),
    }
    return JSONResponse(body, status_code=201)


async def get_script(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    script_id = request.path_params["script_id"]
    stored = await ScriptStore(deps(request).redis).get(script_id)
    if stored is None:
        raise ApiError(404, "not_found", f"No script {script_id!r}.")
    return JSONResponse(stored.to_json())


async def list_scripts(request: Request) -> Response:
    """The uploaded scripts, most recently updated first: what the campaign form's script picker offers."""
    await require_user(request, Role.ORGANIZER)
    summaries = await ScriptStore(deps(request).redis).summaries()
    return JSONResponse([s.to_json() for s in summaries])


routes: list[BaseRoute] = [
    Route("/api/scripts", upload_script, methods=["POST"]),
    Route("/api/scripts", list_scripts, methods=["GET"]),
    Route("/api/scripts/{script_id}", get_script, methods=["GET"]),
]
