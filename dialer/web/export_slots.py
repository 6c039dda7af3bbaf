"""How many results exports one web process streams at once.

An export holds a Redis connection and CPU for as long as its reader reads: ten slow readers once stalled
a process for 25-30 s. Past `EXPORTS_AT_ONCE` a new export is answered 503 `busy` with `Retry-After`
(organizers' downloads, not volunteers' calls, wait). A slot is held by the streaming generator: it is
freed when the stream ends, fails or is dropped unstarted (a weak reference, so a client that hung up
before the first byte frees it too).
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator

from dialer.web.errors import ApiError

EXPORTS_AT_ONCE = 4
RETRY_AFTER_SECONDS = 10


class _Slot:
    """Held (referenced) by one export's generator for as long as that generator exists."""


class ExportSlots:
    def __init__(self, limit: int = EXPORTS_AT_ONCE) -> None:
        self.limit = limit
        self._held: weakref.WeakSet[_Slot] = weakref.WeakSet()

    @property
    def in_use(self) -> int:
        return len(self._held)

    def stream(self, lines: AsyncIterator[str]) -> AsyncIterator[str]:
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

    async def _hold(self, lines: AsyncIterator[str], slot: _Slot) -> AsyncIterator[str]:
        try:
            async for line in lines:
                yield line
        finally:
            self._held.discard(slot)
