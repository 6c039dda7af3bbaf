"""How many wrong dial-in PINs the inbound number hears before it stops comparing them.

Three tries a call (dialer/phone_legs.py PIN_TRIES) stop a caller who mistypes, not one who calls again: a
script dialing the inbound number over and over gets three guesses a call, each a chance at any one of the
campaign's live PINs, and a right guess puts a stranger in a volunteer's conference with voters. So PIN
tries are also counted per calling number and per campaign, in windows of the injected clock's hour. A try
is taken before the PIN is compared (parallel calls cannot share one) and a right PIN gives its try back, so
volunteers dialing in never use the budget up. Past either budget no PIN is compared, not even a right one
(the volunteer's PIN stays good): a script that forges caller IDs can stop dialing in for the rest of the
hour, but not get in; the browser and "call me" still work meanwhile.
"""

from __future__ import annotations

from typing import Any

from dialer.queue import keys

WRONG_PER_CALLER = 6  # two calls' worth from one number in a window
WRONG_PER_CAMPAIGN = 30  # from all numbers together: a phonebank mistypes far less
WINDOW = 3600  # seconds of the injected clock
CALLER_CHARS = 64  # of the From field in a key (a PSTN caller is E.164; anything longer is cut)


def _keys(campaign_id: str, caller: str, now: float) -> tuple[str, str]:
    window = int(now // WINDOW)
    return (
        keys.ratelimit("dial-in-caller", f"{campaign_id}:{window}:{caller[:CALLER_CHARS]}"),
        keys.ratelimit("dial-in-campaign", f"{campaign_id}:{window}"),
    )


async def take_try(redis: Any, campaign_id: str, caller: str, now: float) -> bool:
    """Counts one PIN try against both budgets; False: a budget is spent and the PIN must not be compared."""
    per_caller, per_campaign = _keys(campaign_id, caller, now)
    async with redis.pipeline(transaction=True) as pipe:  # both keys carry the {rl} hash tag: one slot
        pipe.incr(per_caller)
        pipe.expire(per_caller, 2 * WINDOW)
        pipe.incr(per_campaign)
        pipe.expire(per_campaign, 2 * WINDOW)
        caller_tries, _, campaign_tries, _ = await pipe.execute()
    return int(caller_tries) <= WRONG_PER_CALLER and int(campaign_tries) <= WRONG_PER_CAMPAIGN


async def give_back(redis: Any, campaign_id: str, caller: str, now: float) -> None:
    """A right PIN's try: it counts against nobody."""
    per_caller, per_campaign = _keys(campaign_id, caller, now)
    async with redis.pipeline(transaction=True) as pipe:
        pipe.decr(per_caller)
        pipe.decr(per_campaign)
        await pipe.execute()
