"""What the campaign form (new campaign and settings) offers: the uploaded scripts, the time zones, the
dial modes and statuses in plain words. Pages render it; the form's script (settings.js) sends the API's
own fields, so nothing here changes what a campaign is.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from functools import cache
from typing import Any

from dialer.calling_methods import DEFAULT_METHODS, CallingMethod
from dialer.campaigns import Campaign, valid_zone
from dialer.models import CampaignStatus, Mode
from dialer.recording_consent import ALL_PARTY_STATES, DEFAULT_DISCLOSURE
from dialer.stores.scripts import ScriptStore, ScriptSummary

# The zones most US campaigns need, first in the picker, in the words people use for them.
COMMON_ZONES: tuple[tuple[str, str], ...] = (
    ("America/New_York", "Eastern time (New York)"),
    ("America/Chicago", "Central time (Chicago)"),
    ("America/Denver", "Mountain time (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix, no daylight saving time)"),
    ("America/Los_Angeles", "Pacific time (Los Angeles)"),
    ("America/Anchorage", "Alaska (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii (Honolulu)"),
    ("America/Puerto_Rico", "Puerto Rico (San Juan)"),
)
MODES = {
    Mode.PREVIEW: ("Preview", "Volunteers see who they are calling, then click Call."),
    Mode.POWER: (
        "Power",
        "The dialer calls one voter for each free volunteer and connects those who answer.",
    ),
    Mode.PREDICTIVE: (
        "Predictive",
        "The dialer calls ahead of free volunteers: the fastest, but a few answered calls may find nobody "
        "free (kept under the abandoned-calls cap in Advanced).",
    ),
}
METHODS = {
    CallingMethod.BROWSER: (
        "Through the browser",
        "The volunteer talks through their computer or phone's browser.",
    ),
    CallingMethod.OWN_PHONE: (
        "From their own phone",
        "Preview mode only: the page shows the voter's number to tap or dial; no call is placed or paid for "
        "by the campaign, and voters see the volunteer's own number.",
    ),
    CallingMethod.CALL_ME: (
        "The dialer calls their phone",
        "The volunteer verifies their number once, presses Call me, answers and presses 1; voters are then "
        "connected to that call (in preview mode, the voter they pick).",
    ),
    CallingMethod.DIAL_IN: (
        "They call the campaign's number",
        "The volunteer calls the inbound number below and types the PIN their page shows; voters are then "
        "connected to that call (in preview mode, the voter they pick).",
    ),
}
STATUSES = {
    CampaignStatus.ACTIVE: ("Active", "Volunteers can take names and call."),
    CampaignStatus.PAUSED: ("Paused", "Nobody gets new names until you make it active again."),
    CampaignStatus.CLOSED: ("Closed", "Finished for good: a closed campaign cannot be reopened."),
}


@cache
def other_zones() -> tuple[str, ...]:
    """Every IANA zone a campaign may take (campaigns.valid_zone) except the common ones, sorted."""
    common = {name for name, _ in COMMON_ZONES}
    return tuple(sorted(z for z in zoneinfo.available_timezones() if z not in common and valid_zone(z)))


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def zone_choices(current: str) -> tuple[list[Choice], list[Choice]]:
    """(common zones, all the others) for the picker; a current zone in neither list joins the others."""
    common = [Choice(name, label) for name, label in COMMON_ZONES]
    others = [Choice(name, name.replace("_", " ")) for name in other_zones()]
    if current not in {c.value for c in common} | set(other_zones()):
        others.insert(0, Choice(current, current))
    return common, others


def script_choices(summaries: list[ScriptSummary], current: str | None) -> list[Choice]:
    """The uploaded scripts, newest first, as "Title (id)"; a campaign's script that is not among them
    (more than the list's limit) is offered too, so saving other settings keeps it."""
    out = [Choice(s.id, f"{s.title} ({s.id})" if s.title else s.id) for s in summaries]
    if current and current not in {c.value for c in out}:
        out.insert(0, Choice(current, current))
    return out


def percent(fraction: float) -> str:
    """0.03 as "3", 0.025 as "2.5": the form shows the abandonment cap in percent."""
    return f"{fraction * 100:.4f}".rstrip("0").rstrip(".")


async def form_context(redis: Any, campaign: Campaign | None) -> dict[str, Any]:
    """The template context of the campaign form, for a new campaign (None) or an existing one."""
    summaries = await ScriptStore(redis).summaries()
    common, others = zone_choices(campaign.default_timezone if campaign else "America/New_York")
    return {
        "modes": MODES,
        "methods": METHODS,
        "chosen_methods": campaign.calling_method if campaign else DEFAULT_METHODS,
        "statuses": STATUSES,
        "scripts": script_choices(summaries, campaign.script_id if campaign else None),
        "common_zones": common,
        "other_zones": others,
        "abandon_percent": percent(campaign.abandon_cap if campaign else 0.03),
        "consent_states": ALL_PARTY_STATES,
        "disclosure": campaign.recording_disclosure if campaign else DEFAULT_DISCLOSURE,
    }
