"""`GET /api/openapi.json`: an OpenAPI 3.1 description of the whole HTTP API, kept next to the routes.

The JSON API (api_paths, calling_paths), the carrier webhooks and the pages (other_paths) are described
operation by operation with their request and response schemas (schemas.py) and API.md's error shape.
WebSockets have no place in OpenAPI; they are listed under `x-websockets`. tests/security checks that
every route of the app is described and every described path exists, and fuzzes the description with
schemathesis for each role.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

import dialer
from dialer.web.openapi.api_paths import api_paths
from dialer.web.openapi.calling_paths import calling_paths
from dialer.web.openapi.coach_paths import coach_paths
from dialer.web.openapi.console_paths import console_paths
from dialer.web.openapi.crm_paths import crm_paths
from dialer.web.openapi.operations import json_answer, op
from dialer.web.openapi.other_paths import other_paths
from dialer.web.openapi.password_paths import password_paths
from dialer.web.openapi.people_paths import organize_pages, people_paths
from dialer.web.openapi.phone_leg_paths import phone_leg_paths
from dialer.web.openapi.recording_paths import recording_paths
from dialer.web.openapi.schemas import SCHEMAS
from dialer.web.openapi.transfer_paths import transfer_paths
from dialer.web.openapi.voicemail_paths import voicemail_paths

WEBSOCKETS = {
    "/ws/call/{campaign_id}": "The volunteer's call session (API.md, The call socket); role volunteer. "
    '`{"type": "start", "contact_id", "method": "own_phone"}` opens a call the volunteer dials on their own '
    "phone (API-additions.md, Calling methods); the server sends "
    '`{"type": "phone_leg", "state", "call_sid"}` as the volunteer\'s call-me phone leg moves.',
    "/ws/campaigns/{id}/live": "For organizers: `stats` and `roster` messages on connect and after changes.",
}


@cache
def document() -> dict[str, Any]:
    paths = {
        "/api/openapi.json": {
            "get": op(
                "openapi",
                "This description",
                tag="health",
                role=None,
                answers={200: json_answer("OpenAPI 3.1", {"type": "object", "required": ["openapi"]})},
            ),
        },
        **api_paths(),
        **password_paths(),
        **calling_paths(),
        **console_paths(),
        **coach_paths(),
        **transfer_paths(),
        **crm_paths(),
        **other_paths(),
        **phone_leg_paths(),
        **voicemail_paths(),
        **recording_paths(),
    }
    # New methods on some existing paths: merged into them, not replacing them.
    for path, item in {**people_paths(), **organize_pages()}.items():
        paths[path] = {**paths.get(path, {}), **item}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "dialer",
            "version": getattr(dialer, "__version__", "0.1.0"),
            "description": "A real-time phonebanking and dialer server. The contract is docs/API.md with "
            'docs/API-additions.md; every error is `{"error": {"code", "message", "details"}}`. '
            "Static files are served under /static/.",
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from sign-up or sign-in",
                },
                "cookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "dialer_session",
                    "description": "The signed session cookie the sign-in page sets",
                },
            },
        },
        "x-websockets": WEBSOCKETS,
    }


async def openapi(request: Request) -> Response:
    return JSONResponse(document())


routes: list[BaseRoute] = [Route("/api/openapi.json", openapi, methods=["GET"])]
