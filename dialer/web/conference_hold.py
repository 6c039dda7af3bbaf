"""A voter held while their volunteer's page comes back (calls through the volunteer's conference: power,
predictive, and preview with `preview_conference`).

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

Who moves the voter: a preview voter's leg is moved here, by REST. A power or predictive voter's line
belongs to the pacer, which placed it and holds the carrier's handle on it (with the simulated carrier the
leg exists only in the worker's process): the hold and the taking back are `hold` and `bridge` actions on
the campaign's `dial_actions` list, carried out in the order they were asked (a page back at once cannot be
bridged before its voter is held). The held line stays `bridged` in the pacer's state: the voter was
connected to a volunteer, so a hold that runs out is a conversation that ended (its volunteer records the
result, as after any hang-up), never an abandoned call.
"""

from __future__ import annotations

import json
import logging
from typing import cast

from dialer.campaigns import Campaign
from dialer.dialing.agents import AgentState, agent
from dialer.dialing.twiml import HELD_SECONDS, bridge_twiml, held_twiml
from dialer.queue import keys
from dialer.queue.attempts import AttemptStore
from dialer.queue.coach_sessions import CoachSessions
from dialer.queue.transfer_state import handed_on
from dialer.telephony import forms
from dialer.telephony.base import CarrierError
from dialer.web.call_end import SERVER_DIALED, is_up
from dialer.web.deps import Deps

log = logging.getLogger("dialer.hold")

CONFERENCE_PATH = "/twilio/conference"
LEFT = "participant-leave"  # the StatusCallbackEvent of a leg's leaving


def left_url(base_url: str, campaign_id: str, volunteer: str) -> str:
    """Where Twilio reports the volunteer's browser leg leaving their conference."""
    return forms.webhook_url(base_url, CONFERENCE_PATH, campaign_id=campaign_id, volunteer=volunteer)


async def _voter_on_line(d: Deps, campaign_id: str, volunteer: str) -> tuple[str, bool] | None:
    """The carrier leg of the voter the volunteer is talking to in their conference, if it is answered,
    still up and its call not saved yet (a saved call's leg is being hung up), and whether it is the
    pacer's (power, predictive) rather than a preview call."""
    dialer = await agent(d.redis, campaign_id, volunteer)
    if dialer is not None and dialer.state is AgentState.TALKING and dialer.call_sid:
        sid: str | None = dialer.call_sid  # the dialer's voter, bridged to this volunteer
    else:
        sid = cast(str | None, await d.redis.get(keys.phone_call(campaign_id, volunteer)))
    attempt = await AttemptStore(d.redis).get(campaign_id, sid) if sid else None
    if sid is None or attempt is None or attempt.get("volunteer") != volunteer:
        return None
    contact, saved = await _page_call(d, campaign_id, volunteer)
    server_dialed = attempt.get("mode") in SERVER_DIALED
    if server_dialed:
        # The dialer's voter is held even if the page never showed them (bridged as it went): left alone in
        # the room they would wait in silence. A saved call's voter is being hung up.
        if attempt.get("contact_id") in saved:
            return None
    elif not attempt.get("answered_at") or attempt.get("contact_id") != contact:
        return None
    if not is_up(attempt) or attempt.get("voicemail_at") or await handed_on(d.redis, campaign_id, sid):
        return None  # ended, reading the voicemail message, or gone on with a staff member
    return (sid if server_dialed else attempt.get("leg_sid") or sid), server_dialed


async def _page_call(d: Deps, campaign_id: str, volunteer: str) -> tuple[str | None, list[str]]:
    """The contact whose call the volunteer's page has open (web/ws_call.py keeps its session), if any, and
    the contacts it saved."""
    raw = await d.redis.get(keys.call_session(campaign_id, volunteer))
    try:
        state = json.loads(raw) if raw else None
    except ValueError:
        return None, []
    if not isinstance(state, dict):
        return None, []
    contact, saved = state.get("contact_id"), state.get("completed")
    return (contact if isinstance(contact, str) else None), (saved if isinstance(saved, list) else [])


async def leg_left(d: Deps, campaign: Campaign, volunteer: str, leg: str) -> bool:
    """The volunteer's browser leg `leg` left their conference: hold their voter, if they have one on the
    line and `leg` is still their latest. True if a voter was put on hold (or the pacer asked to)."""
    if not leg or await CoachSessions(d.redis, campaign.id).leg(volunteer) != leg:
        return False
    found = await _voter_on_line(d, campaign.id, volunteer)
    if found is None or d.carrier is None:
        return False
    voter, server_dialed = found
    # Remembered first: a page back before the carrier took the hold still finds its voter.
    await d.redis.set(keys.held_voter(campaign.id, volunteer), voter, ex=HELD_SECONDS + 60)
    if server_dialed:
        await d.redis.rpush(keys.dial_actions(campaign.id), f"hold|{voter}|{volunteer}")
    else:
        try:
            await d.carrier.update_call(voter, twiml=held_twiml(campaign.name))
        except CarrierError as exc:
            log.warning("could not hold voter %s of %s: %s", voter, volunteer, exc.message)
            return False
    log.info("holding voter %s while %s's page comes back", voter, volunteer)
    return True


async def leg_back(d: Deps, campaign: Campaign, volunteer: str) -> bool:
    """The volunteer's page has a leg in their conference again: a voter held for it joins them there.
    True if one was brought back (or the pacer asked to)."""
    voter = cast(str | None, await d.redis.getdel(keys.held_voter(campaign.id, volunteer)))
    if voter is None or d.carrier is None:
        return False
    attempt = await AttemptStore(d.redis).get(campaign.id, voter)
    if attempt is not None and attempt.get("mode") in SERVER_DIALED:
        dialer = await agent(d.redis, campaign.id, volunteer)
        if dialer is None or dialer.state is not AgentState.TALKING or dialer.call_sid != voter:
            return False  # the voter hung up, or the hold ran out: nobody to bring back
        await d.redis.rpush(keys.dial_actions(campaign.id), f"bridge|{voter}|{volunteer}")
        return True
    try:
        await d.carrier.update_call(voter, twiml=bridge_twiml(campaign.id, volunteer))
    except CarrierError as exc:  # the voter hung up meanwhile, most often
        log.info("could not bring voter %s back to %s: %s", voter, volunteer, exc.message)
        return False
    return True
