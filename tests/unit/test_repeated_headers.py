"""A header row that names the same column twice (`phone,note,note`, `first_name,First Name`): only one
column's cells can be read, and the import says which header repeats and which column was kept, where
before the later column's cells were dropped without a word (contact_headers.Header.warnings)."""

from __future__ import annotations

from dialer.contact_headers import FileWarning, read_header
from dialer.contacts import ContactRow, InvalidRow, parse_contacts, read_phones, read_rows

NY = "America/New_York"


def test_a_repeated_extra_column_is_told_and_the_first_is_kept() -> None:
    rows = list(read_rows([b"phone,note,note\n+12125550140,one,two\n"], default_timezone=NY))
    warning, row = rows
    assert warning == FileWarning(
        "repeated_header",
        "note",
        (2, 3),
        "the header 'note' repeats (columns 2 and 3): column 2's cells were imported, column 3's were not",
    )
    assert isinstance(row, ContactRow) and row.contact.fields == {"note": "one"}
    assert warning.to_json() == {
        "kind": "repeated_header",
        "header": "note",
        "columns": [2, 3],
        "message": warning.message,
    }


def test_two_names_for_one_field_are_told() -> None:
    data = b"first_name,First Name,phone\nAnn,Annie,+12125550141\n"
    warning, row = list(read_rows([data], default_timezone=NY))
    assert isinstance(warning, FileWarning) and warning.columns == (1, 2)
    assert warning.message == (
        "'First Name' repeats 'first_name' (columns 1 and 2): column 1's cells were imported, "
        "column 2's were not"
    )
    assert isinstance(row, ContactRow) and row.contact.first_name == "Ann"
    # parse_contacts (contacts only) and a header without repeats are as before
    assert [c.first_name for c in parse_contacts([data], default_timezone=NY)] == ["Ann"]
    assert read_header(["phone", "note", "First Name"]).warnings() == []


def test_a_repeated_phone_column_is_read_whole_by_a_do_not_call_list() -> None:
    """A do-not-call upload with `Cell Phone` twice listed only the first column's numbers: the second
    column's voter could still be called. Both are listed now, and the answer says the header repeats."""
    data = b"VANID,Cell Phone,Cell Phone\n101,(212) 555-0150,(212) 555-0151\n102,,n/a\n"
    warning, *rest = list(read_phones([data]))
    assert rest == ["+12125550150", "+12125550151", InvalidRow(2, "invalid phone number 'n/a' in Cell Phone")]
    assert isinstance(warning, FileWarning) and warning.message == (
        "the header 'Cell Phone' repeats (columns 2 and 3): the numbers of both columns were added"
    )
    # The call list dials the first column's number, and says so.
    (call_warning, *_) = list(read_rows([data], default_timezone=NY))
    assert isinstance(call_warning, FileWarning) and call_warning.message.endswith(
        "column 2's cells were imported, column 3's were not"
    )
    # A repeated column a do-not-call list does not read (a note) is not its business.
    assert list(read_phones([b"phone,note,note\n+12125550152,a,b\n"])) == ["+12125550152"]
