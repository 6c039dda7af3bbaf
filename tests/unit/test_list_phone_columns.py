"""Call lists and do-not-call lists with several phone or id columns (contacts.read_phones, read_rows)."""

from __future__ import annotations

from dialer.contacts import ContactRow, InvalidRow, read_phones, read_rows

NY = "America/New_York"
VAN = (
    b"VANID,FirstName,LastName,Cell Phone,Home Phone\n"
    b"101,Ann,Doe,(212) 555-0101,(212) 555-0102\n"
    b"102,Bob,Roe,,312-555-0103\n"
    b"103,Cy,Poe,303-555-0104,\n"
)


def test_a_do_not_call_row_lists_every_phone_column() -> None:
    """A VAN export's row has the voter's cell and home phones: the upload took the first number found, so
    the home phone of a voter who asked not to be called could still be called."""
    assert list(read_phones([VAN])) == ["+12125550101", "+12125550102", "+13125550103", "+13035550104"]


def test_a_phone_column_and_named_phone_columns_all_count() -> None:
    data = b"phone,Mobile,Telephone\n212-555-0105,212-555-0106,212-555-0107\n"
    assert list(read_phones([data])) == ["+12125550105", "+12125550106", "+12125550107"]


def test_a_bad_cell_is_reported_with_its_column_and_the_rest_is_listed() -> None:
    data = b"Cell Phone,Home Phone,Note\nn/a,212-555-0108,x\n,,only a note\n2125550109.0,,\n\n"
    assert list(read_phones([data])) == [
        InvalidRow(1, "invalid phone number 'n/a' in Cell Phone"),
        "+12125550108",
        InvalidRow(2, "missing phone number"),
        "+12125550109",  # a spreadsheet's float
    ]


def test_one_phone_column_messages_stay_as_they_were() -> None:
    assert list(read_phones([b"phone\nabc\n"])) == [InvalidRow(1, "invalid phone number 'abc'")]


def test_a_call_list_row_dials_its_first_phone_and_keeps_the_others() -> None:
    """A call list is one contact per row (API-additions: the first of Preferred, Cell, Home with a number
    is the phone); the other numbers stay fields the call page shows. Unchanged by the do-not-call fix."""
    rows = [r for r in read_rows([VAN], default_timezone=NY) if isinstance(r, ContactRow)]
    assert [(r.contact.phone, r.contact.phone_type) for r in rows] == [
        ("+12125550101", "cell"),
        ("+13125550103", "landline"),
        ("+13035550104", "cell"),
    ]
    assert rows[0].contact.fields["Home Phone"] == "(212) 555-0102"


def external_ids(data: bytes) -> list[tuple[str, dict[str, str]]]:
    rows = [r for r in read_rows([data], default_timezone=NY) if isinstance(r, ContactRow)]
    return [(r.contact.external_id, r.contact.fields) for r in rows]


def test_an_external_id_column_beats_an_id_column_before_it() -> None:
    """A list with both `id` and `external_id` took `id`'s cells (the first column) and dropped external_id's:
    the CRM sync sent results to the wrong ids. `external_id` is the CRM id; `id` is kept as a field."""
    data = b"id,phone,external_id\nrow-1,212-555-0110,V-901\n"
    assert external_ids(data) == [("V-901", {"id": "row-1"})]
    data = b"external_id,ID,phone\nV-902,row-2,212-555-0111\n"
    assert external_ids(data) == [("V-902", {"ID": "row-2"})]
    data = b"VANID,id,phone\n903,row-3,212-555-0112\n"  # two aliases: the first, the other kept
    assert external_ids(data) == [("903", {"id": "row-3"})]
    assert external_ids(b"id,phone\nrow-4,212-555-0113\n") == [("row-4", {})]


def test_a_call_list_row_with_a_junk_first_phone_dials_the_next_valid_one() -> None:
    """VAN exports write "N/A" or a short number in an empty Cell Phone: the row was refused as invalid
    ("invalid phone number 'N/A'") though its Home Phone was fine, and the voter was never called."""
    data = (
        b"VANID,Cell Phone,Home Phone\n"
        b"201,N/A,(212) 555-0120\n"  # the home phone, a landline
        b"202,555-0121,\n"  # no valid number at all: the first one is named
    )
    rows = list(read_rows([data], default_timezone=NY))
    assert isinstance(rows[0], ContactRow)
    assert (rows[0].contact.phone, rows[0].contact.phone_type) == ("+12125550120", "landline")
    assert rows[0].contact.fields["Cell Phone"] == "N/A"
    assert rows[1] == InvalidRow(2, "invalid phone number '555-0121' in Cell Phone")


def test_a_call_list_error_names_the_column_as_the_do_not_call_report_does() -> None:
    """A VAN row whose only number is "n/a" in Cell Phone was reported "invalid phone number 'n/a'": with a
    Cell Phone and a Home Phone column, staff could not tell which cell to fix. The do-not-call report
    already said "in Cell Phone"; the call list's now says it the same way, for the same file."""
    data = b"VanID,LastName,FirstName,Cell Phone,Home Phone\n401,Doe,Ann,n/a,\n"
    message = "invalid phone number 'n/a' in Cell Phone"
    assert list(read_rows([data], default_timezone=NY)) == [InvalidRow(1, message)]
    assert list(read_phones([data])) == [InvalidRow(1, message)]
    assert list(read_rows([b"phone\nn/a\n"], default_timezone=NY)) == [
        InvalidRow(1, "invalid phone number 'n/a'")  # one phone column: nothing to tell apart
    ]


VAN_WITH_WORK = (
    b"VanID,LastName,FirstName,Cell Phone,Home Phone,Work Phone,Address,City,State,Zip5\n"
    b"301,Doe,Ann,,,(212) 555-0130,1 Main St,Albany,NY,12207\n"  # only a work phone
    b"302,Roe,Bob,,(212) 555-0131,(212) 555-0132,2 Main St,Albany,NY,12207\n"
)


def test_a_van_work_phone_column_is_a_phone_column() -> None:
    """VAN exports a Work Phone column beside Cell and Home: a voter with only a work number was refused as
    "missing phone number", and a do-not-call upload left the work number callable. It comes after the
    home phone, of unknown type (a work number may be a desk line or a cell)."""
    rows = list(read_rows([VAN_WITH_WORK], default_timezone=NY))
    assert all(isinstance(r, ContactRow) for r in rows), rows
    got = [
        (r.contact.external_id, r.contact.phone, r.contact.phone_type)
        for r in rows
        if isinstance(r, ContactRow)
    ]
    assert got == [("301", "+12125550130", ""), ("302", "+12125550131", "landline")]
    assert list(read_phones([VAN_WITH_WORK])) == ["+12125550130", "+12125550131", "+12125550132"]
    only_work = b"Work Phone,FirstName\n212-555-0133,Cy\n"  # the only phone column of the file
    assert list(read_phones([only_work])) == ["+12125550133"]
