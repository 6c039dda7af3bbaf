"""TwiML for server-dialed calls (pure): the voter's hold, the bridge into a volunteer's conference, the
volunteer's own waiting conference, the abandonment identification and the voicemail message."""

from __future__ import annotations

import re

from twilio.twiml.voice_response import Dial, VoiceResponse

# Twilio speaks digits one by one only when they are separated.
_DIGITS = re.compile(r"\d")
HOLD_SECONDS = 8  # if our server never answers the AMD verdict, the voter still hears who called
HELD_SECONDS = 60  # how long a voter is held for a volunteer whose page reloads (or crashed) mid-call


def conference_name(campaign_id: str, volunteer: str) -> str:
    """Each volunteer waits in their own conference between calls; voters are brought into it."""
    return f"dialer-{campaign_id}-{volunteer}"


def _conference(name: str, *, volunteer_leg: bool, left_url: str | None = None) -> str:
    response = VoiceResponse()
    dial = Dial()
    dial.conference(
        name,
        beep=False,
        start_conference_on_enter=True,
        # The volunteer's leaving ends the room; a voter's leaving only ends that conversation. A leg told
        # where to report its leaving (`left_url`) does not end the room: see browser_leg_twiml.
        end_conference_on_exit=volunteer_leg and left_url is None,
        wait_url="" if volunteer_leg else None,
        **({"status_callback": left_url, "status_callback_event": "leave"} if left_url else {}),
    )
    response.append(dial)
    return str(response)


def volunteer_leg_twiml(campaign_id: str, volunteer: str) -> str:
    """The volunteer's own phone (call me, dial-in): join (and wait silently in) their own conference; its
    hanging up ends the room. A browser's leg joins with browser_leg_twiml."""
    return _conference(conference_name(campaign_id, volunteer), volunteer_leg=True)


def browser_leg_twiml(campaign_id: str, volunteer: str, left_url: str) -> str:
    """The volunteer's browser leg in their conference (power, predictive, and preview with
    preview_conference): as volunteer_leg_twiml, but the room outlives the leg. A reload (or a crashed
    page) drops the browser's leg; with endConferenceOnExit the room would end and hang the voter up
    mid-conversation. Without it the voter stays, Twilio reports the leg's leaving to `left_url`
    (statusCallbackEvent `leave`), the server holds the voter (held_twiml) and the page's next leg brings
    them back (dialer/web/conference_hold.py). Between calls nobody else is in the room, so it still ends
    with the volunteer's leaving."""
    return _conference(conference_name(campaign_id, volunteer), volunteer_leg=True, left_url=left_url)


def held_twiml(campaign_name: str, seconds: int = HELD_SECONDS) -> str:
    """A voter whose volunteer's page dropped out mid-call: told to hold, held at most `seconds`, then told
    why the call ends (the carrier keeps the limit, so a volunteer who never comes back cannot leave the
    voter on a silent line)."""
    response = VoiceResponse()
    response.say(f"Please stay on the line: your caller from {campaign_name} will be right back.")
    response.pause(length=seconds)
    response.say("Sorry, we lost the connection to your caller. Goodbye.")
    response.hangup()
    return str(response)


def bridge_twiml(campaign_id: str, volunteer: str) -> str:
    """Move an answered voter into the volunteer's conference."""
    return _conference(conference_name(campaign_id, volunteer), volunteer_leg=False)


def redirect_twiml(url: str) -> str:
    """A placed call's first TwiML when something comes first (a recorded call's disclosure): ask `url`."""
    response = VoiceResponse()
    response.redirect(url, method="POST")
    return str(response)


def spoken_number(phone: str) -> str:
    return " ".join(_DIGITS.findall(phone.removeprefix("+1") if phone.startswith("+1") else phone))


def identification_twiml(campaign_name: str, caller_id: str) -> str:
    """What an abandoned voter hears: who called and how to call back (FTC TSR 310.4(b)(4)(iii)), then
    the call ends."""
    response = VoiceResponse()
    response.say(
        f"Hello, this is a call from {campaign_name}. Sorry, we could not connect you just now. "
        f"To reach us, call {spoken_number(caller_id)}. Goodbye."
    )
    response.hangup()
    return str(response)


def hold_twiml(campaign_name: str, caller_id: str) -> str:
    """The voter's leg right after pick-up, while answering machine detection runs: silence, and if the
    server never moves the call on, the identification rather than dead air."""
    response = VoiceResponse()
    response.pause(length=HOLD_SECONDS)
    response.say(f"This call was from {campaign_name}. To reach us, call {spoken_number(caller_id)}.")
    response.hangup()
    return str(response)


def voicemail_twiml(message: str | None, audio_url: str | None = None) -> str:
    """The campaign's voicemail message after the beep: its recording played when it has one, else its text
    read aloud; then the hang-up (a plain hang-up when it has neither)."""
    response = VoiceResponse()
    if audio_url:
        response.play(audio_url)
    elif message:
        response.say(message)
    response.hangup()
    return str(response)
