"""The campaign's CRM over HTTP (organizers only): the connection, a check, the CRM's catalog, the mapping
per script version, the sync ledger, retries and replays. The key goes in and never comes out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.campaigns import Campaign
from dialer.crm import service
from dialer.crm.connection import ConnectionInvalid, parse_connection
from dialer.crm.ledger import Ledger
from dialer.crm.mapping import MappingInvalid, free_questions, parse_mapping, script_choices, unmapped
from dialer.crm.port import CrmError
from dialer.crm.sealing import Sealer, SealError
from dialer.crm.store import CrmStore
from dialer.models import ResultCode, Role
from dialer.stores.scripts import ScriptStore
from dialer.times import iso
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError

MAX_RETRY_IDS = 1000
STATUSES = ("waiting", "pending", "sending", "sent", "skipped", "failed")


async def _campaign(request: Request) -> Campaign:
    await require_user(request, Role.ORGANIZER)
    return await load_campaign(request, request.path_params["campaign_id"])


def _no_connection(campaign_id: str) -> ApiError:
    return ApiError(404, "no_crm_connection", f"Campaign {campaign_id!r} is not linked to a CRM.")


def _transport(request: Request) -> Any:
    return deps(request).services.get("crm_transport")  # tests point the CRM calls at a stand-in


async def get_connection(request: Request) -> Response:
    campaign = await _campaign(request)
    linked = await CrmStore(deps(request).redis).get(campaign.id)
    return JSONResponse({"connection": linked[0].to_json() if linked else None})


async def put_connection(request: Request) -> Response:
    campaign = await _campaign(request)
    body = await read_json_object(request)
    d = deps(request)
    try:
        connection, key = parse_connection(body, d.clock())
    except ConnectionInvalid as exc:
        raise ApiError(422, "validation_error", "The CRM connection is not valid.", exc.problems) from None
    if not d.settings.crm_key:
        raise ApiError(
            409,
            "crm_key_not_set",
            "The server has no DIALER_CRM_KEY to keep CRM keys with; ask its operator.",
        )
    await CrmStore(d.redis).link(campaign.id, connection, Sealer(d.settings.crm_key).seal(key))
    return JSONResponse({"connection": connection.to_json()})


async def delete_connection(request: Request) -> Response:
    campaign = await _campaign(request)
    if not await CrmStore(deps(request).redis).unlink(campaign.id):
        raise _no_connection(campaign.id)
    return Response(status_code=204)


async def _client(request: Request, campaign_id: str) -> Any:
    d = deps(request)
    try:
        client = await service.client_for(d.redis, d.settings, campaign_id, _transport(request))
    except (SealError, RuntimeError) as exc:
        raise ApiError(409, "crm_key_unreadable", str(exc)) from None
    if client is None:
        raise _no_connection(campaign_id)
    return client


async def check_connection(request: Request) -> Response:
    campaign = await _campaign(request)
    d = deps(request)
    client = await _client(request, campaign.id)
    try:
        message, ok = await client.check(), True
    except CrmError as exc:
        message, ok = str(exc), False
    finally:
        await client.aclose()
    await CrmStore(d.redis).record_check(campaign.id, ok, message, d.clock())
    return JSONResponse({"ok": ok, "message": message})


async def fetch_catalog(request: Request) -> Response:
    campaign = await _campaign(request)
    d = deps(request)
    client = await _client(request, campaign.id)
    try:
        catalog = await client.catalog()
    except CrmError as exc:
        raise ApiError(502, "crm_unreachable", str(exc)) from None
    finally:
        await client.aclose()
    await CrmStore(d.redis).save_catalog(campaign.id, catalog, d.clock())
    return JSONResponse({"catalog": catalog.to_json(), "fetched_at": iso(d.clock())})


async def _script_version(request: Request, campaign: Campaign, raw: str | None) -> tuple[int, Any]:
    if raw is not None and not (raw.isascii() and raw.isdigit() and len(raw) <= 9):  # "²", 5,000 digits
        raise ApiError(422, "validation_error", "The version is a whole number.", [{"path": "version"}])
    loaded = await ScriptStore(deps(request).redis).load(campaign.script_id, int(raw) if raw else None)
    if loaded is None:
        raise ApiError(404, "not_found", f"No version {raw or 'at all'} of script {campaign.script_id!r}.")
    return loaded


async def get_mapping(request: Request) -> Response:
    campaign = await _campaign(request)
    version, script = await _script_version(request, campaign, request.query_params.get("version"))
    store = CrmStore(deps(request).redis)
    mapping = await store.mapping(campaign.id, str(version))
    catalog = await store.catalog(campaign.id)
    body = {
        "script_id": campaign.script_id,
        "script_version": version,
        "mapped_versions": await store.mapped_versions(campaign.id),
        "results": [code.value for code in ResultCode],
        "questions": [{"key": q, "values": v} for q, v in script_choices(script).items()],
        "free_questions": free_questions(script),
        "mapping": mapping.to_json() if mapping else None,
        "unmapped": unmapped(script, mapping),
        "catalog": catalog[0].to_json() if catalog else None,
    }
    return JSONResponse(body)


async def put_mapping(request: Request) -> Response:
    campaign = await _campaign(request)
    version, script = await _script_version(request, campaign, request.path_params["version"])
    body = await read_json_object(request)
    store = CrmStore(deps(request).redis)
    catalog = await store.catalog(campaign.id)
    if catalog is None:
        raise ApiError(409, "no_catalog", "Load the CRM's codes first (POST .../crm/catalog).")
    try:
        mapping = parse_mapping(body, script, version, catalog[0])
    except MappingInvalid as exc:
        raise ApiError(422, "validation_error", "The mapping is not valid.", exc.problems) from None
    await store.save_mapping(campaign.id, mapping)
    return JSONResponse({"mapping": mapping.to_json(), "unmapped": unmapped(script, mapping)})


async def get_ledger(request: Request) -> Response:
    campaign = await _campaign(request)
    status = request.query_params.get("status")
    if status is not None and status not in STATUSES:
        raise ApiError(
            422, "validation_error", f"status is one of {', '.join(STATUSES)}.", [{"path": "status"}]
        )
    return JSONResponse(await service.ledger_view(deps(request).redis, campaign.id, status))


async def retry(request: Request) -> Response:
    campaign = await _campaign(request)
    body = await read_json_object(request)
    d = deps(request)
    if set(body) == {"all_failed"} and body["all_failed"] is True:
        ids: Any = await Ledger(d.redis, campaign.id).failed(limit=100_000)
    else:
        ids = body.get("entry_ids")
        if set(body) != {"entry_ids"} or not isinstance(ids, list) or not 0 < len(ids) <= MAX_RETRY_IDS:
            raise ApiError(
                422, "validation_error", 'Send {"entry_ids": [...]} (at most 1,000) or {"all_failed": true}.',
                [{"path": "entry_ids", "message": "a list of 1 to 1,000 results stream entry ids"}],
            )  # fmt: skip
        if not all(isinstance(i, str) and _entry_id(i) for i in ids):
            raise ApiError(422, "validation_error", "Not an entry id.", [{"path": "entry_ids"}])
    return JSONResponse({"requeued": await service.requeue(d.redis, campaign.id, ids, d.clock())})


def _entry_id(text: str) -> bool:
    ms, _, seq = text.partition("-")
    return text.isascii() and ms.isdigit() and seq.isdigit() and len(text) <= 41


def _when(body: dict[str, Any], name: str) -> float:
    value = body.get(name)
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        message = "an ISO 8601 time with its offset, e.g. 2026-11-03T00:00:00-05:00"
        raise ApiError(
            422, "validation_error", f"`{name}` is not a time.", [{"path": name, "message": message}]
        )
    return parsed.timestamp()


async def replay(request: Request) -> Response:
    campaign = await _campaign(request)
    body = await read_json_object(request)
    unknown = sorted(set(body) - {"from", "to"})
    if unknown:
        raise ApiError(
            422, "validation_error", "Unknown field.", [{"path": unknown[0], "message": "unknown"}]
        )
    start, end = _when(body, "from"), _when(body, "to")
    if end < start:
        raise ApiError(422, "validation_error", "`to` is before `from`.", [{"path": "to"}])
    d = deps(request)
    return JSONResponse({"requeued": await service.replay(d.redis, campaign.id, start, end, d.clock())})


P = "/api/campaigns/{campaign_id}/crm"
routes: list[BaseRoute] = [
    Route(P, get_connection, methods=["GET"]),
    Route(P, put_connection, methods=["PUT"]),
    Route(P, delete_connection, methods=["DELETE"]),
    Route(P + "/check", check_connection, methods=["POST"]),
    Route(P + "/catalog", fetch_catalog, methods=["POST"]),
    Route(P + "/mapping", get_mapping, methods=["GET"]),
    Route(P + "/mapping/{version}", put_mapping, methods=["PUT"]),
    Route(P + "/ledger", get_ledger, methods=["GET"]),
    Route(P + "/retry", retry, methods=["POST"]),
    Route(P + "/replay", replay, methods=["POST"]),
]
