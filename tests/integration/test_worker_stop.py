"""`dialer worker` stops promptly: RQ's command-channel thread polls every second (DialerWorker), so the join
redis-py makes of it when RQ unsubscribes at shutdown never waits out RQ's own 60 s poll."""

from __future__ import annotations

import pytest
from rq import Queue

from dialer.connections import plain_sync_client
from dialer.worker import DialerWorker


# Not under libfaketime (CI's second run): the channel's thread waits on a threading.Event with a timeout,
# whose absolute deadline the faked clock moves a day away (see worker._sleep_unless_stopped).
@pytest.mark.once
def test_the_command_channel_polls_every_second_and_its_thread_ends_with_the_worker(clean_redis: str) -> None:
    connection = plain_sync_client(clean_redis, decode_responses=False)
    worker = DialerWorker([Queue("dialer-test", connection=connection)], connection=connection)
    worker.subscribe()
    thread = worker.pubsub_thread
    assert thread is not None and thread.is_alive()
    assert thread.sleep_time == DialerWorker.POLL_SECONDS <= 1.0  # RQ's own Worker: 60
    # As a SIGTERM'd worker does (RQ's teardown): unsubscribe, then stop the thread; redis-py joins it, which
    # takes at most one poll.
    worker.unsubscribe()
    assert not thread.is_alive()
    connection.close()
