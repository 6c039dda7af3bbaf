"""A voter held while their volunteer's page comes back (preview calls through a conference).

The browser's leg is the volunteer's line in their conference. A reload (or a crashed page) drops it; with
`endConferenceOnExit` on that leg the room ended and the voter was hung up mid-conversation. The browser's
leg now joins without it (dialing/twiml.py `browser_leg_twiml`), and its leaving is reported:

- with Twilio by the conference's status callback, `POST /twilio/conference` (`participant-leave`, signed);
- with the simulated carrier by the page itself as it goes (`DELETE .../conference-leg/{call_sid}`, sent
  on pagehide, where Twilio's Voice SDK drops the leg).

If the volunteer has a voter on the line when their leg leaves, the voter's call is given `held_twiml`: told
to hold, held at most HELD_SECONDS (the carrier keeps the limit), then told goodbye. The page's next leg
(`leg=agent` on /twilio/voice) puts the voter back into the conference. A leaving leg that is no longer the
volunteer's latest (the reloaded page joined first) changes nothing.
"""

from __future__ import annotations

import json
import logging
from typing import cast

from dialer.campaigns import Campaign
from dialer.dialing.twiml import HELD_SECONDS, bridge_twiml, held_twiml
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.queue.coach_sessions import CoachSessions
from dialer.telephony import forms
from dialer.telephony.base import CarrierError
from dialer.web.call_end import is_up
from dialer.web.deps import Deps

log = logging.getLogger("dialer.hold")

CONFERENCE_PATH = "/twilio/conference"
LEFT = "participant-leave"  # the StatusCallbackEvent of a leg's leaving


def left_url(base_url: str, campaign_id: str, volunteer: str) -> str:
    """Where Twilio reports the volunteer's browser leg leaving their conference."""
    return forms.webhook_url(base_url, CONFERENCE_PATH, campaign_id=campaign_id, volunteer=volunteer)


async def _voter_on_line(d: Deps, campaign_id: str, volunteer: str) -> str | None:
    """The carrier leg of the voter the volunteer last called into their conference, if it is answered,
    still up and its call not saved yet (a saved call's leg is being hung up)."""
    sid = cast(str | None, await d.redis.get(keys.phone_call(campaign_id, volunteer)))
    attempt = await AttemptStore(d.redis).get(campaign_id, sid) if sid else None
    if attempt is None or attempt.get("volunteer") != volunteer or not attempt.get("answered_at"):
        return None
    if attempt.get("contact_id") != await _working_on(d, campaign_id, volunteer):
        return None
    if not is_up(attempt) or attempt.get("voicemail_at"):
        return None
    return attempt.get("leg_sid") or sid


async def _working_on(d: Deps, campaign_id: str, volunteer: str) -> str | None:
    """The contact whose call the volunteer's page has open (web/ws_call.py keeps its session), if any."""
    raw = await d.redis.get(keys.call_session(campaign_id, volunteer))
    try:
        state = json.loads(raw) if raw else None
    except ValueError:
        return None
    contact = state.get("contact_id") if isinstance(state, dict) else None
    return contact if isinstance(contact, str) else None


async def leg_left(d: Deps, campaign: Campaign, volunteer: str, leg: str) -> bool:
    """The volunteer's browser leg `leg` left their conference: hold their voter, if they have one on the
    line and `leg` is still their latest. True if a voter was put on hold."""
    if not leg or await CoachSessions(d.redis, campaign.id).leg(volunteer) != leg:
        return False
    voter = await _voter_on_line(d, campaign.id, volunteer)
    if voter is None or d.carrier is None:
        return False
    # Remembered first: a page back before the carrier took the hold still finds its voter.
    await d.redis.set(keys.held_voter(campaign.id, volunteer), voter, ex=HELD_SECONDS + 60)
    try:
        await d.carrier.update_call(voter, twiml=held_twiml(campaign.name))
    except CarrierError as exc:
        log.warning("could not hold voter %s of %s: %s", voter, volunteer, exc.message)
        return False
    log.info("holding voter %s while %s's page comes back", voter, volunteer)
    return True


async def leg_back(d: Deps, campaign: Campaign, volunteer: str) -> bool:
    """The volunteer's page has a leg in their conference again: a voter held for it joins them there.
    True if one was brought back."""
    voter = cast(str | None, await d.redis.getdel(keys.held_voter(campaign.id, volunteer)))
    if voter is None or d.carrier is None:
        return False
    try:
        await d.carrier.update_call(voter, twiml=bridge_twiml(campaign.id, volunteer))
    except CarrierError as exc:  # the voter hung up meanwhile, most often
        log.info("could not bring voter %s back to %s: %s", voter, volunteer, exc.message)
        return False
    return True
