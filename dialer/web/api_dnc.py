"""The do-not-call list for the organizers' page: list and search, count, export, removals with a
reason, and the audit of who changed the list and when. Additions stay `POST /api/dnc` (api_queue.py).

Organizers and admins only: the list is voters' phone numbers."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.contacts import normalize_phone
from dialer.models import Role
from dialer.queue import dnc, dnc_pages
from dialer.stores.accounts import User
from dialer.times import iso
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.export_slots import ExportResponse, ExportSlots
from dialer.web.query import is_first_stream_id, query_int, query_stream_id, query_text
from dialer.web.validate import Problems

MAX_REASON = 500


async def audit_change(request: Request, user: User, action: str, **fields: str) -> str:
    """Records who changed the list, when (the app's clock) and how; returns the audit entry's id."""
    entry = {
        "action": action,
        "by": user.id,
        "by_name": user.name,
        "at": repr(deps(request).clock()),
        **fields,
    }
    return await dnc_pages.record(deps(request).redis, entry)


async def list_dnc(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    query = request.query_params
    q = query_text(query, "q", max_len=40)
    after = query_text(query, "after", max_len=20)
    limit = query_int(query, "limit", low=1, high=500, default=50)
    found = await dnc_pages.page(deps(request).redis, q, after, limit)
    return JSONResponse({"count": found.count, "phones": found.phones, "next": found.next})


async def export_dnc(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    redis = deps(request).redis

    async def lines() -> AsyncGenerator[str]:
        yield "phone\n"
        async for chunk in dnc_pages.export(redis):
            yield "".join(f"{phone}\n" for phone in chunk)

    # One of the process's export slots, as results.csv takes: each download holds a Redis connection.
    slots: ExportSlots = deps(request).services.setdefault("exports", ExportSlots())
    return ExportResponse(
        slots.stream(lines()),
        stall_seconds=deps(request).settings.export_stall_seconds,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="do-not-call.csv"'},
    )


async def remove_with_reason(request: Request) -> Response:
    user = await require_user(request, Role.ORGANIZER)
    body = await read_json_object(request)
    problems = Problems()
    problems.unknown_fields(body, {"phone", "reason"})
    raw = problems.string(body, "phone", max_len=40)
    reason = problems.string(body, "reason", max_len=MAX_REASON)
    phone = normalize_phone(raw) if raw else None
    if raw and phone is None:
        problems.add("phone", "not a phone number")
    problems.raise_if_any("Give the number and the reason for taking it off the list.")
    assert phone is not None and reason is not None
    if not await dnc.remove(deps(request).redis, phone):
        raise ApiError(404, "not_listed", f"{phone} is not on the do-not-call list.")
    entry_id = await audit_change(request, user, "remove", phone=phone, reason=reason)
    return JSONResponse({"phone": phone, "removed": True, "audit_id": entry_id})


async def dnc_audit(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    query = request.query_params
    before = query_stream_id(query, "before")
    limit = query_int(query, "limit", low=1, high=500, default=50)
    if before and is_first_stream_id(before):
        return JSONResponse({"entries": [], "next": None})
    entries, cursor = await dnc_pages.audit(deps(request).redis, before, limit)
    # The stream keeps the epoch the change was made at; the API answers ISO 8601 UTC, as every time.
    shown = [{**e, "at": iso(float(e.get("at") or 0))} for e in entries]
    return JSONResponse({"entries": shown, "next": cursor})


routes: list[BaseRoute] = [
    Route("/api/dnc", list_dnc, methods=["GET"]),
    Route("/api/dnc.csv", export_dnc, methods=["GET"]),
    Route("/api/dnc/removals", remove_with_reason, methods=["POST"]),
    Route("/api/dnc/audit", dnc_audit, methods=["GET"]),
]
