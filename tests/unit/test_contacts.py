from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.contact_zones import ZoneSource, zone_of
from dialer.contacts import (
    Contact,
    ContactRow,
    CsvError,
    InvalidRow,
    WarningKind,
    csv_safe,
    display_phone,
    normalize_phone,
    parse_contacts,
    read_rows,
    state_of_zip,
    time_zone_for,
)
from dialer.phones import TOLL_FREE_AREA_CODES, parse_phone

NY = "America/New_York"
CT = "America/Chicago"


def parse(data: bytes, chunk: int = 7) -> list[Contact | InvalidRow]:
    chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    return list(parse_contacts(chunks, default_timezone=NY))


def test_headers_are_case_insensitive_and_extra_columns_kept() -> None:
    data = (
        b"Phone,ID,First_Name,LAST_NAME,State,Zip,Phone_Type,Precinct\r\n"
        b"(312) 555-0101,v1,Ann,Lee,IL,60601,Cell,12\r\n"
    )
    [contact] = parse(data)
    assert contact == Contact(
        phone="+13125550101",
        timezone="America/Chicago",
        external_id="v1",
        first_name="Ann",
        last_name="Lee",
        state="IL",
        zip="60601",
        phone_type="cell",
        fields={"Precinct": "12"},
    )


def test_invalid_rows_are_numbered_from_one() -> None:
    data = b"phone,first_name\n2025550142,A\nnot a phone,B\n,C\n\n2025550143,D\n"
    out = parse(data)
    assert [type(x).__name__ for x in out] == ["Contact", "InvalidRow", "InvalidRow", "Contact"]
    assert out[1] == InvalidRow(2, "invalid phone number 'not a phone'")
    assert out[2] == InvalidRow(3, "missing phone number")


def test_encodings() -> None:
    utf8 = "phone,first_name\n2025550142,José\n".encode()
    assert parse(b"\xef\xbb\xbf" + utf8)[0] == parse(utf8)[0]
    assert isinstance(c := parse(b"\xef\xbb\xbf" + utf8)[0], Contact) and c.first_name == "José"
    latin = "phone,first_name\n2025550142,José\n".encode("latin-1")
    assert isinstance(c := parse(latin)[0], Contact) and c.first_name == "José"


def test_time_zone_sources_in_order() -> None:
    phone = "+12025550142"  # a DC area code
    assert (
        time_zone_for(phone, timezone="America/Phoenix", state="DC", zip_code="", default=NY)
        == "America/Phoenix"
    )
    assert (
        time_zone_for(phone, timezone="Bogus/Zone", state="HI", zip_code="", default=NY) == "Pacific/Honolulu"
    )
    assert time_zone_for(phone, timezone="", state="", zip_code="85001", default=NY) == "America/Phoenix"
    assert time_zone_for("+18085550100", timezone="", state="", zip_code="", default=NY) == "Pacific/Honolulu"
    assert (
        time_zone_for("+17875550100", timezone="", state="", zip_code="", default=NY) == "America/Puerto_Rico"
    )
    # A split state takes the area code's zone when it is one of the state's zones (El Paso is Mountain).
    assert time_zone_for("+19155550100", timezone="", state="TX", zip_code="", default=NY) == "America/Denver"
    assert (
        time_zone_for("+12025550142", timezone="", state="TX", zip_code="", default=NY) == "America/Chicago"
    )
    assert state_of_zip("00901") == "PR" and state_of_zip("96813") == "HI" and state_of_zip("x") is None


def test_a_zip_that_lost_its_leading_zeros_in_a_spreadsheet_is_read_as_five_digits() -> None:
    """Excel reads a ZIP column as numbers, so Hartford's 06101 is saved as 6101 and San Juan's 00901 as
    901. Their first three digits named another state: 610 is Illinois, so a Connecticut voter's calling
    hours were kept in Central time, and the evening's last calls rang at 21:xx-22:00 in Hartford."""
    assert state_of_zip("6101") == state_of_zip("06101") == "CT"
    assert state_of_zip("6101-1234") == state_of_zip("61011234") == "CT"  # ZIP+4 with the zero lost
    assert state_of_zip("2134") == "MA" and state_of_zip("7102") == "NJ" and state_of_zip("901") == "PR"
    assert state_of_zip("60601") == state_of_zip("60601-1234") == state_of_zip("606011234") == "IL"
    assert state_of_zip("12") is None and state_of_zip("61o1") is None
    hartford = parse_phone("+18605550123")
    assert hartford is not None
    assert zone_of(hartford, timezone="", state="", zip_code="6101", default=NY) == (NY, ZoneSource.ZIP)


def test_an_area_code_of_two_zones_gives_its_main_zone_not_the_campaigns_default() -> None:
    """API.md: the zone comes "else from the area code". phonenumbers places most of Alaska's 907 in two
    zones (Anchorage, Adak), so a 907 voter with no state or ZIP took the campaign's default: in a New York
    campaign, called from 9:00 New York time, 5:00 in Anchorage. Each such area code gives the zone where
    most of its people live, and a split state still takes it when it is one of the state's zones."""
    for e164, zone in [
        ("+19075550123", "America/Anchorage"),
        ("+16055550123", "America/Chicago"),  # South Dakota: Sioux Falls
        ("+17015550123", "America/Chicago"),  # North Dakota: Fargo, Bismarck
        ("+17755550123", "America/Los_Angeles"),  # Nevada outside Las Vegas: Reno
        (
            "+12085550123",
            "America/Boise",
        ),  # Idaho: was the campaign's default, 7:00 in Boise at 9:00 in New York
        ("+19865550123", "America/Boise"),  # Idaho's overlay
        ("+17095550123", "America/St_Johns"),  # Newfoundland
    ]:
        phone = parse_phone(e164)
        assert phone is not None
        assert zone_of(phone, timezone="", state="", zip_code="", default=NY) == (zone, ZoneSource.AREA_CODE)
    assert time_zone_for("+17015550123", timezone="", state="ND", zip_code="", default=NY) == CT
    assert (
        time_zone_for("+19075550123", timezone="", state="", zip_code="", default=NY) == "America/Anchorage"
    )


def test_an_abbreviated_time_zone_is_said_and_replaced_by_the_voters_own() -> None:
    """A call list saying 'EST' for its Eastern voters: in July, 21:00 EST is 22:00 in New York, so calling
    hours kept by that clock would call an hour late. The row is imported with the state's zone, and the
    report says why the cell was passed over."""
    rows = list(read_rows([b"phone,state,timezone\n202-555-0142,NY,EST\n"], default_timezone=NY))
    [item] = rows
    assert isinstance(item, ContactRow) and item.contact.timezone == "America/New_York"
    [warning] = item.warnings
    assert warning.kind is WarningKind.UNKNOWN_TIMEZONE
    assert "'EST' (an abbreviation: a fixed offset with no daylight saving" in warning.message
    assert "imported with America/New_York, from the state" in warning.message


def test_a_time_zone_cell_is_read_whatever_its_case() -> None:
    """API.md: the time zone comes from `timezone`. A list that writes `america/denver` (or pads it) names
    Denver all the same; it was passed over for the area code's zone (here Phoenix, no daylight saving: an
    hour off in summer) with an "unknown time zone" warning. Stored as the tz database spells it."""
    data = b"phone,timezone\n602-555-0101,america/denver\n602-555-0102, AMERICA/NEW_YORK \n"
    rows = list(read_rows([data], default_timezone=NY))
    assert [r.contact.timezone for r in rows if isinstance(r, ContactRow)] == [
        "America/Denver",
        "America/New_York",
    ]
    assert all(isinstance(r, ContactRow) and not r.warnings for r in rows)
    assert time_zone_for("+16025550101", timezone="america/denver", state="", zip_code="", default=NY) == (
        "America/Denver"
    )
    # Still no abbreviation, whatever its case: 'est' is a fixed offset.
    assert time_zone_for("+12025550142", timezone="est", state="", zip_code="", default="UTC") == NY


def test_a_state_by_name_is_a_state_and_an_unknown_one_is_said() -> None:
    """Call lists from other tools spell states out ("New York", "new  york"): they set the zone and are
    stored as the code (caller ids match by code). A cell that is no state ("ZZ", "Nowhere") was passed
    over without a word; the report now says so and where the zone came from instead."""
    data = b"phone,state\n202-555-0142,New York\n208-555-0143,north  dakota\n202-555-0144,ZZ\n202-555-0145,\n"
    rows = list(read_rows([data], default_timezone="America/Chicago"))
    assert [r.contact.state for r in rows if isinstance(r, ContactRow)] == ["NY", "ND", "ZZ", ""]
    by_name, dakota, unknown, blank = (r for r in rows if isinstance(r, ContactRow))
    assert by_name.contact.timezone == "America/New_York" and by_name.warnings == ()
    assert dakota.contact.timezone == "America/Chicago" and dakota.warnings == ()
    assert blank.warnings == ()
    [warning] = unknown.warnings
    assert warning.kind is WarningKind.UNKNOWN_STATE and warning.to_json()["action"] == "imported"
    assert warning.message == (
        "unknown state 'ZZ' (not a US state or territory, such as NY or New York): imported with "
        "America/New_York, from the area code"
    )


def test_no_phone_column_and_empty_file() -> None:
    with pytest.raises(CsvError, match="no phone column"):
        parse(b"name,email\nA,a@example.org\n")
    with pytest.raises(CsvError, match="empty"):
        parse(b"")


def test_binary_junk_is_a_clear_error() -> None:
    junk = bytes(range(256)) * 40
    with pytest.raises(CsvError):
        parse(junk)


def test_huge_field_rejects_the_row_only() -> None:
    big = b"x" * (10 * 1024 * 1024)
    data = b"phone,notes\n2025550142,ok\n2025550143," + big + b"\n2025550144,fine\n"
    out = parse(data, chunk=65536)
    assert isinstance(out[0], Contact) and isinstance(out[2], Contact)
    assert isinstance(out[1], InvalidRow) and out[1].row == 2 and "field larger" in out[1].message


def test_formula_cells_are_kept_as_data_and_neutralized_on_export() -> None:
    data = b'phone,first_name,note\n2025550142,"=HYPERLINK(""http://x"",""y"")",@SUM(A1)\n'
    [contact] = parse(data)
    assert isinstance(contact, Contact)
    assert contact.first_name == '=HYPERLINK("http://x","y")'
    assert csv_safe(contact.first_name) == "'" + contact.first_name
    assert csv_safe(contact.fields["note"]) == "'@SUM(A1)"
    for cell in ["=1", "+1+cmd|' /C calc'!A0", "-2+3", "@x", "\tx", "\rx", "+", "-"]:
        assert csv_safe(cell) == "'" + cell
    # A plain number carries no formula: phones export as they are.
    for cell in ["+12025550142", "-3", "42", "+1.5"]:
        assert csv_safe(cell) == cell
    assert csv_safe("Ann") == "Ann" and csv_safe(None) == "" and csv_safe(3) == "3"
    assert normalize_phone("'+12025550142") == "+12025550142"  # our own export re-imported


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30
)


@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(st.tuples(st.integers(100, 199), names, st.booleans()), max_size=40),
    chunk=st.integers(1, 64),
)
def test_roundtrip_any_names(rows: list[tuple[int, str, bool]], chunk: int) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["phone", "first_name"])
    for n, name, good in rows:
        writer.writerow([f"202-555-0{n}" if good else f"555-{n}", name])
    parsed = parse(out.getvalue().encode(), chunk=chunk)
    got = iter(parsed)
    for index, (n, name, good) in enumerate(rows, start=1):
        if not good:
            item = next(got)
            assert item == InvalidRow(index, f"invalid phone number '555-{n}'")
            continue
        if not (f"202-555-0{n}" + name).strip():
            continue
        item = next(got)
        assert isinstance(item, Contact)
        assert item.phone == f"+12025550{n}" and item.first_name == name.strip()
    assert next(got, None) is None


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        out = parse(b"phone\n" + data)
    except CsvError:
        return
    for item in out:
        assert isinstance(item, Contact | InvalidRow)
        if isinstance(item, Contact):
            assert item.phone.startswith("+") and item.timezone


def test_numbers_are_displayed_as_callers_read_them() -> None:
    assert display_phone("+12025550142") == "(202) 555-0142"
    assert display_phone("+14165550123") == "(416) 555-0123"  # Canada shares the +1 plan
    assert display_phone("+442079460958") == "+442079460958"  # elsewhere the country code matters
    assert display_phone("") == ""


def rows(data: bytes, chunk: int = 7) -> list[ContactRow | InvalidRow]:
    chunks = [data[i : i + chunk] for i in range(0, len(data), chunk)]
    return list(read_rows(chunks, default_timezone=NY))


def test_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    """`row` counts data rows (API.md); `line` is the spreadsheet's row, the header being row 1. A blank
    row counts, and a quoted cell with a line break inside is still one row."""
    data = b'phone,notes\n2025550142,one\n\n2025550143,"two\nlines"\nbad,x\n2025550144,last\n'
    out = rows(data)
    assert [(x.row, x.line, type(x).__name__) for x in out] == [
        (1, 2, "ContactRow"),
        (3, 4, "ContactRow"),
        (4, 5, "InvalidRow"),
        (5, 6, "ContactRow"),
    ]
    assert out[2] == InvalidRow(4, "invalid phone number 'bad'")
    assert out[2].to_json() == {"row": 4, "line": 5, "message": "invalid phone number 'bad'"}


def test_a_utc_or_etc_time_zone_cell_is_no_place_and_warned() -> None:
    """Calling hours need the voter's place: a `timezone` cell of UTC (a list exported with every cell
    `UTC`) or an Etc/ offset was taken as the voter's zone, so a Denver voter was called from 9:00 UTC,
    2:00 at home. Such a cell is now passed over for the state's, ZIP's or area code's zone, warned."""
    data = (
        b"phone,state,zip,timezone\n"
        b"303-555-0101,,,UTC\n"  # Denver by area code
        b"212-555-0102,CA,, etc/gmt+5 \n"  # the state's zone
        b"212-555-0103,,60601,Etc/UTC\n"  # the ZIP's (Chicago)
        b"212-555-0104,,,gmt\n"
        b"212-555-0105,,,Europe/London\n"  # a place, if far away: kept
    )
    rows = [r for r in read_rows([data], default_timezone="UTC") if isinstance(r, ContactRow)]
    assert [r.contact.timezone for r in rows] == [
        "America/Denver",
        "America/Los_Angeles",
        "America/Chicago",
        NY,
        "Europe/London",
    ]
    assert [[w.kind for w in r.warnings] for r in rows] == [[WarningKind.UNKNOWN_TIMEZONE]] * 4 + [[]]
    assert all(not r.skipped for r in rows)
    assert rows[0].warnings[0].message == (
        "unknown time zone 'UTC' (a fixed offset, not a place: calling hours need the voter's local clock): "
        "imported with America/Denver, from the area code"
    )
    assert "etc/gmt+5" in rows[1].warnings[0].message and "from the state" in rows[1].warnings[0].message
    assert "not a place" in rows[3].warnings[0].message


def test_time_zone_says_where_it_came_from() -> None:
    dc = parse_phone("+12025550142")
    assert dc is not None

    def zone(**cells: str) -> tuple[str, ZoneSource]:
        return zone_of(dc, **{"timezone": "", "state": "", "zip_code": "", **cells}, default="UTC")

    assert zone(timezone="America/Phoenix") == ("America/Phoenix", ZoneSource.TIMEZONE)
    assert zone(timezone="Eastern", state="HI") == ("Pacific/Honolulu", ZoneSource.STATE)
    # Abbreviations the tz database knows are fixed offsets: 'EST' is New York's clock only in winter.
    assert zone(timezone="EST", state="NY") == ("America/New_York", ZoneSource.STATE)
    assert zone(timezone="MST", zip_code="80202") == ("America/Denver", ZoneSource.ZIP)
    assert zone(timezone="EST5EDT") == ("America/New_York", ZoneSource.AREA_CODE)
    # UTC and the Etc/ offsets are no one's home: passed over like an abbreviation (see the test below).
    assert zone(timezone="UTC") == ("America/New_York", ZoneSource.AREA_CODE)
    assert zone(timezone="Etc/GMT+5", state="HI") == ("Pacific/Honolulu", ZoneSource.STATE)
    assert zone(zip_code="85001") == ("America/Phoenix", ZoneSource.ZIP)
    assert zone() == ("America/New_York", ZoneSource.AREA_CODE)
    toll_free = parse_phone("800-555-0100")
    assert toll_free is not None
    assert zone_of(toll_free, timezone="", state="", zip_code="", default="UTC") == (
        "UTC",
        ZoneSource.DEFAULT,
    )


KINDS = ["good", "toll_free", "foreign", "extension", "bad_zone", "invalid", "blank"]
HOME_AREAS = ["202", "312", "415", "808", "907", "602", "787", "416", "604"]


def cells(kind: str, n: int) -> list[str]:
    """phone and timezone cells of a row of `kind` (n varies the number)."""
    area = HOME_AREAS[n % len(HOME_AREAS)]
    phone = {
        "good": f"({area}) 555-01{n:02d}",
        "toll_free": f"{sorted(TOLL_FREE_AREA_CODES)[n % 7]}-555-01{n:02d}",
        "foreign": f"+44 20 7946 0{n:03d}",
        "extension": f"{area}.555.01{n:02d} x{n + 1}",
        "bad_zone": f"{area}555 01{n:02d}",
        "invalid": f"555-01{n:02d}",
    }[kind]
    return [phone, "Eastern Time" if kind == "bad_zone" else ""]


@settings(max_examples=150, deadline=None)
@given(
    plan=st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 99), names), max_size=30),
    chunk=st.integers(1, 64),
)
def test_every_row_is_classified_and_numbered(plan: list[tuple[str, int, str]], chunk: int) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["phone", "timezone", "first_name"])
    for kind, n, name in plan:
        writer.writerow([] if kind == "blank" else [*cells(kind, n), name])
    got = iter(rows(out.getvalue().encode(), chunk=chunk))
    for row, (kind, _, name) in enumerate(plan, start=1):
        if kind == "blank":
            continue
        item = next(got)
        assert (item.row, item.line) == (row, row + 1)
        if kind == "invalid":
            assert isinstance(item, InvalidRow) and item.message.startswith("invalid phone number")
            continue
        assert isinstance(item, ContactRow) and item.contact.first_name == name.strip()
        expected = {
            "good": [],
            "toll_free": [WarningKind.TOLL_FREE],
            "foreign": [WarningKind.FOREIGN],
            "extension": [WarningKind.EXTENSION],
            "bad_zone": [WarningKind.UNKNOWN_TIMEZONE],
        }[kind]
        assert [w.kind for w in item.warnings] == expected
        assert all(w.row == row and w.line == row + 1 for w in item.warnings)
        assert item.skipped == (kind == "toll_free")
        for warning in item.warnings:
            said = "skipped" if warning.skipped else "imported"
            assert said in warning.message and warning.to_json()["action"] == said
        if kind == "extension":
            assert item.contact.fields["extension"] == str(int(item.contact.phone[-2:]) + 1)
    assert next(got, None) is None


def test_a_van_export_imports_as_it_comes() -> None:
    """VAN's column names: VANID is the CRM id, the preferred phone first (its type from the cell flag),
    else the cell phone, else the home phone; every column stays reachable from the script."""
    csv_text = (
        "VANID,FirstName,LastName,Preferred Phone,Cell Phone,Home Phone,IsCell,State,Zip5\n"
        "101,Ada,Lovelace,(202) 555-0142,,,Y,DC,20001\n"
        "102,Alan,Turing,,(202) 555-0143,(202) 555-0144,,DC,20001\n"
        "103,Grace,Hopper,,,(202) 555-0145,,DC,20001\n"
        "104,Kathy,Johnson,(202) 555-0146,,,N,DC,20001\n"
        "105,No,Phone,,,,,DC,20001\n"
    )
    rows = list(parse_contacts([csv_text.encode()], default_timezone="America/New_York"))
    contacts = [r for r in rows if isinstance(r, Contact)]
    assert [(c.external_id, c.first_name, c.last_name, c.phone, c.phone_type) for c in contacts] == [
        ("101", "Ada", "Lovelace", "+12025550142", "cell"),
        ("102", "Alan", "Turing", "+12025550143", "cell"),
        ("103", "Grace", "Hopper", "+12025550145", "landline"),
        ("104", "Kathy", "Johnson", "+12025550146", "landline"),
    ]
    assert contacts[0].zip == "20001" and contacts[1].fields["Home Phone"] == "(202) 555-0144"
    assert [r.row for r in rows if isinstance(r, InvalidRow)] == [5]


def test_headers_spelled_without_spaces_or_with_dashes_are_known() -> None:
    """An export's "PhoneType" column (NGP, spreadsheets) was kept as an extra field, so its cells came in
    of unknown type and power/predictive modes, which never auto-dial a cell without consent, dialed them.
    "CellPhone", "Phone-Type", "Line Type" and "First Name" are the same columns too."""
    csv_text = (
        "\ufeffVanID,First Name,Last-Name,Phone,PhoneType\r\n"
        "1,Ada,Lovelace,(312) 555-0101,Cell\r\n"
        "2,Alan,Turing,(312) 555-0102,Landline\r\n"
    )
    contacts = [r for r in parse(csv_text.encode()) if isinstance(r, Contact)]
    assert [(c.external_id, c.first_name, c.last_name, c.phone_type, c.fields) for c in contacts] == [
        ("1", "Ada", "Lovelace", "cell", {}),
        ("2", "Alan", "Turing", "landline", {}),
    ]
    line_type = "Phone,Line Type\n(312) 555-0103,mobile\n"
    [contact] = parse(line_type.encode())
    assert isinstance(contact, Contact) and contact.phone_type == "cell"
    cell_only = "VANID,CellPhone,HomePhone\n3,,(312) 555-0104\n4,(312) 555-0105,\n"
    assert [(c.phone, c.phone_type) for c in parse(cell_only.encode()) if isinstance(c, Contact)] == [
        ("+13125550104", "landline"),
        ("+13125550105", "cell"),
    ]


def test_tab_and_semicolon_separated_lists_are_read() -> None:
    """Excel's "Unicode Text" (UTF-16, tab-separated) and a "CSV" saved by Excel set to a European language
    (semicolons) were refused with "no phone column": the header row, one cell, had none called phone."""
    tabs = "Phone\tFirst Name\tNote\r\n(312) 555-0101\tAnn\tsays hi, often\r\n".encode("utf-16")
    semis = b'Phone;First Name;Precinct\r\n(312) 555-0102;Bo;"12;A"\r\n'
    [ann] = parse(tabs)
    [bo] = parse(semis)
    assert isinstance(ann, Contact) and (ann.phone, ann.first_name) == ("+13125550101", "Ann")
    assert ann.fields == {"Note": "says hi, often"}
    assert isinstance(bo, Contact) and (bo.phone, bo.first_name, bo.fields) == (
        "+13125550102",
        "Bo",
        {"Precinct": "12;A"},
    )
    # A comma in the header wins: semicolons inside its cells are data.
    [cy] = parse(b"phone,note\n(312) 555-0103,a;b\n")
    assert isinstance(cy, Contact) and cy.fields == {"note": "a;b"}


def test_a_very_wide_header_is_read_in_one_pass() -> None:
    """Found probing imports: each extra column's name was checked against a dict rebuilt from all those
    before it, so a 1.3 MB header of 200,000 columns held a core for minutes (300,000 here: hours, where
    one pass takes about a second). Repeated names still keep their first column."""
    width = 300_000
    names = [f"c{i}" for i in range(width)]
    header = ",".join(["phone", *names, "c7"]).encode()
    row = ",".join(["(312) 555-0101", *(str(i) for i in range(width)), "dup"]).encode()
    [contact] = parse(header + b"\n" + row + b"\n", chunk=1 << 20)
    assert isinstance(contact, Contact)
    assert len(contact.fields) == width
    assert contact.fields["c0"] == "0" and contact.fields["c7"] == "7"  # the first c7, not "dup"


def test_a_sheet_with_one_name_column_gives_first_and_last_names() -> None:
    """A Google Sheet of sign-ups has "Name" and "Phone Number": the name was kept only as contact.Name,
    so `{{ contact.first_name }}` in the script read "Hi, may I speak with ?" and the call page showed no
    name."""
    data = (
        "Name,Phone Number,Notes\n"
        "José Rivera,(312) 555-0101,likes mail\n"
        '"Lévesque, Renée",(312) 555-0102,\n'
        "Mary Ann Smith,(312) 555-0103,\n"
        "Cher,(312) 555-0104,\n"
    ).encode()
    contacts = [c for c in parse(data) if isinstance(c, Contact)]
    assert [(c.first_name, c.last_name) for c in contacts] == [
        ("José", "Rivera"),
        ("Renée", "Lévesque"),  # "Last, First", as exports from voter files write it
        ("Mary", "Ann Smith"),
        ("Cher", ""),
    ]
    assert contacts[0].fields["Name"] == "José Rivera"  # still there as contact.Name for the script
    # Its own first and last name columns win over a full name.
    [both] = parse(b"Full Name,First Name,Last Name,Phone\nAnn B Lee,Annie,Lee,(312) 555-0105\n")
    assert isinstance(both, Contact) and (both.first_name, both.last_name) == ("Annie", "Lee")


@pytest.mark.parametrize("header", ["Cell", "Mobile", "Mobile Number", "Cell Number", "Telephone", "Tel"])
def test_a_list_whose_phone_column_is_named_otherwise_still_imports(header: str) -> None:
    """Lists from sign-up forms and spreadsheets name the number "Cell", "Mobile", "Telephone"...: the
    whole file was refused ("no phone column") for want of the word `phone`."""
    [contact] = parse(f"First,{header}\nAnn,(312) 555-0101\n".encode())
    assert isinstance(contact, Contact) and contact.phone == "+13125550101"
    assert contact.phone_type == ("cell" if header.startswith(("Cell", "Mobile")) else "")


@pytest.mark.parametrize(
    ("first", "last"), [("First", "Last"), ("Given Name", "Surname"), ("first", "Family Name")]
)
def test_first_and_last_name_columns_named_as_forms_name_them(first: str, last: str) -> None:
    """A sign-up form's "First" and "Last" were kept as other fields: the names were empty."""
    [contact] = parse(f"{first},{last},Phone\nAnn,Lee,(312) 555-0101\n".encode())
    assert isinstance(contact, Contact) and (contact.first_name, contact.last_name) == ("Ann", "Lee")


def test_every_home_geographic_area_code_has_a_zone() -> None:
    """No voter with only a phone number falls back to the campaign's default zone when their area code is
    a place's: every +1 area code at home that phonenumbers ties to a few zones (not a non-geographic one,
    tied to every zone) gives one."""
    from phonenumbers import timezone as phone_timezones

    for area in range(200, 1000):
        phone = next(
            (p for ex in ("555", "201", "234", "456", "732") if (p := parse_phone(f"+1{area}{ex}0123"))), None
        )
        if phone is None or phone.abroad or phone.toll_free or phone.number is None:
            continue
        if len(phone_timezones.time_zones_for_geographical_number(phone.number)) > 5:
            continue  # non-geographic (5XX personal numbers, 600, 900...)
        zone, source = zone_of(phone, timezone="", state="", zip_code="", default="UTC")
        assert source is ZoneSource.AREA_CODE, (area, zone)


def test_a_phone_type_cell_that_is_neither_cell_nor_landline_is_warned() -> None:
    """A `phone_type` of "cel", "VoIP" or "wireless phone" was read as no type at all, without a word, and
    power and predictive modes dial a number of unknown type as they dial landlines (only a known cell
    waits for cell consent). The row is imported as before; the report says what to fix."""
    data = (
        b"phone,phone_type\n"
        b"212-555-0101,cel\n"
        b"212-555-0102,Cell\n"
        b"212-555-0103,\n"
        b"212-555-0104, VoIP \n"
        b"212-555-0105,home\n"
    )
    rows = [r for r in read_rows([data], default_timezone=NY) if isinstance(r, ContactRow)]
    assert [r.contact.phone_type for r in rows] == ["", "cell", "", "", "landline"]
    warned = {r.line: [(w.kind, w.skipped) for w in r.warnings] for r in rows if r.warnings}
    assert warned == {
        2: [(WarningKind.UNKNOWN_PHONE_TYPE, False)],
        5: [(WarningKind.UNKNOWN_PHONE_TYPE, False)],
    }
    assert "unknown phone type 'VoIP'" in rows[3].warnings[0].message
