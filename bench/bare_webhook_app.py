"""The baseline for bench/webhook_server.py: the least a status callback can cost through Starlette.

Parse the form, check X-Twilio-Signature with one HMAC-SHA1 (Twilio's algorithm: URL + sorted key/value
pairs), XADD the form to a stream, answer 204. Run by the bench with the same uvicorn options as
`dialer serve`. Configured by BARE_TOKEN, BARE_PUBLIC_URL and BARE_REDIS_URL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from urllib.parse import parse_qsl

import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

TOKEN = os.environ["BARE_TOKEN"].encode()
PUBLIC = os.environ["BARE_PUBLIC_URL"]
REDIS = aioredis.Redis.from_url(os.environ["BARE_REDIS_URL"])


async def status(request: Request) -> Response:
    form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    url = PUBLIC + request.url.path + "?" + request.url.query
    payload = (url + "".join(k + form[k] for k in sorted(form))).encode()
    expected = base64.b64encode(hmac.new(TOKEN, payload, hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(expected, request.headers.get("x-twilio-signature", "")):
        return Response(status_code=403)
    await REDIS.xadd("bench:bare-webhooks", form, maxlen=10_000, approximate=True)
    return Response(status_code=204)


app = Starlette(routes=[Route("/twilio/status", status, methods=["POST"])])
