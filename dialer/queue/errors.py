"""The lease queue's refusals: each a `QueueError` whose `code` is the API's error code (the Lua scripts
answer `{"error", code}` and `raise_for` turns that into the matching exception)."""

from __future__ import annotations


class QueueError(Exception):
    """A refused queue operation; `code` is the API's error code."""

    code = "queue_error"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)


class LeaseExpired(QueueError):
    code = "lease_expired"


class NotHolder(QueueError):
    code = "not_holder"


class BatchNotFound(QueueError):
    code = "not_found"


class NotInBatch(QueueError):
    code = "not_in_batch"


class AlreadyCompleted(QueueError):
    code = "already_completed"


class SkipLimit(QueueError):
    code = "skip_limit"


class IdempotencyKeyReused(QueueError):
    """The idempotency key was first used in the batch for another contact: not a repeat."""

    code = "idempotency_key_reused"


_ERRORS: dict[str, type[QueueError]] = {
    cls.code: cls
    for cls in (
        LeaseExpired,
        NotHolder,
        BatchNotFound,
        NotInBatch,
        AlreadyCompleted,
        SkipLimit,
        IdempotencyKeyReused,
    )
}


def raise_for(code: str) -> None:
    raise _ERRORS.get(code, QueueError)(code)
