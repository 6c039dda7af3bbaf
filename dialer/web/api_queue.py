"""Call lists and the do-not-call list over HTTP: contact import, DNC additions and removals.

Handlers parse, call the importer or the DNC module, and answer. A CSV arrives as `text/csv` (the body)
or as the multipart field `file`; either way it is read in chunks and parsed a line at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import IO, Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.campaigns import Campaign
from dialer.contacts import CsvError, FileWarning, normalize_phone
from dialer.models import Role
from dialer.queue import audit, dnc, import_watch, keys
from dialer.queue.importer import import_contacts, import_progress
from dialer.web.api_campaigns import load_campaign
from dialer.web.api_dnc import MAX_REASON, audit_change
from dialer.web.auth import require_user
from dialer.web.body import parse_json, read_body
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.offload import offload
from dialer.web.query import query_text
from dialer.web.script_fields import gaps_for_campaign

JSON_PHONES_LIMIT = 100_000
MAX_DETAILS = 1000  # problems listed in one answer
READ_SIZE = 1 << 20
_CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/vnd.ms-excel")


def _file_chunks(file: IO[bytes]) -> Iterator[bytes]:
    while chunk := file.read(READ_SIZE):
        yield chunk


class _CsvBody:
    """The uploaded CSV as byte chunks, whichever way it came; `close()` frees a multipart upload."""

    def __init__(
        self,
        chunks: list[bytes] | None = None,
        upload: UploadFile | None = None,
        form: FormData | None = None,
    ) -> None:
        self._chunks = chunks
        self._upload = upload
        self._form = form

    def chunks(self) -> Iterator[bytes]:
        if self._upload is not None:
            self._upload.file.seek(0)
            return _file_chunks(self._upload.file)
        return iter(self._chunks or [])

    async def close(self) -> None:
        if self._form is not None:
            await self._form.close()  # closes (and deletes) every uploaded file


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _csv_limit(request: Request) -> int:
    """DIALER_MAX_UPLOAD_MB (64 MB by default; a 100,000-row list is ~10 MB). The app's BodyLimitMiddleware
    counts every body's bytes as they stream, multipart ones included."""
    return deps(request).settings.max_body_bytes


async def _read_csv(request: Request) -> _CsvBody:
    media = _media_type(request)
    if media == "multipart/form-data":
        form = await request.form(max_files=1, max_fields=20)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            await form.close()
            raise ApiError(
                422,
                "validation_error",
                "Send the CSV in the multipart field `file`.",
                [{"path": "file", "message": "missing"}],
            )
        return _CsvBody(upload=upload, form=form)
    if media in _CSV_TYPES:
        return _CsvBody(chunks=[await read_body(request, _csv_limit(request))])
    raise ApiError(
        415, "unsupported_media_type", "Send the list as text/csv or as the multipart field `file`."
    )


def _invalid_csv(exc: CsvError) -> ApiError:
    return ApiError(
        422, "invalid_csv", f"The file cannot be imported: {exc}.", [{"path": "file", "message": str(exc)}]
    )


async def import_list(request: Request) -> Response:
    user = await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    d = deps(request)
    body = await _read_csv(request)

    async def audited(detail: dict[str, Any]) -> None:
        await audit.record(
            d.redis, campaign.id, user=user.id, name=user.name, action="contacts_upload", detail=detail,
            now=d.clock(),
        )  # fmt: skip

    if request.query_params.get("background", "").lower() in ("1", "true", "yes"):
        await audited({"background": True})
        return await _import_in_background(request, campaign.id, campaign.default_timezone, body)
    try:
        report = await import_contacts(
            d.redis, campaign.id, body.chunks(), default_timezone=campaign.default_timezone, now=d.clock()
        )
    except CsvError as exc:
        raise _invalid_csv(exc) from None
    finally:
        await body.close()
    await audited(
        {"imported": report.imported, "duplicates": report.duplicates, "invalid": len(report.invalid)}
    )
    return JSONResponse(await _with_script_fields(request, campaign, report.to_json()))


async def _with_script_fields(request: Request, campaign: Campaign, report: dict[str, Any]) -> dict[str, Any]:
    """The report with `script_fields`: what the campaign's script reads that none of its lists has."""
    gaps = await gaps_for_campaign(deps(request).redis, campaign)
    return {**report, "script_fields": [gap.to_json() for gap in gaps]}


async def _import_in_background(
    request: Request, campaign_id: str, default_timezone: str, body: _CsvBody
) -> Response:
    """Keeps the upload in Redis and queues an RQ job: 202 with where to follow its progress."""
    d = deps(request)
    enqueue = d.services.get("enqueue")
    if enqueue is None:
        await body.close()
        raise ApiError(
            503, "no_worker_queue", "Background imports need the job queue; import without ?background."
        )
    job_id = uuid.uuid4().hex[:16]
    try:
        data = b"".join(body.chunks())
    finally:
        await body.close()
    await d.redis.set(keys.import_upload(campaign_id, job_id), data, ex=24 * 3600)
    await d.redis.hset(
        keys.import_job(campaign_id, job_id),
        mapping={"status": "queued", "rows": 0, "default_timezone": default_timezone},
    )
    await d.redis.expire(keys.import_job(campaign_id, job_id), 7 * 24 * 3600)
    await import_watch.mark_queued(d.redis, campaign_id, job_id, d.clock())  # restarted if its worker dies
    await enqueue("dialer.queue.importer.import_upload_job", campaign_id, job_id, default_timezone)
    url = f"/api/campaigns/{campaign_id}/imports/{job_id}"
    return JSONResponse(
        {"job_id": job_id, "status": "queued", "progress_url": url},
        status_code=202,
        headers={"Location": url},
    )


async def import_status(request: Request) -> Response:
    """Progress of a background (RQ) import started by a job with this id."""
    await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    state = await import_progress(deps(request).redis, campaign.id, request.path_params["job_id"])
    if state is None:
        raise ApiError(404, "not_found", "No such import.")
    if isinstance(state.get("report"), dict):
        state["report"] = await _with_script_fields(request, campaign, state["report"])
    return JSONResponse(state)


async def add_dnc(request: Request) -> Response:
    user = await require_user(request, Role.ORGANIZER)
    redis = deps(request).redis
    if _media_type(request) in ("application/json", ""):
        phones = _json_phones(parse_json(await read_body(request, _csv_limit(request))))
        # Normalizing 100,000 phones is seconds of CPU: in a worker thread, not on the event loop.
        normalized = await offload(request, dnc.normalize_all, phones)
        bad = [i for i, e164 in enumerate(normalized) if e164 is None]
        if bad:  # all or nothing: a list with a typo is fixed and sent again
            problems = [{"path": f"phones[{i}]", "message": "not a phone number"} for i in bad[:MAX_DETAILS]]
            more = f" (the first {MAX_DETAILS} of {len(bad):,} are listed)" if len(bad) > MAX_DETAILS else ""
            raise ApiError(422, "validation_error", f"Some entries are not phone numbers{more}.", problems)
        added = await dnc.add_e164(redis, [e164 for e164 in normalized if e164 is not None])
        one = {"phone": str(normalized[0])} if len(normalized) == 1 else {}
        await audit_change(request, user, "add", count=str(added), **one)
        return JSONResponse({"added": added})
    body = await _read_csv(request)
    warnings: list[FileWarning] = []
    try:
        added, invalid = await dnc.add_csv(redis, body.chunks(), warnings)
    except CsvError as exc:
        raise _invalid_csv(exc) from None
    finally:
        await body.close()
    await audit_change(request, user, "upload", count=str(added), rejected=str(len(invalid)))
    answer: dict[str, Any] = {"added": added, "invalid": [r.to_json() for r in invalid]}
    if warnings:  # a repeated phone header: which, and that both columns were read
        answer["file_warnings"] = [w.to_json() for w in warnings]
    return JSONResponse(answer)


def _json_phones(data: Any) -> list[str]:
    phones = data.get("phones") if isinstance(data, dict) else None
    if not isinstance(phones, list) or not all(isinstance(p, str) for p in phones):
        raise ApiError(
            422,
            "validation_error",
            'Send {"phones": ["+12025550142", ...]} or a CSV with a phone column.',
            [{"path": "phones", "message": "expected a list of strings"}],
        )
    if extra := sorted(set(data) - {"phones"}):  # as every other JSON body: a misspelt field is said
        raise ApiError(
            422,
            "validation_error",
            f'Unknown field {extra[0]!r}: send {{"phones": [...]}}.',
            [{"path": name, "message": "unknown field"} for name in extra],
        )
    if len(phones) > JSON_PHONES_LIMIT:
        raise ApiError(
            413, "payload_too_large", f"At most {JSON_PHONES_LIMIT:,} phones per request; send a CSV."
        )
    return phones


async def remove_dnc(request: Request) -> Response:
    """Takes a number off; the audit keeps who and when, and `?reason=` (the page sends one: api_dnc.py)."""
    user = await require_user(request, Role.ORGANIZER)
    phone = request.path_params["phone"]
    reason = query_text(request.query_params, "reason", max_len=MAX_REASON)
    e164 = normalize_phone(phone)
    if e164 is None:
        raise ApiError(
            422,
            "validation_error",
            "Not a phone number.",
            [{"path": "phone", "message": "not a phone number"}],
        )
    if await dnc.remove(deps(request).redis, e164):
        await audit_change(request, user, "remove", phone=e164, reason=reason.strip())
    return Response(status_code=204)


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/contacts", import_list, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/imports/{job_id}", import_status, methods=["GET"]),
    Route("/api/dnc", add_dnc, methods=["POST"]),
    Route("/api/dnc/{phone}", remove_dnc, methods=["DELETE"]),
]
