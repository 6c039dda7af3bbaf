"""The import report's bookkeeping (no Redis): rows by contact id, lists capped, totals whole."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dialer.contacts import Contact, ContactRow, InvalidRow, RowWarning, WarningKind
from dialer.queue.import_report import ROW_LIST_CAP, ImportReport, LinesById


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(0, 3)), max_size=40))
def test_lines_by_id_finds_every_added_row(runs: list[tuple[int, int]]) -> None:
    """Ids come in runs of consecutive numbers (one add_contacts call each) with gaps between (another
    import's contacts); every id added maps to its line, every other id to None."""
    lines = LinesById()
    expected: dict[int, int] = {}
    next_id, line = 1, 2
    for length, gap in runs:
        next_id += gap
        for _ in range(length):
            lines.add(next_id, line)
            expected[next_id] = line
            next_id += 1
            line += 1
    for contact_id in range(0, next_id + 2):
        assert lines.line_of(contact_id) == expected.get(contact_id)


def row(number: int, phone: str = "+12025550142", *warnings: WarningKind) -> ContactRow:
    return ContactRow(
        number,
        Contact(phone=phone, timezone="America/New_York"),
        tuple(RowWarning(number, kind, f"{kind.value}: ...", phone) for kind in warnings),
    )


def test_rows_read_are_counted_and_lists_stop_at_the_cap() -> None:
    report = ImportReport()
    assert report.read(InvalidRow(1, "missing phone number")) is None
    for number in range(2, ROW_LIST_CAP + 12):
        assert report.read(row(number, "+18005550100", WarningKind.TOLL_FREE)) is None
    extension = row(ROW_LIST_CAP + 12, "+12025550142", WarningKind.EXTENSION)
    assert report.read(extension) is extension
    assert report.warnings_total == ROW_LIST_CAP + 10  # the extension's counts once it is imported
    report.added([extension], [1], [])
    assert (report.rows, report.skipped, report.warnings_total) == (
        ROW_LIST_CAP + 12,
        ROW_LIST_CAP + 10,
        ROW_LIST_CAP + 11,
    )
    assert len(report.warnings) == ROW_LIST_CAP
    out = report.to_json()
    assert out["invalid"] == [{"row": 1, "line": 2, "message": "missing phone number"}]
    assert out["warnings"][0] == {
        "row": 2,
        "line": 3,
        "phone": "+18005550100",
        "kind": "toll_free",
        "action": "skipped",
        "message": "toll_free: ...",
    }


def test_duplicates_name_the_row_they_repeat() -> None:
    report = ImportReport()
    first = [row(1, "+12025550101"), row(2, "+12025550102")]
    report.added(first, [7, 8], [])
    later = [row(3, "+12025550103"), row(4, "+12025550101"), row(5, "+13125550100")]
    report.added(later, [9], [(1, 7), (2, 3)])  # 3: a contact from an earlier list
    assert (report.imported, report.duplicates) == (3, 2)
    assert [r.to_json() for r in report.duplicate_rows] == [
        {
            "row": 4,
            "line": 5,
            "phone": "+12025550101",
            "message": "(202) 555-0101 is the same number as row 2: skipped",
        },
        {
            "row": 5,
            "line": 6,
            "phone": "+13125550100",
            "message": "(312) 555-0100 is already in this campaign (from an earlier list): skipped",
        },
    ]


def test_a_run_again_after_its_worker_died_counts_the_first_runs_contacts_as_imported() -> None:
    """The interrupted run added ids 11 and 12 (above the floor 10) from rows 1 and 2 before it died; the
    run again from row 1 finds them as duplicates, and row 4 repeats row 1 within the file."""
    report = ImportReport(resume_floor=10)
    rows = [row(1, "+12025550101"), row(2, "+12025550102"), row(3, "+12025550103"), row(4, "+12025550101")]
    rows.append(row(5, "+13125550100"))  # already in the campaign from an earlier list: id 4
    report.added(rows, [13], [(0, 11), (1, 12), (3, 11), (4, 4)])
    assert (report.imported, report.duplicates) == (3, 2)
    messages = [r.message for r in report.duplicate_rows]
    assert messages == [
        "(202) 555-0101 is the same number as row 2: skipped",  # its spreadsheet line
        "(312) 555-0100 is already in this campaign (from an earlier list): skipped",
    ]
    # The same file imported without interruption gives the same report.
    plain = ImportReport()
    plain.added(rows, [11, 12, 13], [(3, 11), (4, 4)])
    assert (plain.imported, plain.duplicates) == (3, 2)
    assert [r.message for r in plain.duplicate_rows] == messages


def test_lines_by_id_takes_an_id_below_the_last_one() -> None:
    lines = LinesById()
    lines.add(20, 2)
    lines.add(21, 3)
    lines.add(5, 4)  # a resumed import claims the contacts of its earlier run after newer ones
    assert (lines.line_of(20), lines.line_of(21), lines.line_of(5), lines.line_of(6)) == (2, 3, 4, None)
