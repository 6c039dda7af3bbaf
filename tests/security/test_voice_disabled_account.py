"""Finding (attacker's probe, as a volunteer about to be removed): with `CARRIER=twilio`, disabling an account
ended its tokens and sockets, but its Voice SDK access token lives an hour and its list (its batch) stays
leased for the campaign's hold (30 minutes by default), and `/twilio/voice` only asked whether the caller
held the contact. So a removed volunteer's browser could go on dialing the voters of their list on the
campaign's number, and join their conference in power mode. `/twilio/voice` now refuses (a spoken refusal
and `<Hangup/>`, nothing dialed or counted) a caller whose account is disabled or gone."""

from __future__ import annotations

import asyncio

from dialer.connections import async_client
from dialer.queue.lease import Batch, LeaseQueue
from tests.conftest import ADMIN
from tests.integration.test_webhooks import NOON_NEW_YORK, World, _attempt, post, voice_form, world

__all__ = ["world"]


def test_a_disabled_accounts_browser_dials_nothing(world: World) -> None:  # noqa: F811
    w = world
    contact = w.batch.contacts[0]
    r = w.client.put(f"/api/users/{w.volunteer}/disabled", json={"disabled": True}, headers=ADMIN)
    assert r.status_code == 200, r.text
    r = post(w, "/twilio/voice", voice_form(w, contact.id))
    assert r.status_code == 200
    assert "<Dial" not in r.text and "<Hangup" in r.text and "may not call" in r.text, r.text
    assert asyncio.run(_attempt(w, "CA" + "a" * 32)) is None  # no dial counted, no attempt kept
    # Nor does it join a conference to be sent voters (power mode's browser leg).
    w.client.patch("/api/campaigns/dc", json={"mode": "power"}, headers=ADMIN)
    form = {**voice_form(w, "", sid="CA" + "b" * 32), "leg": "agent"}
    del form["contact_id"]
    r = post(w, "/twilio/voice", form)
    assert "<Conference" not in r.text and "<Hangup" in r.text, r.text


def test_enabled_again_it_dials_its_new_list(world: World) -> None:  # noqa: F811
    """Disabling gave the list back (web/disabled_calls.py): enabled again, the volunteer takes a new list,
    and its voters are dialed as anyone's; the old list's are not theirs any more."""
    w = world
    for disabled in (True, False):
        r = w.client.put(f"/api/users/{w.volunteer}/disabled", json={"disabled": disabled}, headers=ADMIN)
        assert r.status_code == 200, r.text
    r = post(w, "/twilio/voice", voice_form(w, w.batch.contacts[0].id))
    assert "<Dial" not in r.text and "not in your list" in r.text, r.text
    new = asyncio.run(_claim(w))
    assert w.batch.contacts[0].id in {c.id for c in new.contacts}  # back in the queue, handed out again
    r = post(w, "/twilio/voice", voice_form(w, new.contacts[0].id))
    assert "<Dial" in r.text, r.text


async def _claim(w: World) -> Batch:
    client = async_client(w.url)
    try:
        batch = await LeaseQueue(client).claim(
            w.campaign_id,
            w.volunteer,
            batch_size=2,
            lease_seconds=1800,
            open_zones=["America/New_York"],
            now=NOON_NEW_YORK,
            max_attempts=3,
        )
        assert isinstance(batch, Batch)
        return batch
    finally:
        await client.aclose()


def test_an_id_that_is_no_account_dials_nothing(world: World) -> None:  # noqa: F811
    w = world
    r = post(w, "/twilio/voice", voice_form(w, w.batch.contacts[0].id, identity="no-such-user"))
    assert "<Dial" not in r.text and "<Hangup" in r.text
