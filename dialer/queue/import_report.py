"""An import's report, as staff read it beside their spreadsheet (no I/O: importer.py fills it in).

Besides API.md's totals and rejected rows it lists the rows skipped as duplicates or as do-not-call
numbers, and the rows with a warning (contacts.RowWarning), each with the row number the spreadsheet
shows (`line`, the header being row 1) next to API.md's data row number (`row`). Those lists stop at
`ROW_LIST_CAP` entries; the totals always count every row.

A duplicate names the row it repeats when that row came earlier in the same file. The importer learns
which contact already has the phone; `LinesById` finds that contact's row among the ones this import
added, keeping four bytes per row (the ids of one add_contacts call are consecutive), so a long list
costs little memory.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dialer.contacts import ContactRow, FileWarning, InvalidRow, RowWarning, sheet_row
from dialer.phones import display_phone

ROW_LIST_CAP = 1000  # entries per list of rows (duplicates, do-not-call, warnings)


@dataclass(frozen=True)
class SkippedRow:
    """A valid row that was not imported: a duplicate or a number on the do-not-call list."""

    row: int
    phone: str
    message: str

    def to_json(self) -> dict[str, int | str]:
        return {"row": self.row, "line": sheet_row(self.row), "phone": self.phone, "message": self.message}


class LinesById:
    """Spreadsheet rows of the contacts one import added, by contact id."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._lines: list[array[int]] = []
        self._out_of_order: dict[int, int] = {}  # ids that arrive below the last one (rare)

    def add(self, contact_id: int, line: int) -> None:
        if self._starts and contact_id == self._starts[-1] + len(self._lines[-1]):
            self._lines[-1].append(line)
        elif self._starts and contact_id < self._starts[-1] + len(self._lines[-1]):
            self._out_of_order[contact_id] = line
        else:
            self._starts.append(contact_id)
            self._lines.append(array("I", [line]))

    def line_of(self, contact_id: int) -> int | None:
        if contact_id in self._out_of_order:
            return self._out_of_order[contact_id]
        index = bisect_right(self._starts, contact_id) - 1
        if index < 0:
            return None
        offset = contact_id - self._starts[index]
        lines = self._lines[index]
        return lines[offset] if offset < len(lines) else None


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    skipped_dnc: int = 0
    skipped: int = 0  # rows not imported for a reason in `warnings` (toll-free numbers)
    invalid: list[InvalidRow] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    warnings_total: int = 0
    duplicate_rows: list[SkippedRow] = field(default_factory=list)
    dnc_rows: list[SkippedRow] = field(default_factory=list)
    rows: int = 0  # data rows read so far (progress)
    file_warnings: list[FileWarning] = field(default_factory=list)  # about the whole file (a repeated header)
    lines: LinesById = field(default_factory=LinesById, repr=False)
    # A background import run again after its worker died (queue/import_watch.py): contacts with ids above
    # this were added by the interrupted run of the same file, so they count as imported, not duplicates.
    resume_floor: int | None = None

    def read(self, item: FileWarning | ContactRow | InvalidRow) -> ContactRow | None:
        """Counts a row as read; returns it when it is a contact to import (not invalid, not skipped)."""
        if isinstance(item, FileWarning):
            self.file_warnings.append(item)
            return None
        self.rows = max(self.rows, item.row)
        if isinstance(item, InvalidRow):
            self.invalid.append(item)
            return None
        if item.skipped:
            self._warn(item)
            self.skipped += 1
            return None
        return item

    def _warn(self, item: ContactRow) -> None:
        """The row's warnings, once it is imported or left out for them. A row that turns out to repeat
        another or to be on the do-not-call list is told in that list only: its "imported with ..." read
        as "20000 imported rows to check" under "0 contacts imported" (a list uploaded twice)."""
        self.warnings_total += len(item.warnings)
        room = ROW_LIST_CAP - len(self.warnings)
        self.warnings.extend(item.warnings[: max(room, 0)])

    def on_dnc_list(self, item: ContactRow) -> None:
        self.skipped_dnc += 1
        if len(self.dnc_rows) < ROW_LIST_CAP:
            phone = item.contact.phone
            message = f"{display_phone(phone)} is on the do-not-call list: skipped"
            self.dnc_rows.append(SkippedRow(item.row, phone, message))

    def added(
        self, items: Sequence[ContactRow], new_ids: Sequence[int], duplicates: Sequence[tuple[int, int]]
    ) -> None:
        """`items` went to add_contacts: `new_ids` for the new ones in order, `duplicates` as (position
        in `items`, id of the contact that has the phone)."""
        duplicate_at = {position: existing for position, existing in duplicates}
        ids = iter(new_ids)
        left: list[tuple[int, int]] = []
        for position, item in enumerate(items):  # in file order, so that ids arrive in increasing order
            existing = duplicate_at.get(position)
            if existing is None:
                self.lines.add(next(ids), item.line)
                self._warn(item)
            elif self._earlier_run(existing):
                # A background import run again after its worker died: the interrupted run added this
                # contact from this very row; it counts as imported (queue/import_watch.py).
                self.lines.add(existing, item.line)
                self._warn(item)
                self.imported += 1
            else:
                left.append((position, existing))
        duplicates = left
        self.imported += len(new_ids)
        self.duplicates += len(duplicates)
        for position, existing in duplicates:
            if len(self.duplicate_rows) >= ROW_LIST_CAP:
                break
            item = items[position]
            shown = display_phone(item.contact.phone)
            first = self.lines.line_of(existing)
            if first is not None:
                message = f"{shown} is the same number as row {first}: skipped"
            else:
                message = f"{shown} is already in this campaign (from an earlier list): skipped"
            self.duplicate_rows.append(SkippedRow(item.row, item.contact.phone, message))

    def _earlier_run(self, existing: int) -> bool:
        return (
            self.resume_floor is not None
            and existing > self.resume_floor
            and self.lines.line_of(existing) is None
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "skipped_dnc": self.skipped_dnc,
            "invalid": [r.to_json() for r in self.invalid],
            "skipped": self.skipped,
            # In file order: a row left out is told as it is read, one imported once its chunk is written.
            "warnings": [w.to_json() for w in sorted(self.warnings, key=lambda w: w.row)],
            "warnings_total": self.warnings_total,
            "duplicate_rows": [r.to_json() for r in self.duplicate_rows],
            "dnc_rows": [r.to_json() for r in self.dnc_rows],
            "rows": self.rows,
            # Only when there are any: answers compared whole (older clients, tests) keep their shape.
            **({"file_warnings": [w.to_json() for w in self.file_warnings]} if self.file_warnings else {}),
        }
