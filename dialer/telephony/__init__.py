"""Carriers: Twilio and the simulated one, behind the `Carrier` protocol (see base.py).

Webhook routes use a carrier like this (the carrier validates and parses; the route decides and stores):

    form = await request.form()
    path_qs = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not carrier.validate(path_qs, form, request.headers.get("X-Twilio-Signature")):
        return Response(status_code=403)
    event = carrier.parse_status(form, request.query_params)   # raises MalformedWebhook -> 400
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from dialer.settings import Settings
    from dialer.telephony.base import Carrier


def carrier_from_settings(settings: Settings, http: httpx.AsyncClient | None = None) -> Carrier | None:
    """The carrier CARRIER names. Imported lazily: the simulated default never loads the Twilio REST code.
    None for CARRIER=none: nothing is dialed by this server; preview campaigns call from volunteers' own
    phones (dialer/calling_methods.py)."""
    if settings.carrier == "none":
        return None
    if settings.carrier == "twilio":
        from dialer.telephony.twilio import TwilioCarrier

        return TwilioCarrier(settings, http)
    from dialer.telephony.simulated import SimulatedCarrier
    from dialer.telephony.simulated_plan import SimProfile

    profile = SimProfile(**settings.sim_profile)
    return SimulatedCarrier(settings, http, speed=settings.sim_speed, profile=profile)
