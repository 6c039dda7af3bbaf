"""`GET /api/voice/token` over HTTP (API.md): with CARRIER=twilio, `{identity, token}` for a signed-in
volunteer, a Twilio access token with a voice grant for the TwiML App, whose identity is the one Twilio sends
back as `From=client:<identity>` (the voice webhook's tests place calls from `client:<user id>`)."""

from __future__ import annotations

from pathlib import Path

import jwt
from starlette.testclient import TestClient

from dialer.app import create_app
from tests.conftest import bearer
from tests.integration.test_webhooks import twilio_settings

KEY, KEY_SECRET = "SK" + "3" * 32, "api-key-secret-for-tests-0123456789abcdef"


def test_a_volunteer_gets_a_voice_token_for_their_own_identity(clean_redis: str, tmp_path: Path) -> None:
    settings = twilio_settings(
        clean_redis, tmp_path, twilio_api_key_sid=KEY, twilio_api_key_secret=KEY_SECRET
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.get("/api/voice/token").status_code == 401
        r = client.post(
            "/api/auth/signup", json={"email": "v@example.org", "name": "V", "password": "long pw 12"}
        )
        client.cookies.clear()
        user_id, token = r.json()["user"]["id"], r.json()["token"]
        r = client.get("/api/voice/token", headers=bearer(token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["identity"] == user_id  # From=client:<user id> on the voice webhook names this volunteer
    # The token's own expiry is checked against the wall clock by the decoder: read the claims without it.
    claims = jwt.decode(body["token"], KEY_SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["iss"] == KEY and claims["sub"] == settings.twilio_account_sid
    assert claims["grants"]["identity"] == user_id
    assert claims["grants"]["voice"]["outgoing"]["application_sid"] == settings.twilio_twiml_app_sid
    assert claims["exp"] > 0
