"""The webhook URLs of a recorded call (pure): where Twilio fetches the voter's disclosure, where it asks us
to start recording once the disclosure has been read, and where it reports the finished recording."""

from __future__ import annotations

from dialer.campaigns import Campaign
from dialer.telephony.forms import webhook_url

DISCLOSE_PATH = "/twilio/recording/disclose"
START_PATH = "/twilio/recording/start"
STATUS_PATH = "/twilio/recording/status"


def disclosure_url(
    base_url: str, campaign: Campaign, contact_id: str, volunteer: str | None = None
) -> str | None:
    """The whisper URL for a call to this contact, or None when the campaign does not record. With
    `volunteer`, a call placed into that volunteer's conference (web/phone_dial.py): the voter's own TwiML
    redirects here, and once recording has started the voter is bridged into the conference."""
    if not campaign.record_calls:
        return None
    return webhook_url(
        base_url, DISCLOSE_PATH, campaign_id=campaign.id, contact_id=contact_id, volunteer=volunteer
    )


def start_url(base_url: str, campaign_id: str, contact_id: str, volunteer: str | None = None) -> str:
    return webhook_url(
        base_url, START_PATH, campaign_id=campaign_id, contact_id=contact_id, volunteer=volunteer
    )


def status_url(base_url: str, campaign_id: str, contact_id: str) -> str:
    return webhook_url(base_url, STATUS_PATH, campaign_id=campaign_id, contact_id=contact_id)
