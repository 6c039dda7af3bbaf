"""A call-back time a voter asked for, checked before it is recorded (HTTP results and socket finish)."""

from __future__ import annotations

from dialer.calling_hours import call_back_problem
from dialer.campaigns import Campaign
from dialer.web.errors import ApiError


def call_back_refusal(campaign: Campaign, zone: str, at: float, now: float) -> ApiError | None:
    """422 `invalid_call_back` with the allowed window (in the voter's own time) when `at` cannot be kept."""
    zone = zone or campaign.default_timezone
    window = campaign.calling_hours.window()
    problem = call_back_problem(at, zone, window, now)
    if problem is None:
        return None
    hours = {"start": campaign.calling_hours.start, "end": campaign.calling_hours.end, "timezone": zone}
    return ApiError(
        422,
        "invalid_call_back",
        f"The call-back time {problem}.",
        [{"path": "call_back_at", "message": problem, "window": hours}],
    )
