"""`dialer serve --port P` beside `dialer worker`, neither with PUBLIC_URL or PORT set: the worker built its
carrier callback URLs on http://127.0.0.1:8000, so in power and predictive modes every webhook of the calls
it placed went to the wrong port and no voter was ever bridged to a volunteer. API.md says the default is
the web app's own URL: `dialer serve` now publishes it in Redis and the worker reads it (stores/web_url.py);
PUBLIC_URL set always wins."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis.asyncio as aioredis

from dialer.dialing.runner import followed
from dialer.queue import keys
from dialer.settings import Settings
from dialer.stores import web_url
from tests.e2e.test_power_dialing import dialer_calls, power_day
from tests.processes import worker_process
from tests.servers import ServerProcess


def default_serve(tmp_path: Path, redis_url: str, env: dict[str, str]) -> ServerProcess:
    """A `dialer serve` with the defaults (no PUBLIC_URL, no PORT), as a first `--port 9000` runs."""
    server = ServerProcess(tmp_path, redis_url, env=env)
    for name in ("PUBLIC_URL", "PORT"):
        server.env.pop(name, None)
    return server


def test_the_worker_calls_back_on_the_port_serve_listens_on(tmp_path: Path, clean_redis: str) -> None:
    server = default_serve(tmp_path, clean_redis, {"DIALER_SIM_SPEED": "20", "DIALER_SIM_SEED": "7"})
    with server, server.client() as admin:
        token = power_day(server, admin, clean_redis, "Port day", 10)
        log_path = tmp_path / "worker.log"
        with worker_process(server.env, tmp_path, log_path):
            report = dialer_calls(server.base_url, token, seed=1, calls=1, timeout=60)
        worker_log = log_path.read_text()
        assert report.calls == 1, worker_log[-3000:]
        assert f"carrier callbacks go to {server.base_url}" in worker_log, worker_log[-3000:]
        assert "Traceback" not in worker_log and not server.tracebacks(), worker_log[-3000:]


def test_the_worker_follows_serve_restarted_on_another_port(tmp_path: Path, clean_redis: str) -> None:
    """An operator's call day: serve and the worker run, serve dies and is started again on another port
    (the old one taken meanwhile), the volunteer comes back on the new one. The worker read serve's URL
    once at its start, so every call it placed after sent its webhooks to the dead port: the volunteer
    waited, ready, and no voter was ever bridged until the worker was restarted too."""
    env = {"DIALER_SIM_SPEED": "20", "DIALER_SIM_SEED": "7"}
    first = default_serve(tmp_path, clean_redis, env)
    with first, first.client() as admin:
        token = power_day(first, admin, clean_redis, "Port day", 10)
        log_path = tmp_path / "worker.log"
        with worker_process(first.env, tmp_path, log_path):
            report = dialer_calls(first.base_url, token, seed=1, calls=1, timeout=60)
            assert report.calls == 1, log_path.read_text()
            assert first.proc is not None
            first.proc.kill()  # kill -9: the operator's crash
            first.proc.wait()
            second = default_serve(tmp_path, clean_redis, env)
            assert second.port != first.port
            with second:
                report = dialer_calls(second.base_url, token, seed=2, calls=1, timeout=60)
                worker_log = log_path.read_text()
                assert report.calls == 1, worker_log[-3000:]
                assert f"carrier callbacks now go to {second.base_url}" in worker_log, worker_log[-3000:]
                assert not second.tracebacks()
        assert "Traceback" not in log_path.read_text()


async def _no_sleep(seconds: float) -> None:
    pass


@pytest.mark.anyio
async def test_public_url_set_always_wins(redis: aioredis.Redis) -> None:
    await web_url.publish(redis, Settings(port=9000))
    assert await redis.get(keys.WEB_BASE_URL) == "http://127.0.0.1:9000"
    chosen = Settings(public_url="https://calls.example.org")
    assert (await web_url.for_worker(redis, chosen, sleep=_no_sleep)).base_url == "https://calls.example.org"
    assert (await web_url.for_worker(redis, Settings(), sleep=_no_sleep)).base_url == "http://127.0.0.1:9000"


@pytest.mark.anyio
async def test_the_worker_waits_for_serve_then_takes_the_default(redis: aioredis.Redis) -> None:
    slept: list[float] = []

    async def serve_starts_meanwhile(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 3:
            await web_url.publish(redis, Settings(port=9100))

    settings = await web_url.for_worker(redis, Settings(), sleep=serve_starts_meanwhile)
    assert settings.base_url == "http://127.0.0.1:9100" and len(slept) == 3
    await redis.delete(keys.WEB_BASE_URL)
    fallback = await web_url.for_worker(redis, Settings(port=8000), sleep=_no_sleep, polls=4)
    assert fallback.base_url == "http://127.0.0.1:8000"  # serve never came: the documented default


@pytest.mark.anyio
async def test_a_dead_serves_url_passes_to_a_live_one(redis: aioredis.Redis) -> None:
    """Three `dialer serve` on ports 9001-9003 beside one worker, the last started killed and not
    restarted: its URL stayed published for good, so every later call's webhooks went to the dead port
    (no voter bridged) though two serves were up. Each serve now keeps its URL alive while it runs
    (`keep_published`, every REFRESH_SECONDS); a dead one's expires and a live serve's takes its place,
    which the worker follows (dialing/runner.py). A live owner is never displaced."""
    a, b, c = (Settings(port=port) for port in (9001, 9002, 9003))
    for serve in (a, b, c):  # each as it starts: the last wins
        await web_url.publish(redis, serve)
    assert 0 < await redis.ttl(keys.WEB_BASE_URL) <= web_url.TTL_SECONDS
    assert not await web_url.refresh(redis, a) and not await web_url.refresh(redis, b)
    assert await web_url.refresh(redis, c)
    assert await web_url.published(redis) == c.base_url
    await redis.delete(keys.WEB_BASE_URL)  # 9003 is killed: its URL expires TTL_SECONDS after its last beat
    assert await web_url.refresh(redis, b)  # the next live serve to beat takes it up
    assert not await web_url.refresh(redis, a)
    assert await web_url.published(redis) == b.base_url
    worker = Settings(public_url="http://127.0.0.1:9003")  # the worker, on the dead serve's URL
    assert (await followed(redis, worker)).base_url == b.base_url
    assert await followed(redis, Settings(public_url=b.base_url)) == Settings(public_url=b.base_url)
