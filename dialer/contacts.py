"""Call-list import (pure): CSV bytes in, normalized contacts and rejected rows out.

`parse_contacts` reads the file a line at a time (so a large list never sits in memory twice), maps the
headers case-insensitively, normalizes phones to E.164 with `phonenumbers` and finds each contact's time
zone: the `timezone` column, else the state (or the state of the ZIP code's 3-digit prefix), else the
area code when `phonenumbers` knows exactly one zone for it, else the campaign's default. A state that
spans zones (Florida, Texas, ...) takes the area code's zone when it is one of them, else its main zone.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import phonenumbers
from phonenumbers import timezone as phone_timezones

from dialer.calling_hours import is_valid_zone


@dataclass(frozen=True)
class Contact:
    """One parsed, normalized row of a call list."""

    phone: str
    timezone: str
    external_id: str = ""
    first_name: str = ""
    last_name: str = ""
    state: str = ""
    zip: str = ""
    phone_type: str = ""
    fields: dict[str, str] = field(default_factory=dict)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A plain number (an E.164 phone, a negative count) cannot carry a formula: it is left as it is, so phones
# export as +12025550142 rather than '+12025550142.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def csv_safe(value: object) -> str:
    """A cell that spreadsheets show as text: formula-like values get a leading single quote (OWASP)."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class CsvError(ValueError):
    """The file as a whole cannot be imported (nothing from it was read into the campaign)."""


@dataclass(frozen=True)
class InvalidRow:
    row: int  # 1-based data row number (the header is not counted)
    message: str


ET, CT, MT, PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
# state -> its zones, the main one first
STATE_ZONES: dict[str, tuple[str, ...]] = {
    **{s: (ET,) for s in "CT DE DC GA ME MD MA NH NJ NY NC OH PA RI SC VT VA WV".split()},
    **{s: (CT,) for s in "AL AR IL IA LA MN MS MO OK WI".split()},
    **{s: (MT,) for s in "CO MT NM UT WY".split()},
    **{s: (PT,) for s in "CA WA NV".split()},
    "FL": (ET, CT),
    "IN": ("America/Indiana/Indianapolis", CT),
    "KY": (ET, CT),
    "MI": ("America/Detroit", "America/Menominee"),
    "TN": (CT, ET),
    "KS": (CT, MT),
    "NE": (CT, MT),
    "ND": (CT, MT),
    "SD": (CT, MT),
    "TX": (CT, MT),
    "ID": ("America/Boise", PT),
    "OR": (PT, "America/Boise"),
    "AZ": ("America/Phoenix",),
    "AK": ("America/Anchorage",),
    "HI": ("Pacific/Honolulu",),
    "PR": ("America/Puerto_Rico",),
    "VI": ("America/St_Thomas",),
    "GU": ("Pacific/Guam",),
    "MP": ("Pacific/Saipan",),
    "AS": ("Pacific/Pago_Pago",),
}
# (first, last) 3-digit ZIP prefix -> state
_ZIP_RANGES: list[tuple[int, int, str]] = [
    (5, 5, "NY"), (6, 7, "PR"), (8, 8, "VI"), (9, 9, "PR"), (10, 27, "MA"), (28, 29, "RI"), (30, 38, "NH"),
    (39, 49, "ME"), (50, 54, "VT"), (55, 55, "MA"), (56, 59, "VT"), (60, 69, "CT"), (70, 89, "NJ"),
    (100, 149, "NY"), (150, 196, "PA"), (197, 199, "DE"), (200, 200, "DC"), (201, 201, "VA"),
    (202, 205, "DC"), (206, 219, "MD"), (220, 246, "VA"), (247, 268, "WV"), (270, 289, "NC"),
    (290, 299, "SC"), (300, 319, "GA"), (320, 339, "FL"), (341, 349, "FL"), (350, 369, "AL"),
    (370, 385, "TN"), (386, 397, "MS"), (398, 399, "GA"), (400, 427, "KY"), (430, 459, "OH"),
    (460, 479, "IN"), (480, 499, "MI"), (500, 528, "IA"), (530, 549, "WI"), (550, 567, "MN"),
    (569, 569, "DC"), (570, 577, "SD"), (580, 588, "ND"), (590, 599, "MT"), (600, 629, "IL"),
    (630, 658, "MO"), (660, 679, "KS"), (680, 693, "NE"), (700, 714, "LA"), (716, 729, "AR"),
    (730, 749, "OK"), (750, 799, "TX"), (800, 816, "CO"), (820, 831, "WY"), (832, 838, "ID"),
    (840, 847, "UT"), (850, 865, "AZ"), (870, 884, "NM"), (885, 885, "TX"), (889, 898, "NV"),
    (900, 961, "CA"), (967, 968, "HI"), (969, 969, "GU"), (970, 979, "OR"), (980, 994, "WA"),
    (995, 999, "AK"),
]  # fmt: skip

_ALIASES = {
    "phone": "phone",
    "phone_number": "phone",
    "id": "external_id",
    "external_id": "external_id",
    "first_name": "first_name",
    "last_name": "last_name",
    "state": "state",
    "zip": "zip",
    "timezone": "timezone",
    "phone_type": "phone_type",
}
_CELL = {"cell", "mobile", "wireless", "cellular"}
_LANDLINE = {"landline", "land", "fixed", "home"}


def state_of_zip(zip_code: str) -> str | None:
    digits = zip_code.strip()[:5]
    if len(digits) < 3 or not digits[:3].isdigit():
        return None
    prefix = int(digits[:3])
    for first, last, state in _ZIP_RANGES:
        if first <= prefix <= last:
            return state
    return None


def normalize_phone(raw: str, region: str = "US") -> str | None:
    """E.164 for a valid number, else None. A leading quote (our export's formula guard) is ignored."""
    text = raw.strip().lstrip("'").strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


_NANP = re.compile(r"\+1(\d{3})(\d{3})(\d{4})")


def display_phone(e164: str) -> str:
    """A stored number as a caller reads it aloud: (202) 555-0142 in North America, E.164 elsewhere (the
    country code matters there). The call page's displayPhone in api.js does the same in the browser."""
    match = _NANP.fullmatch(e164)
    return f"({match[1]}) {match[2]}-{match[3]}" if match else e164


def area_code_zone(e164: str) -> str | None:
    """The time zone of the number's area code, when phonenumbers knows exactly one."""
    zones = phone_timezones.time_zones_for_number(phonenumbers.parse(e164, None))
    if len(zones) == 1 and is_valid_zone(zones[0]):
        return str(zones[0])
    return None


def time_zone_for(e164: str, *, timezone: str, state: str, zip_code: str, default: str) -> str:
    if timezone and is_valid_zone(timezone):
        return timezone
    state_zones = STATE_ZONES.get(state.strip().upper()) or STATE_ZONES.get(state_of_zip(zip_code) or "")
    by_area = area_code_zone(e164)
    if state_zones:
        return by_area if by_area in state_zones else state_zones[0]
    return by_area or default


def phone_type(value: str) -> str:
    v = value.strip().lower()
    return "cell" if v in _CELL else "landline" if v in _LANDLINE else ""


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Text lines (with their endings) from byte chunks: UTF-8 (BOM stripped), else Latin-1 per line."""
    buffer = bytearray()  # grows in place: a 10 MB line arriving in small chunks is not copied over and over
    first = True

    def decode(line: bytes | bytearray) -> str:
        nonlocal first
        if first:
            first = False
            line = line.removeprefix(b"\xef\xbb\xbf")
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            return line.decode("latin-1")

    for chunk in chunks:
        buffer += chunk
        if b"\n" not in chunk:
            continue
        *complete, rest = buffer.split(b"\n")
        buffer = bytearray(rest)
        for line in complete:
            yield decode(line + b"\n")
    if buffer:
        yield decode(buffer)


def parse_contacts(
    chunks: Iterable[bytes], *, default_timezone: str, region: str = "US"
) -> Iterator[Contact | InvalidRow]:
    """Contacts and rejected rows in file order. Raises CsvError before yielding when the file is unusable."""
    reader = csv.reader(_lines(chunks))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError("the file is empty") from None
    except csv.Error as exc:
        raise CsvError(f"the header row cannot be read: {exc}") from None
    names = [h.strip() for h in header]
    columns: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    for index, name in enumerate(names):
        known = _ALIASES.get(name.lower().replace(" ", "_"))
        if known is not None:
            columns.setdefault(known, index)
        elif name and "\x00" not in name and name not in dict(extra).values():
            extra.append((index, name))
    if "phone" not in columns:
        raise CsvError("no phone column: the header row must name a column `phone`")
    row_number = 0
    while True:
        row_number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield InvalidRow(row_number, f"unreadable row: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue  # blank line

        def get(key: str, row: list[str] = row) -> str:
            index = columns.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        raw = get("phone")
        if not raw:
            yield InvalidRow(row_number, "missing phone number")
            continue
        e164 = normalize_phone(raw, region)
        if e164 is None:
            shown = raw if len(raw) <= 40 else raw[:40] + "..."
            yield InvalidRow(row_number, f"invalid phone number {shown!r}")
            continue
        state, zip_code = get("state"), get("zip")
        yield Contact(
            phone=e164,
            timezone=time_zone_for(
                e164, timezone=get("timezone"), state=state, zip_code=zip_code, default=default_timezone
            ),
            external_id=get("external_id"),
            first_name=get("first_name"),
            last_name=get("last_name"),
            state=state.upper(),
            zip=zip_code,
            phone_type=phone_type(get("phone_type")),
            fields={name: row[index] for index, name in extra if index < len(row)},
        )
