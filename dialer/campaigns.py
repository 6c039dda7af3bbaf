"""Campaigns: the settings a call day runs with and their validation (no storage).

Validation reports every problem at once, as `{path, message}`; dialer/stores/campaigns.py keeps the
campaign as one JSON document in `{c:<id>}:campaign` so that every campaign key shares one slot.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from dialer.caller_ids import CallerId, choose_caller_id, parse_pool, pool_problems
from dialer.calling_hours import LEGAL_WINDOW, Window, is_place_zone, within_legal
from dialer.calling_methods import DEFAULT_METHODS, CallingMethod, method_problems, parse_methods
from dialer.contacts import normalize_phone
from dialer.models import CampaignStatus, Mode
from dialer.names import unprintable
from dialer.recording_consent import DEFAULT_DISCLOSURE, DEFAULT_RETENTION_DAYS, retention_problems
from dialer.times import iso_or_none
from dialer.transfers import TransferTarget, parse_targets, target_problems

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# The legal ceiling for abandoned calls (FTC Telemarketing Sales Rule / FCC TCPA safe harbor).
LEGAL_ABANDON_CAP = 0.03


@dataclass(frozen=True)
class CallingHours:
    start: str = "09:00"
    end: str = "21:00"

    def minutes(self) -> tuple[int, int]:
        return _minutes(self.start), _minutes(self.end)

    def window(self) -> Window:
        """The hours as a calling window, never outside the legal one (whatever an old record says)."""
        return within_legal(Window.parse(self.start, self.end))


@dataclass(frozen=True)
class Campaign:
    id: str
    name: str
    script_id: str
    caller_id: str  # the default number, and the one abandoned voters are told to call back
    mode: Mode = Mode.PREVIEW
    status: CampaignStatus = CampaignStatus.ACTIVE
    batch_size: int = 20
    lease_seconds: int = 1800
    calling_hours: CallingHours = field(default_factory=CallingHours)
    max_attempts: int = 3
    retry_minutes: int = 240
    abandon_cap: float = 0.03
    goal: int | None = None
    default_timezone: str = "America/New_York"
    cell_consent: bool = False
    voicemail_message: str | None = None
    # Which ways to connect volunteers are offered (dialer/calling_methods.py), in order of preference.
    calling_method: tuple[CallingMethod, ...] = DEFAULT_METHODS
    created_at: float = 0.0
    archived: bool = False  # hidden from volunteers' lists and, unless asked for, organizers'; restorable
    # Local caller ID: the campaign's other numbers and the voters each serves (dialer/caller_ids.py).
    caller_ids: tuple[CallerId, ...] = ()
    # Dial-in: the campaign's number volunteers call to take calls on their phone (a PIN says who they are).
    inbound_number: str | None = None
    # Recording with consent (dialer/recording_consent.py): off unless asked for; the voter hears the
    # disclosure before recording starts; recordings are deleted after the retention days.
    record_calls: bool = False
    recording_disclosure: str = DEFAULT_DISCLOSURE
    recording_retention_days: int = DEFAULT_RETENTION_DAYS
    # Warm transfer: the staff lines a script may hand a voter on to (dialer/transfers.py).
    transfer_targets: tuple[TransferTarget, ...] = ()
    # Preview calls through a conference (dialer/conference_calls.py): the browser's leg waits in the
    # volunteer's conference and each voter is called into it, so coaches and transfers can join. Off: a
    # preview browser call dials the voter directly, as before.
    preview_conference: bool = False

    @property
    def calling_status(self) -> CampaignStatus:
        """The status calls go by: an archived campaign calls nobody (its pacer dialed on after archiving),
        yet keeps its own status for a restore."""
        if self.archived and self.status is CampaignStatus.ACTIVE:
            return CampaignStatus.PAUSED
        return self.status

    @property
    def dialing(self) -> bool:
        """The server dials for it now: power or predictive, and not paused, closed or archived."""
        return self.mode.server_dials and self.calling_status is CampaignStatus.ACTIVE

    @property
    def refusal(self) -> str | None:
        """Why nobody is called now, in the words every calling path (a list, the dialing pool, call me)
        answers with; None while it calls. Archived reads active, so the status alone let organizers call."""
        if self.status is CampaignStatus.CLOSED:
            return "This campaign is closed: nobody is called any more."
        if self.archived:
            return "This campaign is archived: nobody is called until an organizer restores it."
        if self.status is CampaignStatus.PAUSED:
            return "This campaign is paused; try again when the organizers resume it."
        return None

    def caller_id_for(self, phone: str, state: str = "", zip_code: str = "") -> str:
        """The number a call to this voter shows: a local one from the pool, else the default."""
        return choose_caller_id(self.caller_id, self.caller_ids, phone=phone, state=state, zip_code=zip_code)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["mode"] = self.mode.value
        data["status"] = self.status.value
        data["calling_method"] = [m.value for m in self.calling_method]
        data["caller_ids"] = [c.to_json() for c in self.caller_ids]
        data["transfer_targets"] = [t.to_json() for t in self.transfer_targets]
        return data

    def to_api(self) -> dict[str, Any]:
        """As the API answers: `to_json` (the stored form) with `created_at` in ISO 8601 UTC, as API.md has
        every time (null for a campaign stored before it was kept)."""
        return {**self.to_json(), "created_at": iso_or_none(self.created_at)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Campaign:
        return cls(
            **{
                **data,
                "mode": Mode(data["mode"]),
                "status": CampaignStatus(data["status"]),
                "calling_hours": CallingHours(**data["calling_hours"]),
                # Campaigns stored before calling_method existed called from the browser.
                "calling_method": parse_methods(data.get("calling_method") or DEFAULT_METHODS),
                # Campaigns stored before local caller ID had the default number only.
                "caller_ids": parse_pool(data.get("caller_ids") or ()),
                "transfer_targets": parse_targets(data.get("transfer_targets") or ()),
            }
        )


EDITABLE = frozenset(
    {
        "name", "script_id", "caller_id", "mode", "batch_size", "lease_seconds", "calling_hours",
        "max_attempts", "retry_minutes", "abandon_cap", "goal", "default_timezone", "cell_consent",
        "voicemail_message", "calling_method", "caller_ids", "inbound_number", "record_calls",
        "recording_disclosure", "recording_retention_days", "transfer_targets", "preview_conference",
    }
)  # fmt: skip
CREATE_FIELDS = EDITABLE | {"id", "status", "archived"}
PATCH_FIELDS = EDITABLE | {"status", "archived"}
REQUIRED = ("name", "script_id", "caller_id")


class CampaignInvalid(ValueError):
    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{p['path']}: {p['message']}" for p in problems))
        self.problems = problems


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _int_in(problems: list[dict[str, str]], name: str, value: Any, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        problems.append({"path": name, "message": "must be a whole number"})
    elif not low <= value <= high:
        problems.append({"path": name, "message": f"must be between {low} and {high}"})


def _check_field(name: str, value: Any, problems: list[dict[str, str]]) -> None:  # noqa: C901
    def bad(message: str, path: str = name) -> None:
        problems.append({"path": path, "message": message})

    if name == "name":
        if not isinstance(value, str) or not value.strip():
            bad("must be a non-empty string")
        elif len(value) > 200:
            bad("must be at most 200 characters")
        elif (why := unprintable(value)) is not None:
            bad(why)
    elif name in ("id", "script_id"):
        if not isinstance(value, str) or not ID_RE.match(value):
            bad("must be 1-64 lower-case letters, digits and dashes")
    elif name == "caller_id":
        if not isinstance(value, str) or not E164_RE.match(value):
            suggestion = normalize_phone(value) if isinstance(value, str) else None
            hint = f": did you mean {suggestion}?" if suggestion else ", like (202) 555-0142 or +12025550142"
            bad(f"must be a phone number with its area code (E.164){hint}")
    elif name == "mode":
        if not isinstance(value, str) or value not in {m.value for m in Mode}:
            bad(f"must be one of {', '.join(m.value for m in Mode)}")
    elif name == "status":
        if not isinstance(value, str) or value not in {s.value for s in CampaignStatus}:
            bad(f"must be one of {', '.join(s.value for s in CampaignStatus)}")
    elif name == "batch_size":
        _int_in(problems, name, value, 1, 200)
    elif name == "lease_seconds":
        _int_in(problems, name, value, 60, 24 * 3600)
    elif name == "max_attempts":
        _int_in(problems, name, value, 1, 20)
    elif name == "retry_minutes":
        _int_in(problems, name, value, 0, 30 * 24 * 60)
    elif name == "goal":
        if value is not None:
            _int_in(problems, name, value, 1, 100_000_000)
    elif name == "abandon_cap":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            bad("must be a number")
        elif not 0 < value <= LEGAL_ABANDON_CAP:
            bad(f"must be above 0 and at most {LEGAL_ABANDON_CAP} ({LEGAL_ABANDON_CAP:.0%}, the legal limit)")
    elif name == "default_timezone":
        if not isinstance(value, str) or not valid_zone(value):
            bad("must be an IANA time zone like America/Chicago")
    elif name in ("cell_consent", "archived", "record_calls", "preview_conference"):
        if not isinstance(value, bool):
            bad("must be true or false")
    elif name == "voicemail_message":
        if value is not None and (not isinstance(value, str) or len(value) > 1000):
            bad("must be a string of at most 1000 characters")
    elif name == "recording_disclosure":
        if not isinstance(value, str) or not value.strip() or len(value) > 500:
            bad("must be a non-empty string of at most 500 characters: what the voter hears first")
    elif name == "recording_retention_days":
        problems.extend({"path": name, "message": m} for m in retention_problems(value))
    elif name == "calling_hours":
        _check_hours(value, problems)
    elif name == "calling_method":
        problems.extend(method_problems(value, None))
    elif name == "caller_ids":
        problems.extend(pool_problems(value))  # against the mode: _check_methods_fit
    elif name == "inbound_number":
        if value is not None and (not isinstance(value, str) or not E164_RE.match(value)):
            bad("must be null or one of the campaign's numbers in E.164 form, like +12025550142")
    elif name == "transfer_targets":
        problems.extend(target_problems(value))


def _check_hours(value: Any, problems: list[dict[str, str]]) -> None:
    if not isinstance(value, dict):
        problems.append(
            {"path": "calling_hours", "message": 'must be an object like {"start": "09:00", "end": "21:00"}'}
        )
        return
    for extra in sorted(set(value) - {"start", "end"}):
        problems.append({"path": f"calling_hours.{extra}", "message": "unknown field"})
    ok = True
    for part in ("start", "end"):
        item = value.get(part)
        if not isinstance(item, str) or not HHMM_RE.match(item):
            problems.append(
                {"path": f"calling_hours.{part}", "message": "must be a time like 09:00 (24-hour)"}
            )
            ok = False
    if ok and _minutes(value["start"]) >= _minutes(value["end"]):
        problems.append({"path": "calling_hours", "message": "start must be before end"})
    elif ok and (
        _minutes(value["start"]) < _minutes(f"{LEGAL_WINDOW.start:%H:%M}")
        or _minutes(value["end"]) > _minutes(f"{LEGAL_WINDOW.end:%H:%M}")
    ):
        problems.append(
            {
                "path": "calling_hours",
                "message": f"must be within {LEGAL_WINDOW.start:%H:%M}-{LEGAL_WINDOW.end:%H:%M}, the hours "
                "the law allows calls in the voter's own time",
            }
        )


def valid_zone(name: str) -> bool:
    """An IANA zone a campaign may take: a Region/City name (or UTC), not an abbreviation like EST; checked
    against the tz database's list, never opened as a path (America/Indiana, a folder, is refused)."""
    return is_place_zone(name)


def validate_new(body: dict[str, Any], now: float) -> Campaign:
    """A campaign from a create request, or CampaignInvalid listing every problem."""
    problems: list[dict[str, str]] = []
    if "id" in body and body["id"] is None:  # API.md: generated when not given; null is not giving one
        body = {k: v for k, v in body.items() if k != "id"}
    for extra in sorted(set(body) - CREATE_FIELDS):
        problems.append({"path": extra, "message": "unknown field"})
    for name in REQUIRED:
        if body.get(name) is None:
            problems.append({"path": name, "message": "required"})
    for name, value in body.items():
        if name in CREATE_FIELDS and not (name in REQUIRED and value is None):
            _check_field(name, value, problems)
    if problems:
        raise CampaignInvalid(problems)
    data = {k: v for k, v in body.items() if k in CREATE_FIELDS}
    data.setdefault("id", uuid.uuid4().hex[:12])
    campaign = Campaign(**_typed(data), created_at=now)
    _check_methods_fit(campaign)
    return campaign


def _check_methods_fit(campaign: Campaign) -> None:
    """The calling methods and the mode, together: own phone is for preview campaigns only."""
    problems = method_problems([m.value for m in campaign.calling_method], campaign.mode.value)
    numbers = {campaign.caller_id, *(c.number for c in campaign.caller_ids)}
    if not problems and campaign.inbound_number is not None and campaign.inbound_number not in numbers:
        problems = [{"path": "inbound_number", "message": "must be one of the campaign's numbers (caller_id "
                     "or caller_ids)"}]  # fmt: skip
    if not problems and CallingMethod.DIAL_IN in campaign.calling_method and campaign.inbound_number is None:
        problems = [{"path": "inbound_number", "message": "required when calling_method offers dial_in"}]
    if problems:
        raise CampaignInvalid(problems)


def apply_patch(campaign: Campaign, body: dict[str, Any]) -> Campaign:
    """The campaign with `body`'s changes, or CampaignInvalid. A closed campaign stays closed."""
    problems: list[dict[str, str]] = []
    # The campaign as GET gives it may come back whole (API.md: "any Campaign fields"): its own id and
    # created_at, unchanged, are no change; a different one cannot be made.
    fixed: dict[str, tuple[object, ...]] = {
        "id": (campaign.id,),
        "created_at": (iso_or_none(campaign.created_at), campaign.created_at),  # as answered, or as stored
    }
    body = {
        k: v
        for k, v in body.items()
        if not (k in fixed and any(v == f and type(v) is type(f) for f in fixed[k]))
    }
    if isinstance(hours := body.get("calling_hours"), dict):  # a part named: the other one as stored
        body["calling_hours"] = {**asdict(campaign.calling_hours), **hours}
    for extra in sorted(set(body) - PATCH_FIELDS):
        message = "cannot be changed" if extra in fixed else "unknown field"
        problems.append({"path": extra, "message": message})
    for name, value in body.items():
        if name in PATCH_FIELDS:
            if name in REQUIRED and value is None:
                problems.append({"path": name, "message": "must not be null"})
            else:
                _check_field(name, value, problems)
    if not problems and campaign.status is CampaignStatus.CLOSED and body.get("status", "closed") != "closed":
        problems.append(
            {"path": "status", "message": "a closed campaign cannot be reopened; create a new one"}
        )
    if problems:
        raise CampaignInvalid(problems)
    changes: dict[str, Any] = {k: v for k, v in body.items() if k in PATCH_FIELDS}
    changed = replace(campaign, **_typed(changes))
    _check_methods_fit(changed)
    return changed


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    """Validated JSON values as the Campaign's own types (shared by create and update)."""
    out = dict(values)
    if "name" in out:
        out["name"] = out["name"].strip()
    if "calling_hours" in out:
        out["calling_hours"] = CallingHours(**out["calling_hours"])
    if "mode" in out:
        out["mode"] = Mode(out["mode"])
    if "status" in out:
        out["status"] = CampaignStatus(out["status"])
    if "abandon_cap" in out:
        out["abandon_cap"] = float(out["abandon_cap"])
    if "calling_method" in out:
        out["calling_method"] = parse_methods(out["calling_method"])
    if "caller_ids" in out:
        out["caller_ids"] = parse_pool(out["caller_ids"])
    if "transfer_targets" in out:
        out["transfer_targets"] = parse_targets(out["transfer_targets"])
    return out


@dataclass(frozen=True)
class ListFilter:
    """What the campaign list shows: a status, a mode, archived or not (None: both), a name search."""

    status: CampaignStatus | None = None
    mode: Mode | None = None
    archived: bool | None = False
    name: str = ""

    def keeps(self, campaign: Campaign) -> bool:
        return (
            (self.status is None or campaign.status is self.status)
            and (self.mode is None or campaign.mode is self.mode)
            and (self.archived is None or campaign.archived is self.archived)
            and self.name.strip().lower() in campaign.name.lower()
        )


def duplicate(campaign: Campaign, new_id: str | None, name: str | None, now: float) -> Campaign:
    """A new campaign with the settings and script of `campaign`: active, not archived, no contacts (those
    live under the campaign's own id, which the copy does not share)."""
    return replace(
        campaign,
        id=new_id or uuid.uuid4().hex[:12],
        name=name or f"{campaign.name} (copy)"[:200],
        status=CampaignStatus.ACTIVE,
        archived=False,
        created_at=now,
    )
