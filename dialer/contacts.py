"""Call-list import (pure): CSV bytes in, normalized contacts, rejected rows and warnings out.

`read_rows` reads the file a line at a time (so a large list never sits in memory twice), maps the headers
case-insensitively, normalizes phones to E.164 (phones.py), finds each contact's time zone
(contact_zones.py) and says what a person checking the list should know about a row: a toll-free number
(skipped: it reaches a business, not a voter), a number abroad, an extension that cannot be dialed, a time
zone nobody knows (each imported, and the warning says so).

Rows are numbered two ways: `row` counts data rows from 1 (API.md's contract), `line` is the row a
spreadsheet shows for it (the header is row 1), so `line == row + 1`; blank rows count in both, as there.
"""

from __future__ import annotations

import csv
import enum
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain

from dialer.contact_headers import FileWarning, Header, HeaderError, read_header, split_name
from dialer.contact_zones import (
    STATE_ZONES,
    ZoneSource,
    state_code,
    state_of_zip,
    time_zone_for,
    unknown_zone_reason,
    zone_of,
)
from dialer.csv_encoding import EncodingError, utf8_chunks
from dialer.names import without_controls
from dialer.phone_types import line_type, row_phone_type
from dialer.phones import (
    MAX_LENGTH,
    Phone,
    area_code_zone,
    country_name,
    display_phone,
    normalize_phone,
    parse_phone,
)


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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# A plain number (an E.164 phone, a negative count) cannot carry a formula: it is left as it is, so phones
# export as +12025550142 rather than '+12025550142.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def csv_safe(value: object) -> str:
    """A cell spreadsheets show as text: formula-like ones get a leading ' (OWASP); no NUL-like controls."""
    text = "" if value is None else without_controls(str(value))
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class CsvError(ValueError):
    """The file as a whole cannot be imported (nothing from it was read into the campaign)."""


def sheet_row(row: int) -> int:
    """The spreadsheet's row number (header = 1) of data row `row` (first data row = 1)."""
    return row + 1


@dataclass(frozen=True)
class InvalidRow:
    """A row that was not imported because it has no usable phone number (or cannot be read)."""

    row: int  # 1-based data row number (the header is not counted)
    message: str

    @property
    def line(self) -> int:
        return sheet_row(self.row)

    def to_json(self) -> dict[str, int | str]:
        return {"row": self.row, "line": self.line, "message": self.message}


class WarningKind(enum.StrEnum):
    TOLL_FREE = "toll_free"
    FOREIGN = "foreign"  # outside the US, Canada and the US territories
    EXTENSION = "extension"
    UNKNOWN_TIMEZONE = "unknown_timezone"
    UNKNOWN_STATE = "unknown_state"
    UNKNOWN_PHONE_TYPE = "unknown_phone_type"


# Rows with these warnings are not imported: a voter's own phone is never toll-free, and a volunteer who
# dials one reaches a company's phone menu. The other warnings import the row.
SKIPPED_KINDS = frozenset({WarningKind.TOLL_FREE})


@dataclass(frozen=True)
class RowWarning:
    """Something about a row that a person should check; `skipped` says whether it was imported."""

    row: int
    kind: WarningKind
    message: str  # ends with what was done: "...: skipped" / "imported ..."
    phone: str = ""

    @property
    def line(self) -> int:
        return sheet_row(self.row)

    @property
    def skipped(self) -> bool:
        return self.kind in SKIPPED_KINDS

    def to_json(self) -> dict[str, int | str]:
        return {
            "row": self.row,
            "line": self.line,
            "phone": self.phone,
            "kind": self.kind.value,
            "action": "skipped" if self.skipped else "imported",
            "message": self.message,
        }


@dataclass(frozen=True)
class ContactRow:
    """A row with a valid phone number: the contact, and what a person should know about it."""

    row: int
    contact: Contact
    warnings: tuple[RowWarning, ...] = ()

    @property
    def line(self) -> int:
        return sheet_row(self.row)

    @property
    def skipped(self) -> bool:
        """Not to be imported (a warning says why)."""
        return any(w.skipped for w in self.warnings)


def row_warnings(
    row: int, phone: Phone, *, timezone: str, zone: str, source: ZoneSource, state: str = "", kind: str = ""
) -> tuple[RowWarning, ...]:
    """What to tell a person about a row with a valid number; `timezone` and `state` are the row's own
    cells, `zone` and `source` the time zone it was given and where that came from."""
    shown = display_phone(phone.e164)
    out: list[RowWarning] = []
    if phone.toll_free:
        message = f"{shown} is a toll-free number, which reaches a business rather than a voter: skipped"
        out.append(RowWarning(row, WarningKind.TOLL_FREE, message, phone.e164))
    elif phone.abroad:
        country = country_name(phone)
        message = (
            f"{shown} is outside the US and Canada ({country}): imported; calls abroad cost more, and "
            "your calling account must allow them"
        )
        out.append(RowWarning(row, WarningKind.FOREIGN, message, phone.e164))
    if phone.extension:
        message = (
            f"extension {phone.extension} cannot be dialed: imported as {shown}, and the call page shows "
            "the extension for the caller to ask for"
        )
        out.append(RowWarning(row, WarningKind.EXTENSION, message, phone.e164))
    if timezone and source is not ZoneSource.TIMEZONE:
        cell = _shorten(timezone)
        why = unknown_zone_reason(timezone)
        message = f"unknown time zone {cell!r} ({why}): imported with {zone}, from the {source.value}"
        out.append(RowWarning(row, WarningKind.UNKNOWN_TIMEZONE, message, phone.e164))
    if state.strip() and state_code(state) is None:
        cell = _shorten(state.strip())
        message = (
            f"unknown state {cell!r} (not a US state or territory, such as NY or New York): imported with "
            f"{zone}, from the {source.value}"
        )
        out.append(RowWarning(row, WarningKind.UNKNOWN_STATE, message, phone.e164))
    if kind.strip() and not line_type(kind):  # a typo'd "cel" was a number of unknown type, autodialed
        message = f"unknown phone type {_shorten(kind.strip())!r} (cell or landline): imported as unknown, "
        message += "which power and predictive modes dial as they dial landlines"
        out.append(RowWarning(row, WarningKind.UNKNOWN_PHONE_TYPE, message, phone.e164))
    return tuple(out)


def _invalid_phone(header: Header, raw: str, index: int) -> str:
    """A cell that is not a phone number, and its column when the file has several phone columns (a VAN
    export's Cell Phone and Home Phone): "invalid phone number 'n/a' in Cell Phone"."""
    column = f" in {header.names[index]}" if len(header.all_phones) > 1 else ""
    return f"invalid phone number {_shorten(raw)!r}{column}"


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LENGTH else text[:MAX_LENGTH] + "..."


def _lines(chunks: Iterable[bytes]) -> Iterator[str]:
    """Text lines (with their endings) from byte chunks: UTF-16/32 by their BOM (csv_encoding.py), UTF-8
    (BOM stripped), else Latin-1 per line."""
    try:
        yield from _utf8_lines(utf8_chunks(chunks))
    except EncodingError as exc:
        raise CsvError(str(exc)) from None


def _utf8_lines(chunks: Iterable[bytes]) -> Iterator[str]:
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


def _header(reader: Iterator[list[str]]) -> Header:
    try:
        names = next(reader)
    except StopIteration:
        raise CsvError("the file is empty") from None
    except csv.Error as exc:
        raise CsvError(f"the header row cannot be read: {exc}") from None
    try:
        return read_header(names)
    except HeaderError as exc:
        raise CsvError(str(exc)) from None


def _open(chunks: Iterable[bytes]) -> tuple[Iterator[list[str]], Header]:
    lines = _lines(chunks)
    head = next(lines, "")  # no comma but tabs (Excel's "Unicode Text") or semicolons (Excel in Europe)?
    sep = next((s for s in ",\t;" if s in head), ",")
    reader = csv.reader(chain([head] if head else [], lines), delimiter=sep)
    return reader, _header(reader)


def read_rows(
    chunks: Iterable[bytes], *, default_timezone: str, region: str = "US"
) -> Iterator[FileWarning | ContactRow | InvalidRow]:
    """Every non-blank row in file order, as a contact (with its warnings) or a rejected row, after the
    file's own warnings (a repeated header). Raises CsvError before yielding anything when the file is
    unusable."""
    reader, header = _open(chunks)
    yield from header.warnings()
    columns, extra, phone_columns = header.columns, header.extra, header.phones
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

        # The first phone column with a valid number (a VAN row's "N/A" cell phone no longer loses its
        # home phone); a row with none reports its first number.
        given = [(row[i].strip(), kind, i) for i, kind in phone_columns if i < len(row) and row[i].strip()]
        phone, implied = next(
            ((p, kind) for raw, kind, _ in given if (p := parse_phone(raw, region))), (None, "")
        )
        if phone is None:
            yield InvalidRow(
                row_number,
                _invalid_phone(header, given[0][0], given[0][2]) if given else "missing phone number",
            )
            continue
        state, zip_code, timezone = get("state"), get("zip"), get("timezone")
        zone, source = zone_of(
            phone, timezone=timezone, state=state, zip_code=zip_code, default=default_timezone
        )
        first, last = get("first_name"), get("last_name")
        if header.full_name is not None and header.full_name < len(row):
            first, last = split_name(row[header.full_name].strip())
        fields = {name: row[index] for index, name in extra if index < len(row)}
        if phone.extension and not fields.get("extension"):
            fields = {"extension": phone.extension, **fields}  # first: the call page shows a few fields
        contact = Contact(
            phone=phone.e164,
            timezone=zone,
            external_id=get("external_id"),
            first_name=first,
            last_name=last,
            state=state_code(state) or state.strip().upper(),
            zip=zip_code,
            phone_type=row_phone_type(get("phone_type"), implied, get("cell_flag"), get("ported_flag")),
            fields=fields,
        )
        warnings = row_warnings(
            row_number,
            phone,
            timezone=timezone,
            zone=zone,
            source=source,
            state=state,
            kind=get("phone_type"),
        )
        yield ContactRow(row_number, contact, warnings)


def read_phones(chunks: Iterable[bytes], *, region: str = "US") -> Iterator[str | InvalidRow | FileWarning]:
    """A do-not-call list's numbers in file order (E.164), and its rows or cells that are not numbers,
    after the file's warnings (a repeated phone header). Every phone column of a row counts (`phone`,
    Preferred, Cell, Home..., a repeated one too): a VAN export's row has the voter's cell and home phones,
    and a list that took one of them left the other to be called."""
    reader, header = _open(chunks)
    yield from header.warnings(dnc=True)
    for row_number in itertools.count(1):
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield InvalidRow(row_number, f"unreadable row: {exc}")
            continue
        cells = [(i, row[i].strip()) for i in header.all_phones if i < len(row) and row[i].strip()]
        if not cells and any(cell.strip() for cell in row):
            yield InvalidRow(row_number, "missing phone number")
        for index, raw in cells:
            phone = parse_phone(raw, region)
            yield phone.e164 if phone else InvalidRow(row_number, _invalid_phone(header, raw, index))


def parse_contacts(
    chunks: Iterable[bytes], *, default_timezone: str, region: str = "US"
) -> Iterator[Contact | InvalidRow]:
    """`read_rows` without row numbers and warnings: every valid number, including those an import skips
    (a do-not-call list takes toll-free numbers too). Raises CsvError before yielding when unusable."""
    for item in read_rows(chunks, default_timezone=default_timezone, region=region):
        if not isinstance(item, FileWarning):
            yield item.contact if isinstance(item, ContactRow) else item


__all__ = [
    "STATE_ZONES",
    "Contact",
    "ContactRow",
    "CsvError",
    "FileWarning",
    "InvalidRow",
    "RowWarning",
    "WarningKind",
    "area_code_zone",
    "csv_safe",
    "display_phone",
    "normalize_phone",
    "parse_contacts",
    "read_phones",
    "read_rows",
    "state_of_zip",
    "time_zone_for",
]
