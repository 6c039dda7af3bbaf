"""A call list's header row (pure): which column is the phone, the names, the state..., as lists come from
VAN/EveryAction, NGP, CallHub, sign-up forms and spreadsheets, and how one full-name column splits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

ALIASES = {
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
    "line_type": "phone_type",
    # A VAN/EveryAction export, as it comes: its VANID is the contact's CRM id (the CRM sync sends to it).
    "vanid": "external_id",
    "firstname": "first_name",
    "lastname": "last_name",
    "zip5": "zip",
    "is_cell": "cell_flag",
    "iscell": "cell_flag",
    "cell_flag": "cell_flag",
    "preferred_phone_type": "cell_flag",
    "preferredphonetype": "cell_flag",
    # A number ported from a landline to a cell (a list checked against a porting database marks it).
    "ported": "ported_flag",
    "is_ported": "ported_flag",
    "ported_flag": "ported_flag",
    "ported_to_wireless": "ported_flag",
    "wireless_ported": "ported_flag",
    # Sign-up forms and spreadsheets.
    "first": "first_name",
    "given_name": "first_name",
    "last": "last_name",
    "surname": "last_name",
    "family_name": "last_name",
}
# Without a `phone` column, the first of these with a number in the row is the contact's phone, and says
# its type (VAN exports: "Preferred Phone", "Cell Phone", "Home Phone", "Work Phone"; sign-up forms and
# spreadsheets: "Cell", "Mobile", "Telephone"); a cell flag column tells the preferred phone's type.
PHONE_COLUMNS = {
    "preferred_phone": "",
    "cell_phone": "cell",
    "mobile_phone": "cell",
    "home_phone": "landline",
    "work_phone": "",  # VAN's Work Phone: a desk line or a cell, unknown
    "cell": "cell",
    "mobile": "cell",
    "cell_number": "cell",
    "mobile_number": "cell",
    "telephone": "",
    "telephone_number": "",
    "tel": "",
}
# Without first and last name columns, one of these holds the whole name ("Name" in a Google Sheet).
FULL_NAME_COLUMNS = ("name", "full_name", "contact_name", "voter_name")
_SQUASHED = {
    re.sub(r"[^a-z0-9]", "", k): k for k in [*ALIASES, *PHONE_COLUMNS, *FULL_NAME_COLUMNS]
}  # PhoneType, Phone-Type


@dataclass(frozen=True)
class Repeat:
    """Two columns of the header that are the same thing: only `kept`'s cells are read (0-based positions).
    `phone`: both are phone columns, which a do-not-call list reads every one of."""

    kept: int
    dropped: int
    phone: bool = False


@dataclass(frozen=True)
class FileWarning:
    """Something about the whole file a person should know (a header that repeats): nothing was refused."""

    kind: str
    header: str  # the later column's header, as written
    columns: tuple[int, int]  # the two columns, numbered as a spreadsheet shows them (A = 1)
    message: str

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "header": self.header,
            "columns": list(self.columns),
            "message": self.message,
        }


class HeaderError(ValueError):
    """The header row names no column a phone number could be in."""


@dataclass(frozen=True)
class Header:
    columns: dict[str, int]  # the known columns' positions, by the name API.md gives them
    extra: list[tuple[int, str]]  # every other column (position, name), kept as contact.<name>
    phones: list[tuple[int, str]]  # the columns to take the phone from in turn (position, implied type)
    full_name: int | None = None  # a column with the whole name, when no first or last name column
    # every column a phone number may be in (`phone` first, then Preferred, Cell, Home...): a do-not-call
    # row puts all of its numbers on the list, not only the one a call list would dial
    all_phones: tuple[int, ...] = ()
    names: tuple[str, ...] = ()  # the header row's names, as written
    repeats: tuple[Repeat, ...] = ()  # columns that repeat an earlier one (`note,note`; `first,First Name`)

    def warnings(self, *, dnc: bool = False) -> list[FileWarning]:
        """The repeated headers, and what was kept: a call list reads the first column of each; a
        do-not-call list reads every phone column (and no other)."""
        out = []
        for r in self.repeats:
            if dnc and not r.phone:
                continue
            kept, dropped = self.names[r.kept], self.names[r.dropped]
            what = f"the header {dropped!r} repeats" if kept == dropped else f"{dropped!r} repeats {kept!r}"
            where = f"{what} (columns {r.kept + 1} and {r.dropped + 1})"
            if dnc:
                message = f"{where}: the numbers of both columns were added"
            else:
                message = (
                    f"{where}: column {r.kept + 1}'s cells were imported, column {r.dropped + 1}'s were not"
                )
            out.append(FileWarning("repeated_header", dropped, (r.kept + 1, r.dropped + 1), message))
        return out


def read_header(names: Sequence[str]) -> Header:
    columns: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    phones: dict[str, tuple[int, str]] = {}
    full: dict[str, int] = {}
    named: set[str] = set()  # the extra columns' names so far (a repeated one keeps its first column)
    phone_named: list[int] = []  # `phone` and `phone_number` columns
    exact_id = False  # the external id's column is named `external_id`
    repeats: list[Repeat] = []
    first_of: dict[str, int] = {}  # each extra column's first position, by name
    more_phones: list[int] = []  # phone columns that repeat one (`Cell Phone` twice): a do-not-call list
    # reads them too
    for index, name in enumerate(h.strip() for h in names):
        normal = _SQUASHED.get(re.sub(r"[^a-z0-9]", "", name.lower()), name.lower().replace(" ", "_"))
        known = ALIASES.get(normal)
        if known == "phone":
            phone_named.append(index)
        if known == "external_id" and known in columns:
            # An `external_id` column is the CRM id whatever comes before it (`id`, VANID): a list with
            # both `id` and `external_id` took id's cells and dropped external_id's. The other is a field.
            keep, other = columns[known], index
            if normal == "external_id" and not exact_id:
                keep, other = index, columns[known]
            exact_id = exact_id or normal == "external_id"
            columns[known] = keep
            if (other_name := names[other].strip()) and other_name not in named:
                named.add(other_name)
                extra.append((other, other_name))
                extra.sort()
            continue
        if known == "external_id":
            exact_id = normal == "external_id"
        if known is not None:
            if known in columns and known != "ported_flag":
                repeats.append(Repeat(columns[known], index, phone=known == "phone"))
            columns.setdefault(known, index)
            if known == "ported_flag" and name not in named:  # read for the type, and kept: API.md's
                named.add(name)  # "every other column" (`ported` is none of its headers)
                extra.append((index, name))
        elif name and "\x00" not in name and name in first_of:
            repeats.append(Repeat(first_of[name], index, phone=normal in PHONE_COLUMNS))
            if normal in PHONE_COLUMNS:
                more_phones.append(index)
        elif name and "\x00" not in name and name not in named:
            named.add(name)
            first_of[name] = index
            extra.append((index, name))
            if normal in PHONE_COLUMNS:
                if normal in phones:  # `Cell Phone` and `cell_phone`: both kept as fields, both listed
                    more_phones.append(index)
                phones.setdefault(normal, (index, PHONE_COLUMNS[normal]))
            if normal in FULL_NAME_COLUMNS:
                full.setdefault(normal, index)
    full_name = None
    if "first_name" not in columns and "last_name" not in columns:
        full_name = next((full[n] for n in FULL_NAME_COLUMNS if n in full), None)
    given = tuple(h.strip() for h in names)
    in_turn = [phones[name] for name in PHONE_COLUMNS if name in phones]
    all_phones = (*phone_named, *(index for index, _ in in_turn), *more_phones)
    rep = tuple(sorted(repeats, key=lambda r: r.dropped))
    if "phone" in columns:
        return Header(columns, extra, [(columns["phone"], "")], full_name, all_phones, given, rep)
    if not phones:
        raise HeaderError(
            "no phone column: the header row must name a column `phone` (or Phone Number, Cell, Mobile, "
            "Telephone, or a VAN export's Preferred Phone, Cell Phone, Home Phone or Work Phone)"
        )
    return Header(columns, extra, in_turn, full_name, all_phones, given, rep)


def split_name(full: str) -> tuple[str, str]:
    """A whole name as first and last: "Last, First" as voter files write it, else the first word and
    the rest ("Mary Ann Smith": "Mary", "Ann Smith"; one word is a first name)."""
    last, comma, first = full.partition(",")
    if comma and first.strip() and last.strip():
        return " ".join(first.split()), " ".join(last.split())
    words = full.split()
    return (words[0], " ".join(words[1:])) if words else ("", "")
