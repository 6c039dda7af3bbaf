"""`dialer worker`: an RQ worker on the dialer's queues, plus the periodic jobs (lease reaping, pacing).

RQ's queues live on `RQ_REDIS_URL` when set, else on the main Redis. The periodic loop runs in a thread of
the worker process; every periodic job is safe to run in several workers at once (each takes a Redis lock
with an expiry, or is idempotent), so running two workers is fine.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import threading
import time
from collections.abc import Callable

import redis
from rq import Queue, Worker

from dialer.connections import plain_sync_client, resolve_url, rq_url
from dialer.settings import Settings

log = logging.getLogger("dialer.worker")

QUEUE_NAMES = ("dialer-high", "dialer", "dialer-low")
PERIODIC_SECONDS = 10.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h

# Periodic jobs registered by the layers that own them: (name, function(settings, redis_url)).
PeriodicJob = Callable[[Settings, str], None]
PERIODIC_JOBS: list[tuple[str, PeriodicJob]] = []


def _register_builtin_jobs() -> None:
    from dialer.jobs import reap_job, restart_imports_job
    from dialer.recording_jobs import expire_recordings_job

    for name, job in (
        ("reap-expired-leases", reap_job),
        ("restart-abandoned-imports", restart_imports_job),
        ("expire-call-recordings", expire_recordings_job),
    ):
        if not any(known == name for known, _ in PERIODIC_JOBS):
            PERIODIC_JOBS.append((name, job))


def _die_with_parent() -> None:
    """In every process the worker forks (RQ's job process): die when the worker dies, even by kill -9.

    Otherwise a job outlives a killed worker and goes on writing beside the job the restarted worker runs
    again (an import restarted by queue/import_watch.py)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the job then finishes on its own
        pass


class DialerWorker(Worker):
    """RQ's worker, its command channel polled every second rather than every minute. RQ unsubscribes at
    shutdown and redis-py (8.2 on) then joins the channel's thread, which could be waiting out a 60 s poll:
    a SIGTERM'd worker held on for up to a minute (bench/kill_run.py: 2 stops in 7 took 60 s; Heroku-style
    platforms kill after 30)."""

    POLL_SECONDS = 1.0

    def subscribe(self) -> None:
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=self.POLL_SECONDS, daemon=True, exception_handler=self._pubsub_exception_handler
        )


def queues(url: str) -> list[Queue]:
    connection = plain_sync_client(url, decode_responses=False)
    return [Queue(name, connection=connection) for name in QUEUE_NAMES]


def _sleep_unless_stopped(stop: threading.Event, seconds: float) -> bool:
    """Sleeps `seconds` in short slices; True when `stop` was set meanwhile.

    Not `stop.wait(seconds)`: a timed wait on a threading primitive is a semaphore wait on an absolute
    monotonic deadline, which libfaketime (the CI run with the clock moved) does not translate, so under a
    faked clock it never wakes and the periodic jobs would never run."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(left, 0.25))
    return True


def _periodic_loop(settings: Settings, url: str, stop: threading.Event) -> None:
    while not _sleep_unless_stopped(stop, PERIODIC_SECONDS):
        for name, job in PERIODIC_JOBS:
            try:
                job(settings, url)
            except (redis.ConnectionError, redis.TimeoutError) as exc:  # Redis restarting: said in one line
                log.warning("periodic job %s: the store is unavailable (%s); next try in %.0f s",
                            name, exc, PERIODIC_SECONDS)  # fmt: skip
            except Exception:  # a failing periodic job must not stop the others or the worker
                log.exception("periodic job %s failed", name)


def _pacer_thread(settings: Settings, url: str, stop: threading.Event) -> None:
    """Power and predictive dialing: a pacer per campaign (each under the campaign's Redis lock)."""
    from dialer.dialing.runner import run_in_thread

    try:
        run_in_thread(settings, url, stop)
    except Exception:  # the RQ worker goes on; the next worker start brings the pacers back
        log.exception("the pacer thread stopped")


def _crm_thread(settings: Settings, url: str, stop: threading.Event) -> None:
    """Results into the campaigns' CRMs (dialer/crm): one sender per linked campaign, under its lock."""
    from dialer.crm.runner import run_in_thread

    try:
        run_in_thread(settings, url, stop)
    except Exception:  # the RQ worker goes on; the next worker start brings the sync back
        log.exception("the CRM sync thread stopped")


def _upgrade_layout(url: str) -> None:
    """Contacts of an older version to the per-campaign lease keys, before the reaper and pacers run."""
    from dialer.connections import async_client
    from dialer.queue.lease_layout import ensure_layout

    async def upgrade() -> None:
        client = async_client(url)
        try:
            await ensure_layout(client)
        finally:
            await client.aclose()

    asyncio.run(upgrade())


def run_worker(settings: Settings, *, burst: bool = False) -> int:
    _register_builtin_jobs()
    url, embedded = resolve_url(settings)
    rq = rq_url(settings, url)  # raises RQNeedsPlainRedis on a cluster without RQ_REDIS_URL
    try:
        _upgrade_layout(url)
    except BaseException:
        if embedded is not None:
            embedded.stop()
        raise
    stop = threading.Event()
    ticker = threading.Thread(target=_periodic_loop, args=(settings, url, stop), daemon=True, name="periodic")
    pacer = threading.Thread(target=_pacer_thread, args=(settings, url, stop), daemon=True, name="pacer")
    crm = threading.Thread(target=_crm_thread, args=(settings, url, stop), daemon=True, name="crm-sync")
    if not burst:
        ticker.start()
        pacer.start()
        crm.start()
    try:
        os.register_at_fork(after_in_child=_die_with_parent)
        worker = DialerWorker(queues(rq), connection=plain_sync_client(rq, decode_responses=False))
        # No RQ scheduler: the dialer schedules nothing through RQ (periodic work is the loop above), and a
        # scheduler process orphaned by a kill -9 kept its lock from the restarted worker.
        worker.work(burst=burst, with_scheduler=False)
    finally:
        stop.set()
        if embedded is not None:
            embedded.stop()
    return 0
