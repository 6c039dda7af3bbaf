"""Phone numbers: normalization, toll-free / abroad / extension classification, the area code's zone."""

from __future__ import annotations

import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as phone_timezones

from dialer.calling_hours import is_valid_zone
from dialer.phones import (
    HOME_REGIONS,
    TOLL_FREE_AREA_CODES,
    area_code_zone,
    country_name,
    normalize_phone,
    parse_phone,
    phone_zone,
)

# The +1 area codes phonenumbers takes as valid for a 555-01xx line, with the country each rings in.
AREA_CODES = {
    code: str(phonenumbers.region_code_for_number(number))
    for code in range(200, 1000)
    if phonenumbers.is_valid_number(number := phonenumbers.parse(f"+1{code}5550100"))
}
HOME_CODES = sorted(code for code, region in AREA_CODES.items() if region in HOME_REGIONS)
FORMATS = ["({a}) 555-01{n:02d}", "{a}-555-01{n:02d}", "{a}.555.01{n:02d}", "1 {a} 555 01{n:02d}",
           "+1{a}55501{n:02d}", "'+1{a}55501{n:02d}", "  {a}55501{n:02d} "]  # fmt: skip


def reference_e164(raw: str) -> str | None:
    """What the importer did before parse_phone: phonenumbers' own validity check, then E.164."""
    text = raw.strip().lstrip("'").strip()
    if not text or len(text) > 40:
        return None
    if re.fullmatch(r"\+?\d{7,15}\.0+", text):  # a spreadsheet's float: 2125550101.0
        text = text.partition(".")[0]
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def reference_zone(e164: str) -> str | None:
    zones = phone_timezones.time_zones_for_number(phonenumbers.parse(e164, None))
    return zones[0] if len(zones) == 1 and is_valid_zone(zones[0]) else None


@settings(max_examples=300)
@given(code=st.sampled_from(sorted(AREA_CODES)), line=st.integers(0, 99), form=st.sampled_from(FORMATS))
def test_numbers_as_people_write_them(code: int, line: int, form: str) -> None:
    phone = parse_phone(form.format(a=code, n=line))
    assert phone is not None
    assert phone.e164 == f"+1{code}55501{line:02d}" and phone.area_code == str(code)
    assert phone.toll_free == (str(code) in TOLL_FREE_AREA_CODES)
    assert phone.abroad == (AREA_CODES[code] not in HOME_REGIONS)
    assert phone.extension == ""
    assert phone_zone(phone) == reference_zone(phone.e164) == area_code_zone(phone.e164)


@settings(max_examples=300)
@given(st.text(alphabet="0123456789+-().x ext'#*", max_size=30) | st.text(max_size=45))
def test_normalization_agrees_with_phonenumbers(raw: str) -> None:
    """parse_phone looks the country up once instead of twice; what it accepts must not change."""
    assert normalize_phone(raw) == reference_e164(raw)


@given(
    code=st.sampled_from(HOME_CODES),
    extension=st.integers(1, 99999),
    sep=st.sampled_from(["x", " ext. ", " ext "]),
)
def test_extensions_are_kept_beside_the_number(code: int, extension: int, sep: str) -> None:
    phone = parse_phone(f"{code}-555-0142{sep}{extension}")
    assert phone is not None and phone.e164 == f"+1{code}5550142" and phone.extension == str(extension)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("2125550101.0", "+12125550101"),  # pandas writes a column with a blank cell as floats
        ("12125550101.0", "+12125550101"),
        ("+442079460958.00", "+442079460958"),
        ("2125550101.5", None),  # not a whole number: not a phone
        ("2125550101.01", None),
        ("212555.0", None),  # too short to be a number written as a float
    ],
)
def test_a_phone_written_as_a_whole_float_is_read(raw: str, e164: str | None) -> None:
    """Excel and pandas write a phone column read as numbers as 2125550101.0: it was "invalid phone
    number" in a call list and a do-not-call upload, so that voter went unlisted."""
    assert normalize_phone(raw) == e164


def test_toll_free_abroad_and_home() -> None:
    for code in ["800", "833", "844", "855", "866", "877", "888"]:
        phone = parse_phone(f"{code}-555-0100")
        assert phone is not None and phone.toll_free and not phone.abroad
        assert phone_zone(phone) is None  # no area: the state or the default decides
    # The US territories and Canada are home; the other countries of the +1 plan are not.
    for raw, region, abroad in [("787-555-0100", "PR", False), ("671-555-0100", "GU", False),
                                ("416-555-0100", "CA", False), ("876-555-0100", "JM", True),
                                ("+44 20 7946 0958", "GB", True)]:  # fmt: skip
        phone = parse_phone(raw)
        assert phone is not None and (phone.region, phone.abroad) == (region, abroad), raw
    london = parse_phone("+44 20 7946 0958")
    assert london is not None and country_name(london) == "United Kingdom" and not london.toll_free
    assert phone_zone(london) == "Europe/London"
    freephone = parse_phone("+44 800 123 4567")  # toll-free outside the +1 plan too
    assert freephone is not None and freephone.toll_free
    # A US number typed with a plus but no country code is some other country's: abroad, not silently US.
    typo = parse_phone("+2025550142")
    assert typo is None or typo.abroad
    assert parse_phone("555-0100") is None and parse_phone("") is None and parse_phone("1" * 41) is None
