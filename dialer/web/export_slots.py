"""How many exports (results.csv, the do-not-call list) one web process streams at once, and how long a
stalled download may hold one.

An export holds a Redis connection and CPU for as long as its reader reads: ten slow readers once stalled
a process for 25-30 s. Past `EXPORTS_AT_ONCE` a new export is answered 503 `busy` with `Retry-After`
(organizers' downloads, not volunteers' calls, wait). A slot is held by the streaming generator: it is
freed when the stream ends, fails or is dropped unstarted (a weak reference, so a client that hung up
before the first byte frees it too).

A client that stops reading without hanging up (a laptop put to sleep, a hostile script) never made the
stream end: the server's send waited for it forever, and held the slot, its Redis connection and its
memory with it; four of them and nobody could export. `ExportResponse` gives every send a time limit
(`DIALER_EXPORT_STALL_SECONDS`, 60 s by default): a send that waits longer for the client to take what
was already sent ends the response (the connection is closed, the download is cut short) and closes the
stream, which frees its slot. The server then says "ASGI callable returned without completing response"
at ERROR, as it would of a bug; a cut made here is said once, at WARNING with its reason, and that line of
the server's is dropped for it (`_CutShort`).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Mapping

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Message, Send

from dialer.web.errors import ApiError

EXPORTS_AT_ONCE = 4
RETRY_AFTER_SECONDS = 10
STALL_SECONDS = 60.0

log = logging.getLogger(__name__)


class _CutShort(logging.Filter):
    """Drops uvicorn's "returned without completing response" once for each download cut short on purpose.

    uvicorn logs it right after the application returns, on the same event loop and before anything else
    runs there, so each cut is paired with its own line; any other response left incomplete still logs."""

    MESSAGE = "ASGI callable returned without completing response."

    def __init__(self) -> None:
        super().__init__()
        self.owed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if self.owed and record.getMessage() == self.MESSAGE:
            self.owed -= 1
            return False
        return True


_CUT_SHORT = _CutShort()


class _Slot:
    """Held (referenced) by one export's generator for as long as that generator exists."""


class ExportSlots:
    def __init__(self, limit: int = EXPORTS_AT_ONCE) -> None:
        self.limit = limit
        self._held: weakref.WeakSet[_Slot] = weakref.WeakSet()

    @property
    def in_use(self) -> int:
        return len(self._held)

    def stream(self, lines: AsyncIterator[str]) -> AsyncGenerator[str]:
        """`lines` in a slot; raises ApiError 503 when every slot is taken."""
        if len(self._held) >= self.limit:
            raise ApiError(
                503,
                "busy",
                f"{self.limit} exports are being downloaded from this server; try again in a few seconds.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        slot = _Slot()
        self._held.add(slot)
        return self._hold(lines, slot)

    async def _hold(self, lines: AsyncIterator[str], slot: _Slot) -> AsyncGenerator[str]:
        try:
            async for line in lines:
                yield line
        finally:
            self._held.discard(slot)


class ExportResponse(StreamingResponse):
    """A streamed download whose every send must complete within `stall_seconds`, else it ends there."""

    def __init__(
        self,
        content: AsyncGenerator[str],
        *,
        stall_seconds: float,
        media_type: str,
        headers: Mapping[str, str],
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self.lines = content
        self.stall_seconds = stall_seconds

    async def stream_response(self, send: Send) -> None:
        async def timed(message: Message) -> None:
            with anyio.fail_after(self.stall_seconds):
                await send(message)

        try:
            await super().stream_response(timed)
        except TimeoutError:
            # Returning without the last body message: the server closes the connection.
            log.warning(
                "a download stalled for %.0f s: the client stopped reading; cut short", self.stall_seconds
            )
            logging.getLogger("uvicorn.error").addFilter(_CUT_SHORT)  # once: a logger keeps a filter once
            _CUT_SHORT.owed += 1
        finally:
            await self.lines.aclose()  # frees the export's slot now, not when the response is collected
