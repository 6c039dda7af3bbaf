"""Starting the recording of a call the dialer placed, once its volunteer has read the disclosure (the
`record` action web/call_recording.py queues). The pacer carries it out because it holds the carrier's
handle on the lines it placed (with the simulated carrier, in the worker's process), as it does the hang-up.
The volunteer's page hears how it went on the campaign's calls channel: `{"type": "recording", "call_sid",
"contact_id", "status": "started" | "failed", "message"}`."""

from __future__ import annotations

import json
import logging

import redis.asyncio as aioredis

from dialer.campaigns import Campaign
from dialer.queue import keys
from dialer.stores.recordings import RecordingStore
from dialer.telephony.base import CarrierError
from dialer.telephony.recording import Recorder
from dialer.web.recording_urls import status_url

log = logging.getLogger("dialer.recording")


async def record_dialer_call(
    redis: aioredis.Redis,
    rec: Recorder | None,
    campaign: Campaign,
    call_sid: str,
    volunteer: str,
    base_url: str,
) -> str:
    """Ask the carrier to record `call_sid` (its recording step `started` was taken by the web request).
    Returns "started" or "failed"; a failure gives the step back, so the volunteer may press again."""
    store = RecordingStore(redis)
    contact_id = str(await redis.hget(keys.dial_line(campaign.id, call_sid), "contact_id") or "")
    message = ""
    if rec is None:
        message = "No carrier that records is configured."
    else:
        try:
            sid = await rec.start_recording(call_sid, status_url(base_url, campaign.id, contact_id))
        except CarrierError as exc:
            message = f"The carrier did not start recording: {exc.message}"
        else:
            await store.note_started(campaign.id, call_sid, sid)
    if message:
        log.warning("could not record call %s: %s", call_sid, message)
        await store.undo_start(campaign.id, call_sid)
    status = "failed" if message else "started"
    notice = {"type": "recording", "volunteer": volunteer, "call_sid": call_sid, "contact_id": contact_id,
              "status": status, "message": message}  # fmt: skip
    await redis.publish(keys.calls_channel(campaign.id), json.dumps(notice))
    return status
