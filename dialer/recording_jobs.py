"""The worker's periodic job that deletes expired call recordings, here and at the carrier."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from dialer.connections import async_client
from dialer.queue import keys
from dialer.settings import Settings
from dialer.stores.recordings import expire_recordings
from dialer.telephony import carrier_from_settings
from dialer.telephony.recording import recorder


def expire_recordings_job(settings: Settings, redis_url: str, clock: Callable[[], float] = time.time) -> None:
    async def main() -> None:
        client = async_client(redis_url)
        try:
            if not await client.exists(keys.RECORDING_CAMPAIGNS):
                return  # nothing recorded: no carrier to set up every ten seconds
            carrier = carrier_from_settings(settings)
            try:
                await expire_recordings(client, recorder(carrier), clock())
            finally:
                if carrier is not None:
                    await carrier.aclose()
        finally:
            await client.aclose()

    asyncio.run(main())
