"""The CRM sync against the VAN stand-in on a real Redis: every result once, 429 storms and 5xx retried
with backoff, refusals failed with VAN's words while the rest go on, corrections sent, a crashed worker's
results taken back and named, organizers' retries. Time is a fake clock that sleeping moves."""

from __future__ import annotations

import httpx
import pytest
import redis.asyncio as aioredis

from dialer.crm.ledger import Ledger
from dialer.crm.runner import make_client
from dialer.crm.store import CrmStore
from dialer.crm.sync import CampaignSync, SyncConfig
from dialer.queue import keys
from dialer.settings import Settings
from tests.integration.crm_support import CRM_KEY, add_results, fields, link_van
from tests.van_standin import VanStandin

pytestmark = pytest.mark.anyio
CAMPAIGN = "crm-test"


class FakeClock:
    def __init__(self, now: float = 1_780_000_000.0) -> None:
        self.now = now
        self.slept = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        self.slept += max(seconds, 0.0)


async def syncer(
    redis: aioredis.Redis, standin: VanStandin, clock: FakeClock, consumer: str = "w1", **config: float
) -> CampaignSync:
    settings = Settings(crm_key=CRM_KEY, van_api_base_url="http://van.test/v4")
    linked = await CrmStore(redis).get(CAMPAIGN)
    assert linked is not None
    from dialer.crm.runner import open_key

    client = make_client(
        settings, linked[0], open_key(settings, linked[1]), httpx.ASGITransport(app=standin.app)
    )
    return CampaignSync(
        redis, CAMPAIGN, client, consumer=consumer, rate=linked[0].rate, clock=clock, sleep=clock.sleep,
        config=SyncConfig(**config),  # type: ignore[arg-type]
    )  # fmt: skip


async def drain(sync: CampaignSync, clock: FakeClock, rounds: int = 200) -> None:
    """Steps until nothing is left to send now or later (due retries come as the clock moves)."""
    for _ in range(rounds):
        if await sync.step() == 0:
            due = await sync.redis.zrange(keys.crm_retry(CAMPAIGN), 0, 0, withscores=True)
            if not due:
                return
            await clock.sleep(due[0][1] - clock.now)
    raise AssertionError("the sync did not finish")


async def test_every_result_is_sent_once_with_its_mapping(redis: aioredis.Redis) -> None:
    standin, clock = VanStandin(), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    ids = await add_results(redis, CAMPAIGN, 0, 250)
    sync = await syncer(redis, standin, clock)
    await drain(sync, clock)
    assert standin.violations == []
    counts = await Ledger(redis, CAMPAIGN).counts()
    assert counts["sent"] == 200 and counts["skipped"] == 50  # call_back is mapped to nothing
    assert set(standin.counts().values()) == {1} and len(standin.counts()) == 200
    bodies = dict(standin.received)
    assert bodies[100001]["resultCodeId"] == 2  # result 1: not_home
    assert bodies[100000]["responses"] == [
        {"type": "SurveyResponse", "surveyQuestionId": 101, "surveyResponseId": 1001}
    ]
    assert bodies[100000]["canvassContext"]["contactTypeId"] == 1
    assert await redis.xpending(keys.results(CAMPAIGN), "crm") == {
        "pending": 0,
        "min": None,
        "max": None,
        "consumers": [],
    }
    entries = await Ledger(redis, CAMPAIGN).get(ids[:5])
    assert [e.status for e in entries if e] == ["sent", "sent", "sent", "sent", "skipped"]


async def test_a_429_storm_slows_the_connection_and_nothing_is_lost_or_doubled(redis: aioredis.Redis) -> None:
    standin, clock = VanStandin(), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    await add_results(redis, CAMPAIGN, 0, 100)
    standin.fail_next(429, count=60, retry_after=7)
    sync = await syncer(redis, standin, clock)
    await drain(sync, clock)
    assert clock.slept >= 7  # the whole connection waited out VAN's Retry-After
    assert (await Ledger(redis, CAMPAIGN).counts())["sent"] == 80
    assert set(standin.counts().values()) == {1} and len(standin.counts()) == 80
    retried = [e for e in await Ledger(redis, CAMPAIGN).get(await _ids(redis)) if e and e.tries > 1]
    assert retried and all(e.status == "sent" for e in retried)


async def test_5xx_is_retried_with_backoff_and_gives_up_after_max_tries(redis: aioredis.Redis) -> None:
    standin, clock = VanStandin(), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    await redis.xadd(keys.results(CAMPAIGN), fields(1))  # type: ignore[arg-type]
    standin.fail_next(503, count=2)
    sync = await syncer(redis, standin, clock, max_tries=3)
    await drain(sync, clock)
    assert standin.counts() == {100001: 1} and clock.slept >= 2 + 4
    await redis.xadd(keys.results(CAMPAIGN), fields(6))  # type: ignore[arg-type]
    standin.fail_next(500, count=3)
    await drain(sync, clock)
    failed = await Ledger(redis, CAMPAIGN).get(await Ledger(redis, CAMPAIGN).failed())
    assert len(failed) == 1 and failed[0] is not None
    assert failed[0].message.startswith("gave up after 3 tries: HTTP 500")


async def test_vans_refusals_fail_that_result_with_its_message_and_the_rest_go_on(
    redis: aioredis.Redis,
) -> None:
    standin, clock = VanStandin(unknown_vanids={100003}), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    await add_results(redis, CAMPAIGN, 0, 10)
    await redis.xadd(keys.results(CAMPAIGN), fields(10, "moved"))  # type: ignore[arg-type]
    await redis.xadd(keys.results(CAMPAIGN), fields(11, vanid=0) | {"external_id": ""})  # type: ignore[arg-type]
    sync = await syncer(redis, standin, clock)
    await drain(sync, clock)
    ledger = Ledger(redis, CAMPAIGN)
    failed = {e.message for e in await ledger.get(await ledger.failed()) if e}
    assert failed == {
        "HTTP 404: The specified resource cannot be found.",
        "result 'moved' is not mapped",
        "the contact has no CRM id (the call list's external_id or VANID column was empty)",
    }
    assert (await ledger.counts())["sent"] == 7 and standin.violations == []


async def test_an_organizers_retry_sends_a_failed_result_once_it_can_go(redis: aioredis.Redis) -> None:
    standin, clock = VanStandin(), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    entry_id = await redis.xadd(keys.results(CAMPAIGN), fields(10, "moved"))  # type: ignore[arg-type]
    sync = await syncer(redis, standin, clock)
    await drain(sync, clock)
    ledger = Ledger(redis, CAMPAIGN)
    assert await ledger.failed() == [entry_id]
    assert not await ledger.requeue("0-1", clock.now)  # nothing settled under that id
    store = CrmStore(redis)
    mapping = await store.mapping(CAMPAIGN, "1")
    assert mapping is not None
    from dialer.crm.mapping import Target, TargetKind

    await store.save_mapping(
        CAMPAIGN,
        type(mapping)(
            **{
                **mapping.__dict__,
                "results": {**mapping.results, "moved": Target(TargetKind.RESULT_CODE, "3")},
            }
        ),
    )
    assert await ledger.requeue(entry_id, clock.now)
    await drain(sync, clock)
    assert standin.counts() == {100010: 1} and await ledger.failed() == []
    assert (await ledger.counts()) == {"pending": 0, "sending": 0, "sent": 1, "skipped": 0, "failed": 0}


async def test_a_later_result_for_the_same_call_is_sent_as_a_correction(redis: aioredis.Redis) -> None:
    """The app has no way to correct a recorded result; a later entry for the same contact and attempt
    (written by hand here) is sent too, and the ledger says which result it corrects."""
    standin, clock = VanStandin(), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    first = await redis.xadd(keys.results(CAMPAIGN), fields(1, "not_home"))  # type: ignore[arg-type]
    sync = await syncer(redis, standin, clock)
    await drain(sync, clock)
    second = await redis.xadd(keys.results(CAMPAIGN), fields(1, "refused"))  # type: ignore[arg-type]
    await drain(sync, clock)
    assert [body["resultCodeId"] for _, body in standin.received] == [2, 4]
    later = (await Ledger(redis, CAMPAIGN).get([second]))[0]
    assert later is not None and later.corrects == first and later.status == "sent"


async def test_a_dead_workers_unsettled_results_are_taken_back_and_named(redis: aioredis.Redis) -> None:
    standin, clock = VanStandin(), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    ids = await add_results(redis, CAMPAIGN, 0, 20)
    # A worker read 10 results, had begun sending 3 (one reached VAN), and died.
    read = await redis.xreadgroup("crm", "dead", {keys.results(CAMPAIGN): ">"}, count=10)
    assert len(read[0][1]) == 10
    ledger = Ledger(redis, CAMPAIGN)
    for entry_id in ids[:3]:
        await ledger.start(entry_id, clock.now)
    standin.received.append((100000, {}))
    # Redis measures the idle time itself (real time): the new lock holder takes back whatever is idle.
    sync = await syncer(redis, standin, clock, consumer="w2", claim_idle=0)
    await drain(sync, clock)
    counts = standin.counts()
    assert len(counts) == 16 and counts[100000] == 2 and max(counts[v] for v in counts if v != 100000) == 1
    states = await ledger.get(ids)
    assert [e.entry_id for e in states if e and e.in_doubt] == ids[:3]  # the only ones that may be doubled
    assert all(e is not None and e.status in ("sent", "skipped") for e in states)
    assert (await redis.xpending(keys.results(CAMPAIGN), "crm"))["pending"] == 0


async def _ids(redis: aioredis.Redis) -> list[str]:
    return [i for i, _ in await redis.xrange(keys.results(CAMPAIGN))]


async def test_a_connection_removed_mid_sync_stops_cleanly(redis: aioredis.Redis) -> None:
    from dialer.crm.runner import SyncRunner

    standin, clock = VanStandin(), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    await add_results(redis, CAMPAIGN, 0, 300)
    settings = Settings(crm_key=CRM_KEY, van_api_base_url="http://van.test/v4")
    runner = SyncRunner(redis, settings, clock=clock, sleep=clock.sleep, config=SyncConfig(batch=100),
                        transport=httpx.ASGITransport(app=standin.app))  # fmt: skip
    steps = 0

    def stop() -> bool:  # asked before each round: the organizer removes the connection after the first
        nonlocal steps
        steps += 1
        return False

    original = CampaignSync.step

    async def step_then_unlink(self: CampaignSync) -> int:
        handled = await original(self)
        await CrmStore(redis).unlink(CAMPAIGN)
        return handled

    CampaignSync.step = step_then_unlink  # type: ignore[method-assign]
    try:
        await runner.campaign(CAMPAIGN, stop)  # returns by itself
    finally:
        CampaignSync.step = original  # type: ignore[method-assign]
    counts = await Ledger(redis, CAMPAIGN).counts()
    assert counts["sending"] == 0 and counts["sent"] + counts["skipped"] == 100  # the round in flight ended
    assert len(standin.received) == 80 and await redis.get(keys.crm_lock(CAMPAIGN)) is None
    assert await runner.campaign(CAMPAIGN, stop) is None and len(standin.received) == 80  # nothing more


class Flaky(httpx.AsyncBaseTransport):
    """The stand-in behind a network that fails the first request to each of `people` with `error`:
    a ReadTimeout after the stand-in took the request (sent, no answer), or a ConnectError before it."""

    def __init__(self, standin: VanStandin, people: set[int], error: type[httpx.TransportError]) -> None:
        self.inner = httpx.ASGITransport(app=standin.app)
        self.people, self.error = set(people), error

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        person = int(request.url.path.split("/")[-2])
        if person in self.people:
            self.people.discard(person)
            if self.error is httpx.ReadTimeout:
                await self.inner.handle_async_request(request)  # VAN has it; the answer never comes
            raise self.error("simulated", request=request)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(("error", "doubted"), [(httpx.ReadTimeout, True), (httpx.ConnectError, False)])
async def test_a_result_sent_again_after_no_answer_is_named_in_doubt(
    redis: aioredis.Redis, error: type[httpx.TransportError], doubted: bool
) -> None:
    standin, clock = VanStandin(), FakeClock()
    await link_van(redis, CAMPAIGN, standin)
    ids = await add_results(redis, CAMPAIGN, 0, 4)
    sync = await syncer(redis, standin, clock)
    sync.client._http._transport = Flaky(standin, {100000}, error)  # type: ignore[attr-defined]
    await drain(sync, clock)
    first, *rest = await Ledger(redis, CAMPAIGN).get(ids)
    assert first is not None and first.status == "sent" and first.sends == 2
    assert standin.counts()[100000] == (2 if doubted else 1)  # a timeout after sending: VAN may have it twice
    assert first.in_doubt is doubted and first.doubt == ("no_answer" if doubted else "")
    assert all(s is not None and not s.in_doubt and s.sends <= 1 for s in rest)
