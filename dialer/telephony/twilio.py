"""TwilioCarrier: the Carrier port over Twilio (or any Twilio-compatible API at TWILIO_API_BASE_URL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from dialer.settings import Settings
from dialer.telephony.base import CallEvent, PlaceCall
from dialer.telephony.dialect import TwilioDialect
from dialer.telephony.forms import call_resource_event
from dialer.telephony.ratelimit import RateLimiter
from dialer.telephony.signing import WebhookSigner, signer_for
from dialer.telephony.twilio_rest import TwilioRest

# New Twilio accounts may create one call a second; raise it to match the account's CPS setting.
DEFAULT_CALLS_PER_SECOND = 1.0
VOICE_TOKEN_TTL = 3600


class TwilioCarrier(TwilioDialect):
    """Translates between the dialer and Twilio. Holds no call state and writes nothing anywhere."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        calls_per_second: float = DEFAULT_CALLS_PER_SECOND,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        signer: WebhookSigner | None = None,
    ) -> None:
        if not settings.twilio_account_sid or not settings.twilio_auth_token:
            raise ValueError("TwilioCarrier needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
        self.settings = settings
        self.account_sid = settings.twilio_account_sid
        self.signer = signer or signer_for(settings)
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        self.limiter = RateLimiter(calls_per_second, clock=clock, sleep=sleep)
        if settings.twilio_api_key_sid and settings.twilio_api_key_secret:
            auth = (settings.twilio_api_key_sid, settings.twilio_api_key_secret)
        else:
            auth = (settings.twilio_account_sid, settings.twilio_auth_token)
        self.rest = TwilioRest(
            base_url=settings.twilio_api_base_url,
            account_sid=self.account_sid,
            auth=auth,
            http=self._http,
            limiter=self.limiter,
            sleep=sleep,
        )

    # Browser side ------------------------------------------------------------------------------------

    def voice_token(self, identity: str) -> str:
        """An access token whose VoiceGrant lets the browser call through the TwiML App."""
        settings = self.settings
        if not settings.twilio_twiml_app_sid:
            raise ValueError("voice tokens need TWILIO_TWIML_APP_SID")
        # Twilio accepts access tokens signed with an API key only (not with the account's auth token).
        key_sid, key_secret = settings.twilio_api_key_sid, settings.twilio_api_key_secret
        if not key_sid or not key_secret:
            raise ValueError("voice tokens need TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET")
        token = AccessToken(self.account_sid, key_sid, key_secret, identity=identity, ttl=VOICE_TOKEN_TTL)
        token.add_grant(
            VoiceGrant(outgoing_application_sid=settings.twilio_twiml_app_sid, incoming_allow=False)
        )
        jwt = token.to_jwt()
        return jwt.decode() if isinstance(jwt, bytes) else str(jwt)

    # Webhooks: parsing, validation and TwiML come from TwilioDialect. ---------------------------------

    # REST --------------------------------------------------------------------------------------------

    async def place_call(self, call: PlaceCall) -> str:
        return await self.rest.create_call(call)

    async def update_call(self, call_sid: str, *, twiml: str | None = None, url: str | None = None) -> None:
        if (twiml is None) == (url is None):
            raise ValueError("update_call needs exactly one of twiml or url")
        form = [("Twiml", twiml)] if twiml is not None else [("Url", url or ""), ("Method", "POST")]
        await self.rest.update_call(call_sid, form)

    async def hangup(self, call_sid: str) -> None:
        await self.rest.update_call(call_sid, [("Status", "completed")])

    async def cancel(self, call_sid: str) -> None:
        await self.rest.update_call(call_sid, [("Status", "canceled")])

    async def call_status(self, call_sid: str) -> CallEvent | None:
        """How the call stands at Twilio now (CallLookup), None if the account has no such call."""
        resource = await self.rest.fetch_call(call_sid)
        return call_resource_event(resource) if resource is not None else None

    async def owns_caller_id(self, number: str) -> bool:
        return await self.rest.owns_caller_id(number)

    # Recording with consent (dialer/telephony/recording.py's Recorder).
    async def start_recording(self, call_sid: str, status_callback: str) -> str:
        return await self.rest.start_recording(call_sid, status_callback)

    async def delete_recording(self, call_sid: str, recording_sid: str) -> None:
        await self.rest.delete_recording(call_sid, recording_sid)

    async def recording_audio(self, recording_sid: str) -> tuple[bytes, str]:
        return await self.rest.recording_audio(recording_sid)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()
