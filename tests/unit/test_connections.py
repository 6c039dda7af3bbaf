"""Which Redis the dialer talks to: a cluster is found out once per URL, and RQ then needs a plain Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dialer import cli, connections
from dialer.settings import Settings

CLUSTER = "redis://cluster-node.test:7100/0"
PLAIN = "redis://queues.test:6379/0"


@pytest.fixture
def known() -> Iterator[None]:
    """What `is_cluster` would have learnt from the servers' INFO answers (no server is asked)."""
    saved = dict(connections._known)
    connections._known.update({CLUSTER: True, PLAIN: False})
    yield
    connections._known.clear()
    connections._known.update(saved)


def test_the_embedded_server_is_never_asked() -> None:
    assert not connections.is_cluster("unix:///tmp/dialer/redis.sock")


def test_an_unreachable_server_is_a_single_redis_and_asked_again() -> None:
    url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    assert not connections.is_cluster(url)
    assert url not in connections._known


def test_rq_uses_the_main_redis_unless_it_is_a_cluster(known: None, tmp_path: Path) -> None:
    assert connections.rq_url(Settings(data_dir=tmp_path), PLAIN) == PLAIN
    assert connections.rq_url(Settings(data_dir=tmp_path, rq_redis_url=PLAIN), CLUSTER) == PLAIN
    with pytest.raises(connections.RQNeedsPlainRedis, match="set RQ_REDIS_URL"):
        connections.rq_url(Settings(data_dir=tmp_path), CLUSTER)
    with pytest.raises(connections.RQNeedsPlainRedis, match="needs a plain Redis"):
        connections.rq_url(Settings(data_dir=tmp_path, rq_redis_url=CLUSTER), CLUSTER)


def test_serve_and_worker_stop_on_a_cluster_without_rq_redis_url(known: None, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="RQ_REDIS_URL"):
        cli._check_redis(Settings(data_dir=tmp_path, redis_url=CLUSTER))
    cli._check_redis(Settings(data_dir=tmp_path, redis_url=CLUSTER, rq_redis_url=PLAIN))
    cli._check_redis(Settings(data_dir=tmp_path, redis_url=PLAIN))
    cli._check_redis(Settings(data_dir=tmp_path))


def test_a_cluster_url_drops_database_zero() -> None:
    assert connections._cluster_url("redis://h:7100/0") == "redis://h:7100"
    assert connections._cluster_url("redis://:pw@h:7100") == "redis://:pw@h:7100"


def test_a_server_down_at_start_up_is_waited_for_then_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([None, None, True, *[None] * 100])
    slept: list[float] = []
    now = [0.0]

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(connections, "probe", lambda url: next(answers))
    assert connections.wait_for(CLUSTER, 30, sleep=sleep, clock=lambda: now[0])
    assert slept == [1.0, 1.0]
    assert not connections.wait_for(CLUSTER, 3, sleep=sleep, clock=lambda: now[0])
    assert slept == [1.0] * 5


def test_serve_and_worker_stop_when_redis_never_answers(tmp_path: Path) -> None:
    url = "redis://:s3cret@127.0.0.1:1/0"  # nothing listens on port 1
    with pytest.raises(SystemExit, match=r"cannot reach Redis at redis://:\*\*\*@127.0.0.1:1/0") as stop:
        cli._check_redis(Settings(data_dir=tmp_path, redis_url=url, redis_wait=0.01))
    assert "s3cret" not in str(stop.value)
