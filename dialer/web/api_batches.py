"""Batches and results over HTTP: take a batch, renew or release it, record results; stats and export.

Handlers parse, call the lease queue, and answer; the queue's Lua scripts hold the rules.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.calling_hours import Window, availability, local_day, open_zones, parse_instant
from dialer.campaigns import Campaign
from dialer.models import RESULT_CODES, CampaignStatus, ResultCode, Role
from dialer.names import control_in_text
from dialer.queue import keys
from dialer.queue.errors import NotHolder, NotInBatch, QueueError
from dialer.queue.export import export_lines
from dialer.queue.held import held_lists
from dialer.queue.lease import SKIPS_PER_BATCH, Batch, LeaseQueue, NoContactsReason, campaign_of_batch
from dialer.queue.results import ResultInput, RetryPolicy, record_result, stats
from dialer.scripts.engine import check_answers, normalized_answers
from dialer.stores.accounts import User
from dialer.stores.campaign_stats import enrich
from dialer.stores.scripts import export_questions
from dialer.stores.teams import TeamStore
from dialer.survey import countable
from dialer.times import iso
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.call_back import call_back_refusal
from dialer.web.call_end import end_call_after_result
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.export_slots import ExportResponse, ExportSlots
from dialer.web.scripts_source import load_campaign_script
from dialer.web.validate import Problems, query_flag

RESULT_FIELDS = frozenset(
    {"contact_id", "result", "answers", "notes", "idempotency_key", "call_sid", "call_back_at"}
)
MAX_NOTES = 10_000

_NO_CONTACTS = {
    NoContactsReason.OUTSIDE_CALLING_HOURS: "It is outside calling hours for every voter left on this list.",
    NoContactsReason.EXHAUSTED: "Every voter on this list has been called; thank you!",
    NoContactsReason.CAMPAIGN_PAUSED: "This campaign is paused; try again when the organizers resume it.",
}
_QUEUE_STATUS = {"lease_expired": 410, "not_holder": 403, "not_found": 404, "not_in_batch": 409,
                 "already_completed": 409, "skip_limit": 409, "idempotency_key_reused": 422}  # fmt: skip


def queue_error(exc: QueueError) -> ApiError:
    messages = {
        "lease_expired": "This batch's lease has expired; take a new batch.",
        "not_holder": "This batch belongs to another volunteer.",
        "not_found": "No such batch.",
        "not_in_batch": "This contact is not in that batch.",
        # One code for both cases: a result in this batch (a busy line too), or a final one in an earlier one.
        "already_completed": "A result for this contact is already recorded (in this list, or a final one).",
        "skip_limit": f"At most {SKIPS_PER_BATCH} contacts per list can be skipped; please call this one.",
        # A repeat is the same request again; the same key for another contact would drop its result.
        "idempotency_key_reused": "This idempotency_key was used for another contact's result in this batch; "
        "send a new key for each result.",
    }
    return ApiError(_QUEUE_STATUS.get(exc.code, 409), exc.code, messages.get(exc.code, str(exc)))


def window_of(campaign: Campaign) -> Window:
    return campaign.calling_hours.window()


async def take_batch(request: Request) -> Response:
    user = await require_user(request, Role.VOLUNTEER)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    now = d.clock()
    queue = LeaseQueue(d.redis)
    zones = open_zones(await queue.zones(campaign.id), window_of(campaign), now)
    paused = campaign.calling_status is not CampaignStatus.ACTIVE  # archived too
    # Paused, the list the volunteer holds still comes back (a page reloaded mid-call finds its voter on the
    # line there, to finish the call), with no zone open to take anyone new into it.
    held = paused and await queue.open_batch(campaign.id, user.id, now) is not None
    outcome = await queue.claim(
        campaign.id,
        user.id,
        batch_size=campaign.batch_size,
        lease_seconds=campaign.lease_seconds,
        open_zones=() if held else zones,
        now=now,
        max_attempts=campaign.max_attempts,
        paused=paused and not held,
    )
    if paused and not (isinstance(outcome, Batch) and outcome.reopened):
        raise await no_contacts(queue, campaign, NoContactsReason.CAMPAIGN_PAUSED, now)
    if not isinstance(outcome, Batch):
        raise await no_contacts(queue, campaign, outcome.reason, now)
    body = outcome.to_json()
    # The open batch handed back (a reload, another device): the voters already called in it, with their
    # results, so the page lists the whole batch as the volunteer left it.
    body["called"] = await queue.called_in_batch(campaign.id, outcome.id) if outcome.reopened else []
    return JSONResponse(body, status_code=200 if outcome.reopened else 201)


async def no_contacts(
    queue: LeaseQueue, campaign: Campaign, reason: NoContactsReason, now: float
) -> ApiError:
    """409 `no_contacts`, saying why and when somebody can be called again (`next_due_at`), with how many
    voters wait for a retry or for their calling hours, so a page can say so and wake itself up then."""
    found = availability(await queue.backlog(campaign.id, now), window_of(campaign), now)
    held = await held_lists(queue.redis, campaign.id)
    message = _NO_CONTACTS[reason]
    if reason is NoContactsReason.CAMPAIGN_PAUSED and campaign.refusal is not None:
        message = campaign.refusal  # closed or archived too; API.md's reason stays campaign_paused
    elif reason is not NoContactsReason.CAMPAIGN_PAUSED and found.waiting_retry and not found.outside_hours:
        message = (
            f"Everyone available has been called; {found.waiting_retry} "
            f"{'voter comes' if found.waiting_retry == 1 else 'voters come'} back for another try later."
        )
    elif reason is NoContactsReason.EXHAUSTED and held.voters and held.until is not None:
        # Not "everyone has been called": the names left are out with other callers, for now.
        minutes = max(1, math.ceil((held.until - now) / 60))
        voters = f"{held.voters} {'voter' if held.voters == 1 else 'voters'}"
        message = (
            f"Everyone left to call ({voters}) is on another volunteer's list right now; names not called "
            f"within {minutes} {'minute' if minutes == 1 else 'minutes'} come back here."
        )
    detail = {
        "reason": reason.value,
        "message": message,
        "next_due_at": iso(found.next_due_at) if found.next_due_at is not None else None,
        "waiting_retry": found.waiting_retry,
        "outside_hours": found.outside_hours,
        "held": held.voters,
        "held_until": iso(held.until) if held.until is not None else None,
    }
    return ApiError(409, "no_contacts", message, [detail])


async def batch_and_campaign(request: Request) -> tuple[User, Campaign, str]:
    user = await require_user(request, Role.VOLUNTEER)
    batch_id = request.path_params["batch_id"]
    campaign_id = campaign_of_batch(batch_id)
    if campaign_id is None:
        raise ApiError(404, "not_found", "No such batch.")
    campaign = await load_campaign(request, campaign_id)
    return user, campaign, batch_id


async def renew(request: Request) -> Response:
    user, campaign, batch_id = await batch_and_campaign(request)
    d = deps(request)
    try:
        expires = await LeaseQueue(d.redis).renew(
            campaign.id, batch_id, user.id, lease_seconds=campaign.lease_seconds, now=d.clock()
        )
    except QueueError as exc:
        raise queue_error(exc) from None
    return JSONResponse({"expires_at": iso(expires)})


MAX_RELEASE_GRACE = 600


async def release(request: Request) -> Response:
    """Gives the batch back now, or with `{"after_seconds": n}` (a page closing or reloading) in n seconds
    unless its volunteer takes it again meanwhile (a reload does: the same list, with who was called)."""
    user, campaign, batch_id = await batch_and_campaign(request)
    grace = None
    if int(request.headers.get("content-length") or 0) > 0 or request.headers.get("transfer-encoding"):
        body = await read_json_object(request)
        p = Problems()
        p.unknown_fields(body, {"after_seconds"})
        value = body.get("after_seconds")
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RELEASE_GRACE
        ):
            p.add("after_seconds", f"a whole number of seconds from 1 to {MAX_RELEASE_GRACE}")
        p.raise_if_any()
        grace = value
    queue, d = LeaseQueue(deps(request).redis), deps(request)
    try:
        if grace is not None:
            deadline = await queue.renew(
                campaign.id, batch_id, user.id, lease_seconds=grace, now=d.clock(), shorten=True
            )
            return JSONResponse({"released": 0, "expires_at": iso(deadline)})
        released = await queue.release(campaign.id, batch_id, user.id)
    except QueueError as exc:
        raise queue_error(exc) from None
    return JSONResponse({"released": released})


def _parse_result(body: dict[str, Any]) -> tuple[ResultInput, Problems]:
    p = Problems()
    p.unknown_fields(body, RESULT_FIELDS)
    contact_id = p.string(body, "contact_id", max_len=64)
    code = body.get("result")
    if code is None:
        p.add("result", "required")
    elif not isinstance(code, str) or code not in RESULT_CODES:
        p.add("result", f"unknown result code; use one of {', '.join(sorted(RESULT_CODES))}")
    answers = body.get("answers", {})
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        p.add("answers", "must be an object of question: answer")
    notes = body.get("notes")
    notes = "" if notes is None else notes
    if not isinstance(notes, str) or len(notes) > MAX_NOTES:
        p.add("notes", f"must be text of at most {MAX_NOTES} characters")
    elif (control := control_in_text(notes)) is not None:
        p.add("notes", control)
    key = body.get("idempotency_key")
    key = "" if key is None else key
    if not isinstance(key, str) or len(key) > 200:
        p.add("idempotency_key", "must be text of at most 200 characters")
    call_sid = body.get("call_sid")
    if call_sid is not None and (not isinstance(call_sid, str) or len(call_sid) > 64):
        p.add("call_sid", "must be a CallSid")
    call_back_at = _parse_time(body.get("call_back_at"), p)
    if p.items:
        return ResultInput(contact_id="", result=ResultCode.CONTACTED), p
    return (
        ResultInput(
            contact_id=contact_id or "",
            result=ResultCode(str(code)),
            idempotency_key=key,
            answers=answers,
            notes=notes,
            call_sid=call_sid,
            call_back_at=call_back_at,
        ),
        p,
    )


MAX_ANSWER_PROBLEMS = 50  # listed in one answer: a flood of wrong answers is not echoed back whole


def _brief(detail: dict[str, str]) -> dict[str, str]:
    """A problem with its path and message cut to a readable length (a message may quote the value)."""
    return {key: value if len(value) <= 300 else value[:299] + "…" for key, value in detail.items()}


def _parse_time(value: Any, p: Problems) -> float | None:
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        p.add("call_back_at", str(exc))
        return None


async def _holds(request: Request, campaign_id: str, batch_id: str, volunteer: str, contact_id: str) -> None:
    """Refuses (as record.lua would) a result for a voter the caller's batch does not hold, before anything
    reads the voter: the answers are checked against the script with their fields and a call-back against
    their time zone, so a refusal from those told any volunteer about any voter. record.lua checks again."""
    redis = deps(request).redis
    async with redis.pipeline(transaction=False) as pipe:  # one campaign's keys: one slot
        pipe.hget(keys.batch(campaign_id, batch_id), "volunteer")
        pipe.sismember(keys.batch_contacts(campaign_id, batch_id), contact_id)
        holder, member = await pipe.execute()
    if holder is not None and str(holder) != volunteer:
        raise queue_error(NotHolder())
    if holder is None or not member:
        raise queue_error(NotInBatch())


async def post_result(request: Request) -> Response:
    user, campaign, batch_id = await batch_and_campaign(request)
    body = await read_json_object(request)
    result, problems = _parse_result(body)
    problems.raise_if_any("The result is not valid.")
    await _holds(request, campaign.id, batch_id, user.id, result.contact_id)
    d = deps(request)
    queue = LeaseQueue(d.redis)
    contact = await queue.contact(campaign.id, result.contact_id)
    if contact is None:
        raise ApiError(409, "not_in_batch", "This contact is not in that batch.")
    if result.result is ResultCode.CALL_BACK and result.call_back_at is not None:
        refused = call_back_refusal(campaign, contact.timezone, result.call_back_at, d.clock())
        if refused is not None:
            raise refused
    loaded = await load_campaign_script(d.redis, campaign)
    version = ""
    tally: dict[str, str] | None = None
    answers = result.answers
    if loaded is not None:
        script, number = loaded
        version = str(number)
        found = check_answers(script, contact.to_json(), result.answers)
        if found:
            more = (
                f" (the first {MAX_ANSWER_PROBLEMS} of {len(found):,})"
                if len(found) > MAX_ANSWER_PROBLEMS
                else ""
            )
            raise ApiError(
                422,
                "invalid_answers",
                f"Some answers are not ones the script offers{more}.",
                [_brief(p.as_detail()) for p in found[:MAX_ANSWER_PROBLEMS]],
            )
        answers = normalized_answers(script, result.answers)
        tally = countable(script, result.result, answers)
    try:
        recorded = await record_result(
            d.redis,
            campaign.id,
            batch_id,
            user.id,
            ResultInput(**{**result.__dict__, "answers": answers, "script_version": version}),
            policy=RetryPolicy(campaign.max_attempts, campaign.retry_minutes),
            now=d.clock(),
            volunteer_name=user.name,
            team=await TeamStore(d.redis).team_of(user.id),
            survey=tally,
            day=local_day(campaign.default_timezone, d.clock()),
        )
    except QueueError as exc:
        raise queue_error(exc) from None
    # Saved: the conversation is over, so is the call if the voter's leg is still up (after answering).
    hang_up = BackgroundTask(
        end_call_after_result, d, campaign.id, user.id, result.contact_id, result.call_sid
    )
    return JSONResponse({"recorded": True, "duplicate": recorded.duplicate}, background=hang_up)


async def get_stats(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    return JSONResponse(await campaign_stats(request, campaign))


async def campaign_stats(request: Request, campaign: Campaign) -> dict[str, Any]:
    d = deps(request)
    now = d.clock()
    return await enrich(d.redis, campaign, await stats(d.redis, campaign.id, now), now)


async def results_csv(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    campaign = await load_campaign(request, request.path_params["campaign_id"])
    d = deps(request)
    questions = await export_questions(d.redis, campaign.id, campaign.script_id)
    excel = query_flag(request.query_params, "excel")  # a UTF-8 byte order mark, for Excel
    filename = f"{campaign.id}-results.csv"
    slots: ExportSlots = d.services.setdefault("exports", ExportSlots())
    return ExportResponse(
        slots.stream(export_lines(d.redis, campaign.id, questions, excel=excel)),
        stall_seconds=d.settings.export_stall_seconds,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


routes: list[BaseRoute] = [
    Route("/api/campaigns/{campaign_id}/batches", take_batch, methods=["POST"]),
    Route("/api/batches/{batch_id}/renew", renew, methods=["POST"]),
    Route("/api/batches/{batch_id}/release", release, methods=["POST"]),
    Route("/api/batches/{batch_id}/results", post_result, methods=["POST"]),
    Route("/api/campaigns/{campaign_id}/stats", get_stats, methods=["GET"]),
    Route("/api/campaigns/{campaign_id}/results.csv", results_csv, methods=["GET"]),
]
