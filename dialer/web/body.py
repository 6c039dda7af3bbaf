"""Reading request bodies with a size cap, so a huge or malformed body is a precise 4xx, never a 500."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from starlette.requests import Request

from dialer import strict_json
from dialer.web.errors import ApiError

JSON_LIMIT = 1024 * 1024


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing (413) anything over `limit` bytes before reading it all into memory."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise _too_large(limit)
        except ValueError:
            raise ApiError(400, "bad_request", "Content-Length is not a number.") from None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int = JSON_LIMIT) -> Any:
    """The parsed JSON body: 415 for another media type, 413 if too large, 400 `invalid_json` if malformed."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type not in ("application/json", "") and not content_type.endswith("+json"):
        raise ApiError(415, "unsupported_media_type", f"Send JSON (application/json), not {content_type}.")
    raw = await read_body(request, limit)
    return parse_json(raw)


def parse_json(raw: bytes) -> Any:
    try:
        data = strict_json.loads(raw)
    except strict_json.NotStrictJson as exc:
        raise ApiError(400, "invalid_json", f"The body is not valid JSON: {exc}.") from None
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_json", "The body is not UTF-8 text.") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            "invalid_json",
            f"The body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}.",
        ) from None
    except RecursionError:
        raise ApiError(400, "invalid_json", "The JSON is nested too deeply.") from None
    except ValueError:  # after JSONDecodeError (a ValueError): Python's limit on an integer's digits
        raise ApiError(
            400,
            "invalid_json",
            f"The JSON holds a whole number of more than {sys.get_int_max_str_digits():,} digits.",
        ) from None
    # A `\\uD800`-style escape can smuggle in a lone UTF-16 surrogate: valid JSON grammar but not text, and
    # Redis (UTF-8) cannot store it. Only bodies with such an escape are walked (raw UTF-8 cannot hold one).
    if _SURROGATE_ESCAPE.search(raw) and not _is_text(data):
        raise ApiError(
            400,
            "invalid_json",
            "The JSON holds a lone UTF-16 surrogate (a \\uD800 to \\uDFFF escape not in a pair): not text.",
        )
    return data


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _is_text(data: Any) -> bool:
    """Whether every string in parsed JSON (keys too) is valid Unicode; iterative, for any nesting."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


async def read_json_object(request: Request, limit: int = JSON_LIMIT) -> dict[str, Any]:
    data = await read_json(request, limit)
    if not isinstance(data, dict):
        raise ApiError(
            422,
            "validation_error",
            "The body must be a JSON object.",
            [{"path": "", "message": "expected an object"}],
        )
    return data


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The body is larger than the {limit:,} bytes accepted here.")
