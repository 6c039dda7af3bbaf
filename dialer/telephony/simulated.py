"""SimulatedCarrier: a carrier with simulated voters, for the demo, load tests and volunteer training.

It does over HTTP what Twilio does: it POSTs Twilio-style, correctly signed requests to our own
/twilio/voice, /twilio/status and /twilio/amd endpoints (at settings.base_url), so the real webhook code
runs. What it sends and when comes from the pure plan in `simulated_plan.py`; this module only waits
and sends. Deterministic under a seed: the n-th leg it places gets the same outcome, timings and CallSid
on every run. Like every carrier, it stores nothing but its own in-flight timers.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import html
import logging
import random
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx

from dialer.settings import Settings
from dialer.telephony import forms
from dialer.telephony.base import CallEvent, PlaceCall, advances
from dialer.telephony.dialect import TwilioDialect
from dialer.telephony.signing import SIGNATURE_HEADER, WebhookSigner, signer_for
from dialer.telephony.simulated_media import Played, play_length
from dialer.telephony.simulated_phone import PhoneLegs, is_volunteer_phone
from dialer.telephony.simulated_plan import (
    CallPlan,
    LegSpec,
    PlannedRequest,
    SimProfile,
    hang_up,
    leg_params,
    new_call_sid,
    plan_call,
    read_dial,
)
from dialer.telephony.simulated_recording import WORDS_PER_SECOND, SimulatedRecording, Spoken

log = logging.getLogger(__name__)

SIMULATED_APP_SID = "AP" + "0" * 32
RESOURCES_KEPT = 50_000  # legs whose status call_status can tell


class VoiceWebhookFailed(Exception):
    """The simulated carrier could not get TwiML from our /twilio/voice at PUBLIC_URL: no answer at all
    (`status` None: PUBLIC_URL does not reach this server) or an answer other than 200."""

    def __init__(self, url: str, status: int | None) -> None:
        super().__init__(f"{url} answered {status if status is not None else 'nothing'}")
        self.url = url
        self.status = status


@dataclass(frozen=True)
class Delivery:
    url: str
    params: tuple[tuple[str, str], ...]
    status_code: int | None  # None when the request never got an answer


@dataclass(frozen=True)
class ClientCall:
    """What happened when a simulated browser placed a call through /twilio/voice."""

    call_sid: str
    twiml: str
    dialed: CallPlan | None  # None when our server refused (spoke a message and hung up)


@dataclass
class _Leg:
    plan: CallPlan
    rng: random.Random
    task: asyncio.Task[None] | None = None
    sent: set[PlannedRequest] = field(default_factory=set)
    held: CallPlan | None = None  # the plan before a hold that ends the call unless the voter is taken back


class SimulatedCarrier(TwilioDialect, SimulatedRecording):
    def __init__(
        self,
        settings: Settings,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.time,
        *,
        profile: SimProfile | None = None,
        seed: int | None = None,
        speed: float = 1.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        signer: WebhookSigner | None = None,
    ) -> None:
        """`speed` > 1 runs simulated time faster than real time (a 90 s call takes 90/speed s)."""
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.settings = settings
        self.profile = profile or SimProfile()
        chosen = settings.sim_seed if seed is None else seed
        # Unseeded, every start gets its own seed: a restarted server must not reissue a CallSid whose
        # attempt (and its applied callbacks) a previous run left in Redis.
        self.seed = chosen if chosen is not None else secrets.randbelow(2**31)
        if chosen is None:
            log.info("simulated carrier seed %d (set DIALER_SIM_SEED to repeat this run's calls)", self.seed)
        self.speed = speed
        self.signer = signer or signer_for(settings)
        self.account_sid = settings.twilio_account_sid or (
            "AC" + hashlib.sha256(b"dialer simulated account").hexdigest()[:32]
        )
        self.deliveries: collections.deque[Delivery] = collections.deque(maxlen=10_000)
        self.spoken: collections.deque[Spoken] = collections.deque(maxlen=1_000)
        self.played: collections.deque[Played] = collections.deque(maxlen=1_000)
        self.recordings: dict[str, tuple[str, str, float]] = {}  # CallSid -> (RecordingSid, callback, start)
        self.deleted_recordings: list[str] = []
        self._clock = clock
        self._sleep = sleep
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(10.0))
        self._legs: dict[str, _Leg] = {}
        # How each leg stands, as Twilio's Call resource says it (call_status): what its callbacks said,
        # delivered or not. The latest legs only (a day of a big campaign's calls fits).
        self._resources: collections.OrderedDict[str, dict[str, str | None]] = collections.OrderedDict()
        self._count = 0
        self._sid_salt = secrets.randbits(128)  # see new_call_sid: a seed repeats outcomes, never CallSids
        self._tasks: set[asyncio.Task[None]] = set()
        # Volunteers' own phones ("call me" and its verification calls): they answer and press keys.
        self.phones = PhoneLegs(self.account_sid, self._post, sleep, speed)

    def _next_rng(self) -> random.Random:
        # One generator per leg, seeded by (seed, leg number): a leg's fate does not depend on how the
        # deliveries of other legs interleave.
        self._count += 1
        return random.Random(f"{self.seed}:{self._count}")

    # Webhook parsing and TwiML come from TwilioDialect, as for TwilioCarrier. -----------------------

    def voice_token(self, identity: str) -> str:
        return f"simulated:{identity}"

    # Outbound legs (power and predictive modes) ------------------------------------------------------

    async def place_call(self, call: PlaceCall) -> str:
        rng = self._next_rng()
        if is_volunteer_phone(call):
            sid = new_call_sid(rng, self._sid_salt)
            task = self.phones.start(call, sid, rng)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return sid
        spec = LegSpec(
            call_sid=new_call_sid(rng, self._sid_salt),
            account_sid=self.account_sid,
            to=call.to,
            from_=call.from_,
            status_callback=call.status_callback,
            events=frozenset(call.status_callback_events),
            timeout=call.timeout,
            machine_detection=call.machine_detection,
            async_amd=call.async_amd,
            amd_callback=call.amd_status_callback,
            answer_url=call.url,
        )
        plan = self._start(spec, rng)
        # TwiML that first redirects (a recorded call placed into a volunteer's conference: the disclosure,
        # then recording, then the bridge) is followed once the voter answers, as a <Number url> whisper is.
        first = re.search(r"<Redirect[^>]*>(.*?)</Redirect>", call.twiml or "", re.S)
        if first is not None:
            self._spawn(self._whisper(plan, html.unescape(first.group(1))))
        return spec.call_sid

    async def update_call(self, call_sid: str, *, twiml: str | None = None, url: str | None = None) -> None:
        if (twiml is None) == (url is None):
            raise ValueError("update_call needs exactly one of twiml or url")
        leg = self._legs.get(call_sid)
        if leg is None:
            return
        if url is not None:
            # Twilio fetches the new URL for TwiML at once; what the TwiML does is not simulated.
            await self._post(url, leg_params(leg.plan, "in-progress"))
        elif twiml is not None and "<Play" in twiml and "<Dial" not in twiml:
            # A recording played to the voter: fetched as Twilio would (GET, no cookie), played, hang-up.
            # Fetched before answering, so that the leg's own plan cannot run on meanwhile.
            found = re.search(r"<Play[^>]*>(.*?)</Play>", twiml, re.S)
            await self._play(call_sid, html.unescape(found.group(1)) if found else "")
        elif twiml is not None and "<Hangup" in twiml and "<Dial" not in twiml:
            # A message read to the voter (a voicemail; a hold, with its pause), then the hang-up: the leg
            # ends when it is read, unless a hold is ended by taking the voter back (below).
            said = html.unescape(" ".join(re.findall(r"<Say[^>]*>(.*?)</Say>", twiml, re.S)))
            if said.strip():
                self.spoken.append(Spoken(call_sid, said))
            paused = sum(int(n) for n in re.findall(r'<Pause length="(\d+)"', twiml))
            if paused:
                leg.held = leg.held or leg.plan
            self._end(call_sid, after=len(said.split()) / WORDS_PER_SECOND + paused)
        elif twiml is not None and "<Conference" in twiml and leg.held is not None:
            # A held voter taken back into the conference: the hold's hang-up is off, the call goes on.
            if leg.task is not None:
                leg.task.cancel()
            leg.plan, leg.held = leg.held, None
            self._deliver(leg, [r for r in leg.plan.requests if r not in leg.sent])

    async def _play(self, call_sid: str, url: str) -> None:
        status, content_type, body = None, "", b""
        try:
            response = await self._http.get(url, headers={"User-Agent": "TwilioProxy/1.1 (dialer simulated)"})
            status, body = response.status_code, response.content
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        except httpx.HTTPError as exc:
            log.warning("simulated carrier could not fetch %s: %s", url, str(exc) or type(exc).__name__)
        played = Played(call_sid, url, status, content_type, len(body))
        self.played.append(played)
        # Twilio skips a recording it cannot fetch or play (error 11200/13420) and goes on to the hang-up.
        self._end(call_sid, after=play_length(body) if played.playable else 0.0)

    async def hangup(self, call_sid: str) -> None:
        if self.phones.owns(call_sid):
            await self.phones.hang_up(call_sid)
            return
        self._end(call_sid)

    def _end(self, call_sid: str, after: float = 0.0) -> None:
        """Our side ends the leg `after` simulated seconds from now (its final callbacks follow)."""
        leg = self._legs.get(call_sid)
        if leg is None:
            return
        now = self._sim_now(leg.plan)
        if leg.task is not None:
            leg.task.cancel()
        leg.plan = hang_up(leg.plan, now + after, leg.rng, self.profile)
        self._deliver(leg, [r for r in leg.plan.requests if r not in leg.sent])

    async def cancel(self, call_sid: str) -> None:
        """As Twilio's Status=canceled: ends a leg nobody has answered yet, leaves an answered one be."""
        leg = self._legs.get(call_sid)
        if leg is None:
            return
        answered_at = leg.plan.answered_at
        if answered_at is not None and answered_at <= self._sim_now(leg.plan):
            return
        await self.hangup(call_sid)

    async def dial_in(self, campaign_id: str, to: str, from_: str, pins: list[str]) -> tuple[str, bool]:
        """A volunteer's phone calls the campaign's inbound number `to` and types `pins` in turn, as
        Twilio would relay it to our dial-in webhooks. Returns the CallSid and whether it was connected."""
        sid = new_call_sid(self._next_rng(), self._sid_salt)
        base = self.settings.base_url
        voice = forms.webhook_url(base, "/twilio/dial-in", campaign_id=campaign_id)
        status = forms.webhook_url(base, "/twilio/dial-in/status", campaign_id=campaign_id)
        return sid, await self.phones.dial_in(voice, status, to, from_, pins, sid)

    # Browser legs (preview mode) ---------------------------------------------------------------------

    async def connect_client(
        self, identity: str, contact_id: str, campaign_id: str | None = None, **params: str
    ) -> ClientCall:
        """Do what Twilio does when a volunteer's browser calls: ask /twilio/voice, then dial as told."""
        rng = self._next_rng()
        call_sid = new_call_sid(rng, self._sid_salt)
        form = {
            "AccountSid": self.account_sid,
            "ApplicationSid": self.settings.twilio_twiml_app_sid or SIMULATED_APP_SID,
            "ApiVersion": "2010-04-01",
            "CallSid": call_sid,
            "CallStatus": "ringing",
            "Direction": "inbound",
            "From": f"client:{identity}",
            "Caller": f"client:{identity}",
            "To": "",
            "contact_id": contact_id,
            **({"campaign_id": campaign_id} if campaign_id else {}),
            **params,
        }
        url = forms.webhook_url(self.settings.base_url, forms.VOICE_PATH)
        response = await self._post(url, form)
        if response is None or response.status_code != 200:
            raise VoiceWebhookFailed(url, response.status_code if response is not None else None)
        answer = response.text
        dial = read_dial(answer)
        if dial is None:
            return ClientCall(call_sid, answer, None)
        spec = LegSpec(
            call_sid=new_call_sid(rng, self._sid_salt),
            account_sid=self.account_sid,
            to=dial.number,
            from_=dial.caller_id,
            status_callback=dial.status_callback,
            events=dial.events,
            timeout=dial.timeout,
            parent_call_sid=call_sid,
            direction="outbound-dial",
        )
        plan = self._start(spec, rng)
        if dial.whisper_url:
            self._spawn(self._whisper(plan, dial.whisper_url))
        return ClientCall(call_sid, answer, plan)

    # Sending -----------------------------------------------------------------------------------------

    def _start(self, spec: LegSpec, rng: random.Random) -> CallPlan:
        plan = plan_call(spec, self.profile, rng, start=self._clock())
        leg = _Leg(plan, rng)
        self._legs[spec.call_sid] = leg
        self._deliver(leg, list(plan.requests))
        return plan

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _sim_now(self, plan: CallPlan) -> float:
        """Where the leg's simulated time is now (it runs `speed` times faster than the clock)."""
        return plan.start + (self._clock() - plan.start) * self.speed

    def _deliver(self, leg: _Leg, requests: list[PlannedRequest]) -> None:
        task = asyncio.get_running_loop().create_task(self._send_all(leg, requests))
        leg.task = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_all(self, leg: _Leg, requests: list[PlannedRequest]) -> None:
        plan = leg.plan
        for request in requests:
            wait = (request.at - plan.start) / self.speed - (self._clock() - plan.start)
            if wait > 0:
                await self._sleep(wait)
            leg.sent.add(request)
            await self._post(request.url, request.params)
        if self._legs.get(plan.spec.call_sid) is leg and leg.plan is plan:
            del self._legs[plan.spec.call_sid]
            await self._recording_done(plan.spec.call_sid, plan.ended_at)

    async def call_status(self, call_sid: str) -> CallEvent | None:
        """How the leg stands now, as Twilio's GET Calls/{CallSid}.json tells (CallLookup); None for a leg
        this carrier never placed (another process's, or one of before a restart)."""
        resource = self._resources.get(call_sid)
        return forms.call_resource_event({"sid": call_sid, **resource}) if resource is not None else None

    def _note(self, pairs: tuple[tuple[str, str], ...]) -> None:
        form = dict(pairs)
        sid = form.get("CallSid")
        if not sid or not (form.get("CallStatus") or form.get("AnsweredBy")):
            return
        resource = self._resources.setdefault(sid, {"status": None, "answered_by": None, "duration": None})
        new, old = (
            forms.STATUSES.get(form.get("CallStatus", "")),
            forms.STATUSES.get(resource["status"] or ""),
        )
        if new is not None and advances(old, new):  # a late request of a leg never takes it back
            resource["status"] = new.value
        if form.get("AnsweredBy"):
            resource["answered_by"] = form["AnsweredBy"]
        if form.get("CallDuration"):
            resource["duration"] = form["CallDuration"]
        if form.get("ParentCallSid"):
            resource["parent_call_sid"] = form["ParentCallSid"]
        while len(self._resources) > RESOURCES_KEPT:
            self._resources.popitem(last=False)

    async def _post(
        self, url: str, params: Mapping[str, str] | tuple[tuple[str, str], ...]
    ) -> httpx.Response | None:
        pairs = tuple(params.items()) if isinstance(params, Mapping) else params
        self._note(pairs)  # it happened at the carrier, whether or not we hear of it
        headers = {
            SIGNATURE_HEADER: self.signer.sign(url, pairs),
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "TwilioProxy/1.1 (dialer simulated carrier)",
        }
        try:
            response = await self._http.post(url, content=urlencode(pairs), headers=headers)
        except httpx.HTTPError as exc:
            # Twilio gives up on a callback it cannot deliver; so do we (and say so).
            log.warning("simulated carrier could not deliver to %s: %s", url, str(exc) or type(exc).__name__)
            self.deliveries.append(Delivery(url, pairs, None))
            return None
        self.deliveries.append(Delivery(url, pairs, response.status_code))
        return response

    async def drain(self) -> None:
        """Wait until every planned request has been sent (tests and the demo's shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self._legs.clear()
        if self._owns_http:
            await self._http.aclose()
