"""The volunteer's call session: a sans-I/O state machine behind `/ws/call/{campaign_id}`.

Pure: no sockets, no Redis, no clock. The I/O layer pumps:
- every JSON message from the browser goes to `receive(message)`; text that is not JSON to `malformed()`;
- carrier progress goes to `call_status(contact_id, status, call_sid)`, and a voter the dialer bridged to
  this volunteer (power and predictive modes) to `bridged(contact_id, call_sid)`: once a call to the
  contact is placed, answers to the script are refused (`not_connected`) until the voter is on the line,
  when the session `requires_connection` (a carrier places the calls; a volunteer dialing from their own
  phone has no status to wait for: a `start` with `"method": "own_phone"`, when the session allows it
  (`own_phone`), opens the line at once). With no call placed at all, the script is open, as API.md's
  call socket promises (start, then answer): the HTTP results call takes answers without any call too;
- each returns a `Reply`: send its `messages` in order; when `record` is set, record that result through
  the lease queue (as the HTTP results call does) and then call `recorded(contact_id)` or
  `record_failed(code, message)` and send what those return;
- a reply's `presence` (a raised hand, the page away or back) is for the organizers' roster;
- after any call, `to_state()` is the small JSON-able state to keep (e.g. in Redis) so that a reconnect
  can rebuild the session with `CallSession.from_state(...)` and send `resume()`'s messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dialer.calling_hours import parse_instant
from dialer.calling_methods import CallingMethod
from dialer.models import RESULT_CODES, ResultCode
from dialer.names import control_in_text
from dialer.scripts import engine
from dialer.scripts.engine import AnswerError, Walk
from dialer.scripts.model import Script
from dialer.telephony.line import Line, LineState, next_line

MAX_NOTES = 10_000
# Results that mean no conversation took place: a finish with one of these records no answers.
NO_CONVERSATION = frozenset(
    {ResultCode.NO_ANSWER, ResultCode.BUSY, ResultCode.VOICEMAIL, ResultCode.DISCONNECTED}
)
MAX_KEY = 200
OWN_PHONE_LINE = "own-phone"  # an own-phone call's line (no carrier sid) and the status a page is told
STATE_VERSION = 1
Message = dict[str, Any]


@dataclass(frozen=True)
class RecordResult:
    """A decision: record this result (the I/O layer carries it out, then reports back)."""

    contact_id: str
    result: ResultCode
    answers: dict[str, Any]
    notes: str
    idempotency_key: str
    script_version: int
    call_back_at: float | None = None  # epoch seconds, for a `call_back` result


@dataclass(frozen=True)
class Presence:
    """A decision: show this on the organizers' roster. `hand`: the volunteer raised (or lowered) their hand
    for help; `away`: the page went to the background (True) or came back (False)."""

    hand: bool | None = None
    away: bool | None = None


@dataclass(frozen=True)
class Reply:
    messages: tuple[Message, ...] = ()
    record: RecordResult | None = None
    presence: Presence | None = None


def error(code: str, message: str) -> Message:
    return {"type": "error", "code": code, "message": message}


def _error_reply(code: str, message: str) -> Reply:
    return Reply((error(code, message),))


@dataclass
class CallSession:
    """One volunteer's calls through their batch, one contact at a time.

    `contacts` maps contact id -> the batch's contact object (`{id, first_name, ..., fields: {...}}`);
    only those contacts can be called. Starting another contact abandons the unfinished one.
    """

    script: Script
    script_version: int
    contacts: Mapping[str, Mapping[str, Any]]
    contact_id: str | None = None
    walk: Walk | None = None
    completed: set[str] = field(default_factory=set)
    requires_connection: bool = False
    own_phone: bool = False  # the volunteer may call from their own phone (no carrier, no status)
    lines: dict[str, LineState] = field(default_factory=dict)  # contact id -> its latest call
    batch: str = ""  # the batch `contacts` and `completed` belong to

    # -- events in, replies out ------------------------------------------------------------------------

    def receive(self, message: Any) -> Reply:
        """Handle one parsed JSON message from the volunteer."""
        if not isinstance(message, dict):
            return _error_reply("bad_message", "a message must be a JSON object with a type")
        kind = message.get("type")
        if not isinstance(kind, str) or not kind:
            # A missing type (or one that is not text) is a malformed message, not an unknown kind of one.
            return _error_reply("bad_message", "a message must be a JSON object with a type (text)")
        handler = _HANDLERS.get(kind)
        if handler is None:
            known = ", ".join(sorted(_HANDLERS))
            return _error_reply("unknown_type", f"unknown message type {kind!r}; expected one of: {known}")
        try:
            return handler(self, message)
        except AnswerError as exc:
            return _error_reply(exc.code, exc.message)

    def malformed(self, reason: str = "the message is not valid JSON") -> Reply:
        """For input the I/O layer could not parse (not JSON, binary frames, too large)."""
        return _error_reply("bad_message", reason)

    def call_status(self, contact_id: str, status: str, call_sid: str = "") -> Reply:
        """Carrier progress for a contact of this batch (others are none of this volunteer's business)."""
        if contact_id not in self.contacts:
            return Reply()
        moved = next_line(self.lines.get(contact_id), status, call_sid)
        if moved is not None:
            self.lines[contact_id] = moved
        return Reply(({"type": "call_status", "contact_id": contact_id, "status": status},))

    def bridged(self, contact_id: str, call_sid: str) -> Reply:
        """Power and predictive: the dialer connected this voter to the volunteer; the call starts here."""
        self.lines[contact_id] = LineState(call_sid, Line.CONNECTED)
        return self.receive({"type": "start", "contact_id": contact_id})

    def line(self, contact_id: str) -> Line | None:
        known = self.lines.get(contact_id)
        return known.line if known else None

    def recorded(self, contact_id: str) -> Reply:
        """The I/O layer recorded the result decided for `contact_id`."""
        self.completed.add(contact_id)
        self.lines.pop(contact_id, None)
        if self.contact_id == contact_id:
            self.contact_id, self.walk = None, None
        return Reply(({"type": "recorded", "contact_id": contact_id},))

    def record_failed(self, code: str, message: str) -> Reply:
        """Recording failed (e.g. `lease_expired`); the call stays where it was so finish can be retried."""
        return _error_reply(code, message)

    def resume(self) -> Reply:
        """What a (re)connecting browser needs to see: the current step, or `done` if the call ended."""
        if self.contact_id is None or self.walk is None:
            return Reply()
        if self.lines.get(self.contact_id) == LineState(OWN_PHONE_LINE, Line.CONNECTED):
            # No carrier tells a page of an own-phone call: the server does, or the answers stay locked.
            line = {"type": "call_status", "contact_id": self.contact_id, "status": OWN_PHONE_LINE}
            return Reply((self._position(), line))
        return Reply((self._position(),))

    def set_contacts(self, contacts: Mapping[str, Mapping[str, Any]], batch: str = "") -> None:
        """A new or renewed batch; a call in progress on a contact no longer held is dropped. A new batch
        (another id) forgets which contacts were completed: a retry of one is to be called again."""
        if batch != self.batch:
            self.completed = set()
            self.batch = batch
        self.contacts = contacts
        self.lines = {cid: line for cid, line in self.lines.items() if cid in contacts}
        if self.contact_id is not None and self.contact_id not in contacts:
            self.contact_id, self.walk = None, None

    # -- handlers (dispatched from _HANDLERS) ------------------------------------------------------------

    def _start(self, message: Message) -> Reply:
        contact_id = message.get("contact_id")
        if not isinstance(contact_id, str) or not contact_id:
            return _error_reply("bad_message", "start needs a contact_id")
        if contact_id not in self.contacts:
            return _error_reply("not_in_batch", f"contact {contact_id!r} is not in your batch")
        if contact_id in self.completed:
            return _error_reply("already_completed", f"a result is already recorded for {contact_id!r}")
        method = message.get("method", CallingMethod.BROWSER.value)
        if not isinstance(method, str) or method not in set(CallingMethod):
            known = ", ".join(m.value for m in CallingMethod)
            return _error_reply("bad_message", f"method must be one of: {known}")
        if method == CallingMethod.OWN_PHONE:
            if not self.own_phone:
                return _error_reply(
                    "method_not_offered", "This campaign does not offer calling from your own phone."
                )
            # The volunteer dials on their own phone: no carrier status will come, the script is open now.
            self.lines[contact_id] = LineState(OWN_PHONE_LINE, Line.CONNECTED)
        if self.contact_id != contact_id or self.walk is None:
            self.contact_id, self.walk = contact_id, engine.start(self.script)
        return Reply((self._position(),))  # a repeated start resumes where the call is

    def _answer(self, message: Message) -> Reply:
        walk, contact = self._current()
        line = self.line(self.contact_id or "")
        # A call placed and not (yet) answered: whatever is clicked now is not what a voter said. No call
        # placed (an API client walking the script as API.md describes it): nothing to wait for.
        if self.requires_connection and line is not None and not line.heard_voter:
            return _error_reply(
                "not_connected",
                "The voter is not on the line: the script's answers open when they pick up. "
                "Nobody answered? Record what happened instead.",
            )
        step = message.get("step")
        if not isinstance(step, str):
            return _error_reply("bad_message", "answer needs the id of the step it answers")
        self.walk = engine.answer(
            self.script,
            contact,
            walk,
            step,
            choice=message.get("choice"),
            value=message.get("value", engine.MISSING),
        )
        return Reply((self._position(),))

    def _back(self, message: Message) -> Reply:
        walk, _ = self._current()
        self.walk = engine.back(walk)
        return Reply((self._position(),))

    def _finish(self, message: Message) -> Reply:
        walk, _ = self._current()
        assert self.contact_id is not None
        contact_id = message.get("contact_id", self.contact_id)
        notes = message.get("notes") if message.get("notes") is not None else ""
        key = message.get("idempotency_key")
        wanted = message.get("result")
        if contact_id != self.contact_id:
            return _error_reply("wrong_contact", f"the call in progress is with {self.contact_id!r}")
        if not isinstance(notes, str) or len(notes) > MAX_NOTES or not engine.is_unicode(notes):
            return _error_reply("bad_message", f"notes must be text of at most {MAX_NOTES} characters")
        if (control := control_in_text(notes)) is not None:
            return _error_reply("bad_message", f"notes {control}")
        if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY or not engine.is_unicode(key):
            return _error_reply(
                "bad_message", "finish needs an idempotency_key (text, at most 200 characters)"
            )
        if wanted is not None and (not isinstance(wanted, str) or wanted not in RESULT_CODES):
            return _error_reply("bad_result", f"unknown result code {wanted!r}")
        call_back_at = None
        if message.get("call_back_at") is not None:
            try:
                call_back_at = parse_instant(message["call_back_at"])
            except ValueError as exc:
                return _error_reply("bad_message", f"call_back_at {exc}")
        if walk.result is not None and wanted is not None and wanted != walk.result:
            return _error_reply("bad_result", f"the script ended with {walk.result.value!r}, not {wanted!r}")
        result = walk.result or (ResultCode(wanted) if wanted is not None else None)
        if result is None:
            return _error_reply("not_done", "the script has not reached an end: answer on, or give a result")
        # Nobody talked (no answer, busy, a machine, a dead line): whatever was clicked through the script
        # while it rang is not what a voter said, and must not reach the results.
        answers = {} if result in NO_CONVERSATION and walk.result is None else walk.answers(self.script)
        if result is not ResultCode.CALL_BACK:
            call_back_at = None
        return Reply(
            record=RecordResult(contact_id, result, answers, notes, key, self.script_version, call_back_at)
        )

    def _hand(self, message: Message) -> Reply:
        raised = message.get("raised")
        if not isinstance(raised, bool):
            return _error_reply("bad_message", "hand needs raised: true or false")
        return Reply(({"type": "hand", "raised": raised},), presence=Presence(hand=raised))

    def _presence(self, message: Message) -> Reply:
        away = message.get("away")
        if not isinstance(away, bool):
            return _error_reply("bad_message", "presence needs away: true or false")
        return Reply(presence=Presence(away=away))

    # -- helpers -------------------------------------------------------------------------------------------

    def _current(self) -> tuple[Walk, Mapping[str, Any]]:
        if self.contact_id is None or self.walk is None:
            raise AnswerError("no_call", "no call in progress: send start with a contact_id first")
        return self.walk, self.contacts[self.contact_id]

    def _position(self) -> Message:
        assert self.contact_id is not None and self.walk is not None
        if self.walk.result is not None:
            answers = self.walk.answers(self.script)
            return {
                "type": "done",
                "contact_id": self.contact_id,
                "result": self.walk.result.value,
                "answers": answers,
            }
        contact = self.contacts[self.contact_id]
        step = engine.step_payload(self.script, self.walk, contact)
        return {
            "type": "step",
            "contact_id": self.contact_id,
            "step": step,
            "can_go_back": bool(self.walk.path),
        }

    # -- persistence ---------------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """A small JSON-able snapshot: the contact, the answered steps in order, the completed contacts."""
        history = [[v.step, v.answer] for v in self.walk.path] if self.walk else []
        return {
            "v": STATE_VERSION,
            "script_version": self.script_version,
            "script_id": self.script.id,  # the campaign may be switched to another script mid-call
            "contact_id": self.contact_id,
            "step": self.walk.step if self.walk else None,
            "history": history,
            "answers": self.walk.answers(self.script) if self.walk else {},
            "completed": sorted(self.completed),
            "batch": self.batch,
            "lines": {cid: [known.call_sid, known.line.value] for cid, known in self.lines.items()},
        }

    @classmethod
    def from_state(
        cls,
        script: Script,
        script_version: int,
        contacts: Mapping[str, Mapping[str, Any]],
        state: Any,
        *,
        requires_connection: bool = False,
        own_phone: bool = False,
        batch: str = "",
    ) -> CallSession:
        """Rebuild a session; the history is replayed through the script as it is now, and whatever no
        longer fits (a changed script, a contact no longer in the batch, damaged state) starts afresh
        rather than failing. Never raises."""
        session = cls(
            script,
            script_version,
            contacts,
            requires_connection=requires_connection,
            own_phone=own_phone,
            batch=batch,
        )
        if not isinstance(state, dict):
            return session
        lines = state.get("lines")
        if isinstance(lines, dict):
            for cid, item in lines.items():
                if cid in contacts and isinstance(item, list) and len(item) == 2 and item[1] in set(Line):
                    session.lines[cid] = LineState(str(item[0]), Line(item[1]))
        completed = state.get("completed")
        if isinstance(completed, list) and state.get("batch", "") == batch:  # another batch: all to call
            session.completed = {c for c in completed if isinstance(c, str)}
        contact_id, history = state.get("contact_id"), state.get("history")
        if not isinstance(contact_id, str) or contact_id not in contacts or not isinstance(history, list):
            return session
        try:
            visits = [(str(item[0]), item[1]) for item in history]
            walk = engine.replay_path(script, contacts[contact_id], visits)
        except Exception:  # damaged or outdated state: start afresh rather than fail the reconnect
            return session
        if state.get("step") not in (None, walk.step):
            return session  # the script moved under us: the stored step is not where replay leads
        session.contact_id, session.walk = contact_id, walk
        return session


_HANDLERS: dict[str, Callable[[CallSession, Message], Reply]] = {
    "start": CallSession._start,
    "answer": CallSession._answer,
    "back": CallSession._back,
    "finish": CallSession._finish,
    "hand": CallSession._hand,
    "presence": CallSession._presence,
}
