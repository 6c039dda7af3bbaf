"""The domain vocabulary shared by every layer: roles, campaign modes and states, result codes.

Pure: no I/O. Enums are `str` subclasses so that they serialize to JSON as their values.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """Account roles; each includes the powers of the ones before it."""

    VOLUNTEER = "volunteer"
    LEADER = "leader"
    ORGANIZER = "organizer"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _ROLE_ORDER.index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank

    @property
    def with_article(self) -> str:
        """ "a volunteer", "an organizer": for messages (they said "a organizer's account")."""
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value}"


_ROLE_ORDER = [Role.VOLUNTEER, Role.LEADER, Role.ORGANIZER, Role.ADMIN]


class Mode(enum.StrEnum):
    PREVIEW = "preview"
    POWER = "power"
    PREDICTIVE = "predictive"

    @property
    def server_dials(self) -> bool:
        """Power and predictive: the server dials; volunteers wait in its pool for voters who answer."""
        return self in (Mode.POWER, Mode.PREDICTIVE)


class CampaignStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class ResultCode(enum.StrEnum):
    CONTACTED = "contacted"
    NOT_HOME = "not_home"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    DISCONNECTED = "disconnected"
    REFUSED = "refused"
    CALL_BACK = "call_back"
    DO_NOT_CALL = "do_not_call"
    LANGUAGE_BARRIER = "language_barrier"
    MOVED = "moved"
    DECEASED = "deceased"

    @property
    def retries_after_delay(self) -> bool:
        """Sent back to the queue after `retry_minutes`, until `max_attempts`."""
        return self in RETRYABLE_RESULTS

    @property
    def is_final(self) -> bool:
        """No further call to this contact in this campaign."""
        return self not in RETRYABLE_RESULTS and self is not ResultCode.CALL_BACK


RETRYABLE_RESULTS = frozenset(
    {ResultCode.NO_ANSWER, ResultCode.BUSY, ResultCode.VOICEMAIL, ResultCode.NOT_HOME}
)
RESULT_CODES = frozenset(code.value for code in ResultCode)
