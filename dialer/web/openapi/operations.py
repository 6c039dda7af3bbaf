"""Helpers that build one OpenAPI operation entry: parameters, bodies, answers, who may call it."""

from __future__ import annotations

from typing import Any

from dialer.web.openapi.schemas import ID_PATTERN, JSON, Schema, ref

# Errors every operation can answer in API.md's shape: malformed or oversized bodies, sign-in and roles,
# unknown ids, validation, and a store that is briefly unavailable.
COMMON_ERRORS = (400, 401, 403, 404, 413, 415, 422, 503)
ERROR_TEXT = {
    400: "Malformed request (e.g. `invalid_json`)",
    401: "Not signed in (`unauthorized`)",
    403: "Role too low, another site's request (`csrf_failed`) or a bad webhook signature",
    404: "No such resource",
    409: "Conflicts with the current state",
    410: "Gone (`lease_expired`)",
    413: "Body too large (`payload_too_large`)",
    415: "Unsupported Content-Type",
    422: "Invalid input; `details` says where",
    429: "Too many attempts (`rate_limited`), with Retry-After",
    502: "The phone carrier could not be reached",
    503: "The store is unavailable, or the server is busy (`busy`), with Retry-After",
}
ROLE_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}, {"cookie": []}]
ANYONE: list[dict[str, list[str]]] = [{}, {"bearer": []}, {"cookie": []}]


def error(status: int) -> dict[str, Any]:
    return {"description": ERROR_TEXT[status], "content": {JSON: {"schema": ref("Error")}}}


def json_answer(description: str, schema: Schema, links: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": {JSON: {"schema": schema}}}
    if links:
        out["links"] = links
    return out


def answer(description: str, media: str | None = None, schema: Schema | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description}
    if media is not None:
        out["content"] = {media: {"schema": schema or {"type": "string"}}}
    return out


def json_body(schema: Schema, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {JSON: {"schema": schema}}}


def path_param(name: str, *, pattern: str | None = None, description: str = "") -> dict[str, Any]:
    schema: Schema = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


def query_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": description,
    }


CAMPAIGN_ID = path_param("campaign_id", pattern=ID_PATTERN, description="The campaign's id")


def link(operation_id: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters}


def op(
    operation_id: str,
    summary: str,
    *,
    tag: str,
    role: str | None,
    answers: dict[int | str, dict[str, Any]],
    body: dict[str, Any] | None = None,
    params: tuple[dict[str, Any], ...] = (),
    errors: tuple[int, ...] = (),
    description: str = "",
) -> dict[str, Any]:
    """One operation. `role` None: anyone (also signed-in callers); else the lowest role allowed."""
    who = "Anyone." if role is None else f"Role: {role} or higher."
    out: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "description": f"{who} {description}".strip(),
        "tags": [tag],
        "security": ANYONE if role is None else ROLE_SECURITY,
        "responses": {
            **{str(status): value for status, value in answers.items()},
            **{str(status): error(status) for status in sorted({*COMMON_ERRORS, *errors})},
        },
    }
    if role is not None:
        out["x-role"] = role
    if params:
        out["parameters"] = list(params)
    if body is not None:
        out["requestBody"] = body
    return out
