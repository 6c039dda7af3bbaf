from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.contacts import (
    Contact,
    CsvError,
    InvalidRow,
    csv_safe,
    display_phone,
    normalize_phone,
    parse_contacts,
    state_of_zip,
    time_zone_for,
)

NY = "America/New_York"


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
