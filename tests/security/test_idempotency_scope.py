"""Finding 9: idempotency keys were campaign-wide and checked before the holder, so a volunteer's result
with a key another volunteer had used answered `duplicate: true` and was silently dropped (and told the
foreign volunteer that a result existed). Keys are scoped to the batch, the holder checked first."""

from __future__ import annotations

from tests.conftest import ADMIN
from tests.integration.test_api_batches import World, take, world  # noqa: F401 - the fixture

__all__ = ["world"]


def _result(contact_id: str, key: str) -> dict[str, object]:
    return {"contact_id": contact_id, "result": "not_home", "idempotency_key": key}


def test_a_key_another_volunteer_used_does_not_drop_my_result(world: World) -> None:  # noqa: F811
    _, mine = take(world, world.volunteer)
    _, theirs = take(world, world.other)
    r = world.client.post(
        f"/api/batches/{theirs['id']}/results",
        json=_result(theirs["contacts"][0]["id"], "k-1"),
        headers=world.other,
    )
    assert r.json() == {"recorded": True, "duplicate": False}
    r = world.client.post(
        f"/api/batches/{mine['id']}/results",
        json=_result(mine["contacts"][0]["id"], "k-1"),
        headers=world.volunteer,
    )
    assert r.status_code == 200 and r.json() == {"recorded": True, "duplicate": False}, r.text
    stats = world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()
    assert stats["calls"] == 2
    # A true repeat within the batch is still a duplicate that changes nothing.
    r = world.client.post(
        f"/api/batches/{mine['id']}/results",
        json=_result(mine["contacts"][0]["id"], "k-1"),
        headers=world.volunteer,
    )
    assert r.json() == {"recorded": True, "duplicate": True}
    assert world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()["calls"] == 2


def test_the_holder_is_checked_before_the_key(world: World) -> None:  # noqa: F811
    _, theirs = take(world, world.other)
    contact = theirs["contacts"][0]["id"]
    r = world.client.post(
        f"/api/batches/{theirs['id']}/results", json=_result(contact, "k-9"), headers=world.other
    )
    assert r.json()["duplicate"] is False
    # Replaying their request with my token: refused, not "duplicate" (which would confirm their result).
    r = world.client.post(
        f"/api/batches/{theirs['id']}/results", json=_result(contact, "k-9"), headers=world.volunteer
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_holder"


def test_a_key_reused_for_another_contact_is_refused_not_dropped(world: World) -> None:  # noqa: F811
    """A client that sends one key for every result (a constant, a counter restarted with the page) had
    the second contact's result answered `recorded: true, duplicate: true` and dropped: the voter was
    never marked called. The key's first use was for another contact, so this is no repeat: 422, nothing
    written, and the result is recorded with a key of its own."""
    _, mine = take(world, world.volunteer)
    first, second = mine["contacts"][0]["id"], mine["contacts"][1]["id"]
    url = f"/api/batches/{mine['id']}/results"
    assert (
        world.client.post(url, json=_result(first, "k-1"), headers=world.volunteer).json()["duplicate"]
        is False
    )
    r = world.client.post(url, json=_result(second, "k-1"), headers=world.volunteer)
    assert r.status_code == 422 and r.json()["error"]["code"] == "idempotency_key_reused", r.text
    assert world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()["calls"] == 1
    r = world.client.post(url, json=_result(second, "k-2"), headers=world.volunteer)
    assert r.json() == {"recorded": True, "duplicate": False}
    assert world.client.get("/api/campaigns/dc/stats", headers=ADMIN).json()["calls"] == 2
    # The first contact's own repeat is still a duplicate.
    assert (
        world.client.post(url, json=_result(first, "k-1"), headers=world.volunteer).json()["duplicate"]
        is True
    )
