"""TwiML documents the dialer answers Twilio with. Pure."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from dialer.telephony.base import MAX_RING_TIMEOUT, STATUS_CALLBACK_EVENTS

# Twilio's <Dial timeout> accepts 5..600 seconds.
MIN_DIAL_TIMEOUT = 5


def dial_twiml(
    number: str,
    caller_id: str,
    status_callback_url: str,
    timeout: int = 30,
    *,
    whisper_url: str | None = None,
) -> str:
    """Bridge the current (browser) leg to `number`, reporting the new leg's progress to us.

    answerOnBridge keeps the browser hearing ringback until the voter picks up, so the volunteer never
    talks into a call that has not been answered. `whisper_url` (recorded campaigns): TwiML the voter hears
    once they answer and before they are connected, the recording disclosure (`<Number url>`).
    """
    if not MIN_DIAL_TIMEOUT <= timeout <= MAX_RING_TIMEOUT:
        raise ValueError(
            f"dial timeout must be {MIN_DIAL_TIMEOUT}..{MAX_RING_TIMEOUT} seconds, not {timeout}"
        )
    response = VoiceResponse()
    dial = response.dial(caller_id=caller_id, answer_on_bridge=True, timeout=timeout)
    dial.number(
        number,
        status_callback_event=" ".join(STATUS_CALLBACK_EVENTS),
        status_callback=status_callback_url,
        status_callback_method="POST",
        **({"url": whisper_url, "method": "POST"} if whisper_url else {}),
    )
    return str(response)


def refusal_twiml(message: str) -> str:
    """Say why the call will not be placed, then hang up."""
    response = VoiceResponse()
    response.say(message)
    response.hangup()
    return str(response)
