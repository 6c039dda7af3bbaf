"""Small JSON helpers that only the pages use (not part of API.md's public contract):

- `GET /call/{campaign_id}/progress` (volunteer): the campaign's progress against its goal and the caller's
  own calls; aggregate numbers only, no voter data.
- `POST /scripts/lines` (organizer): `{source, paths}` -> `{lines: {path: line or null}}`, so the script page
  can show the API's validation errors beside the YAML lines they are about.
- `POST /scripts/preview` (organizer): `{source, contact, events}` -> the step (or `done`) that walking the
  script with this sample contact and these events (`{step, choice}`, `{step, value}`, `{back: true}`) gives,
  exactly as the call socket would send it, with `warnings` (as the upload gives them, with line numbers) when
  the script has any; invalid scripts give 422 `invalid_script` with line numbers.

Both parse a whole script: that is CPU work (seconds for a large one), done in a worker thread
(web/offload.py) so that the event loop goes on serving everyone else.
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

import yaml
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dialer.models import Role
from dialer.queue import keys
from dialer.scripts import engine
from dialer.scripts.loader import MAX_BYTES, load_script, parse_document
from dialer.scripts.model import LoadedScript, ScriptError
from dialer.scripts.stored import LATER_CHECK, load_stored
from dialer.stores.scripts import ScriptStore
from dialer.web.api_campaigns import load_campaign
from dialer.web.auth import require_user
from dialer.web.body import read_json_object
from dialer.web.deps import deps
from dialer.web.errors import ApiError
from dialer.web.offload import offload

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_LINE_IN_MESSAGE = re.compile(r"\bline (\d+)")
MAX_EVENTS = 500
MAX_PATHS = 1000
# libyaml's composer when PyYAML has it: about seven times faster than the pure-Python one.
_COMPOSER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def path_segments(path: str) -> list[str | int]:
    """`steps.plan.next[0].goto` -> ["steps", "plan", "next", 0, "goto"]."""
    return [int(index) if index else key for key, index in _SEGMENT.findall(path)]


def compose(source: str) -> yaml.Node | None:
    """The YAML node tree (positions only, aliases not expanded), or None when it cannot be read."""
    if len(source.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    try:
        return yaml.compose(source, Loader=_COMPOSER)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


Keys = dict[int, dict[object, tuple[yaml.Node, yaml.Node]]]


def line_of(root: yaml.Node | None, path: str, message: str = "", keys: Keys | None = None) -> int | None:
    """The 1-based line of the YAML source that `path` points at: the deepest part of it that exists (a
    missing key points at its parent). Syntax errors carry their line in the message instead. `keys`, shared
    by the calls for one tree, indexes each mapping once: a script of thousands of steps with thousands of
    problems took seconds, every path scanning the steps from the first."""
    found = _LINE_IN_MESSAGE.search(message) if not path else None
    if found:
        return int(found.group(1))
    if root is None:
        return None
    node: yaml.Node = root
    line = node.start_mark.line + 1
    for segment in path_segments(path):
        if isinstance(node, yaml.MappingNode) and isinstance(segment, str):
            if keys is None:
                keys = {}
            if id(node) not in keys:  # the first pair of a key, as a scan finds it
                keys[id(node)] = {getattr(k, "value", None): (k, v) for k, v in reversed(node.value)}
            pair = keys[id(node)].get(segment)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(segment, int) and segment < len(node.value):
            node = node.value[segment]
            line = node.start_mark.line + 1
        else:
            break
    return line


async def lines(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    body = await read_json_object(request)
    source, paths = body.get("source"), body.get("paths")
    if not isinstance(source, str) or not isinstance(paths, list):
        raise ApiError(422, "validation_error", "Send {source: text, paths: [{path, message}]}.")
    wanted = [
        (item["path"], str(item.get("message", "")))
        for item in paths[:MAX_PATHS]
        if isinstance(item, dict) and isinstance(item.get("path"), str)
    ]
    return JSONResponse({"lines": await offload(request, lines_of, source, wanted)})


def lines_of(source: str, wanted: list[tuple[str, str]]) -> dict[str, int | None]:
    """For each (path, message): the line of `source` it is about (pure, CPU-bound)."""
    root = compose(source)
    keys: Keys = {}
    return {path: line_of(root, path, message, keys) for path, message in wanted}


async def preview(request: Request) -> Response:
    await require_user(request, Role.ORGANIZER)
    body = await read_json_object(request)
    source, contact, events = body.get("source"), body.get("contact", {}), body.get("events", [])
    if not isinstance(source, str) or not isinstance(contact, dict) or not isinstance(events, list):
        raise ApiError(422, "validation_error", "Send {source: text, contact: {...}, events: [...]}.")
    try:
        return JSONResponse(await offload(request, preview_walk, source, contact, events[:MAX_EVENTS]))
    except ApiError as refused:
        # Refused as an upload; the stored version it is still walks, its findings said as warnings.
        stored = await _stored_twin(request, source) if refused.code == "invalid_script" else None
        if stored is None:
            raise
    return JSONResponse(await offload(request, preview_walk, source, contact, events[:MAX_EVENTS], stored))


async def _stored_twin(request: Request, source: str) -> str | None:
    """The stored latest version's JSON when `source` is that document (opened from the Scripts page), else
    None: it is checked as campaigns read it, with the later checks' findings as warnings, so that staff can
    still walk it and see why it traps volunteers."""
    doc = await offload(request, _document_or_none, source)
    script_id = doc.get("id") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or not isinstance(script_id, str) or len(script_id) > 200:
        return None
    found = await ScriptStore(deps(request).redis).raw(script_id)
    if found is None or json.loads(found[1]) != {k: v for k, v in doc.items() if k != "version"}:
        return None
    return found[1]


def _document_or_none(source: str) -> Any:
    try:
        return parse_document(source, "application/yaml")
    except ScriptError:
        return None


def _load_for_preview(source: str, stored: str | None = None) -> LoadedScript:
    try:
        return load_stored(json.loads(stored)) if stored else load_script(source, "application/yaml")
    except ScriptError as exc:
        root, keys = compose(source), cast(Keys, {})
        details = [
            {**p.as_detail(), "line": line_of(root, p.path, p.message, keys), "severity": p.severity.value}
            for p in exc.problems
        ]
        # Counted as the upload counts them: the warnings (an unreachable step, ...) are said as warnings.
        count, warnings = len(exc.errors), len(exc.problems) - len(exc.errors)
        said = f"The script has {count} problem{'s' if count != 1 else ''}"
        said += f" and {warnings} warning{'s' if warnings != 1 else ''}." if warnings else "."
        raise ApiError(422, "invalid_script", said, details) from None


def preview_walk(
    source: str, contact: dict[str, Any], events: list[Any], stored: str | None = None
) -> dict[str, Any]:
    """What walking `source` with `contact` through `events` gives (pure, CPU-bound); ApiError if invalid.
    `stored`: the stored version's JSON when `source` is that document (checked as stored: _stored_twin)."""
    loaded = _load_for_preview(source, stored)
    script = loaded.script
    walk = engine.start(script)
    try:
        for event in events:
            if not isinstance(event, dict):
                raise engine.AnswerError("bad_message", "each event must be an object")
            if event.get("back"):
                walk = engine.back(walk)
            else:
                walk = engine.answer(
                    script,
                    contact,
                    walk,
                    str(event.get("step")),
                    choice=event.get("choice"),
                    value=event.get("value", engine.MISSING),
                )
    except engine.AnswerError as exc:
        raise ApiError(422, exc.code, exc.message) from None
    answers = walk.answers(script)
    if walk.result is not None:
        out: dict[str, Any] = {"type": "done", "result": walk.result.value, "answers": answers}
    else:
        out = {"type": "step", "step": engine.step_payload(script, walk, contact), "answers": answers}
    if loaded.warnings:
        # What the upload also says (an unreachable step, ...): "Check" must not call such a script clean.
        root, keys = compose(source), cast(Keys, {})
        out["warnings"] = [
            {**p.as_detail(), "line": line_of(root, p.path, p.message, keys)}
            | ({"later_check": True} if p.message.startswith(LATER_CHECK) else {})
            for p in loaded.warnings
        ]
    return out


async def progress(request: Request) -> Response:
    user = await require_user(request)
    campaign = await load_campaign(request, request.path_params["campaign_id"], user)
    d = deps(request)
    counters = await d.redis.hmget(keys.counters(campaign.id), ["calls", "reached"])
    mine = await d.redis.zscore(keys.leaderboard(campaign.id), user.id)
    return JSONResponse(
        {
            "goal": campaign.goal,
            "calls": int(counters[0] or 0),
            "contacts_reached": int(counters[1] or 0),
            "my_calls": int(mine or 0),
        }
    )


routes: list[BaseRoute] = [
    Route("/call/{campaign_id}/progress", progress, methods=["GET"]),
    Route("/scripts/lines", lines, methods=["POST"]),
    Route("/scripts/preview", preview, methods=["POST"]),
]
