"""Phone numbers (pure): E.164 normalization, how a number reads aloud, and what kind of line it is.

`parse_phone` reads a number as people write it ("(202) 555-0142", "202.555.0142 ext. 12", "+44 20 7946
0958") and says what a call list's reader needs to know about it: its E.164 form, the country it rings in,
whether it is toll-free (a business's line, never a voter's own phone) and the extension that E.164 cannot
carry. It parses each number once and looks its country up once: a 100,000-row list is read a number at a
time, and phonenumbers' lookups are what that costs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import phonenumbers
from phonenumbers import PhoneNumberType
from phonenumbers import timezone as phone_timezones

from dialer.calling_hours import is_valid_zone

# North American toll-free area codes (NANPA): 800, 833, 844, 855, 866, 877, 888. 822 and 880-887 are
# reserved for toll-free use but not in service.
TOLL_FREE_AREA_CODES = frozenset({"800", "833", "844", "855", "866", "877", "888"})
# The US, Canada and the US territories that share the +1 plan (calling hours and the time-zone tables of
# contacts.py cover them); every other country is "abroad" for a call list.
HOME_REGIONS = frozenset({"US", "CA", "PR", "VI", "GU", "MP", "AS"})
MAX_LENGTH = 40  # longer text is not a phone number (and phonenumbers' work grows with it)
# A phone column a spreadsheet or pandas read as numbers is written back as a float: 2125550101.0 (pandas
# turns a column with a blank cell into floats). Only an integral float is a number written this way.
_FLOAT_WRITTEN = re.compile(r"(\+?\d{7,15})\.0+")


@dataclass(frozen=True)
class Phone:
    """A valid phone number, normalized, with what a call list's reader should know about it."""

    e164: str
    region: str  # ISO 3166 country of the number ("US", "CA", "GB"; "001" for international services)
    toll_free: bool = False
    extension: str = ""  # digits after "ext."/"x", which E.164 cannot carry and no dialer dials
    number: phonenumbers.PhoneNumber | None = field(default=None, compare=False, repr=False)

    @property
    def abroad(self) -> bool:
        """Outside the US, Canada and the US territories."""
        return self.region not in HOME_REGIONS

    @property
    def nanp(self) -> bool:
        return self.e164.startswith("+1")

    @property
    def area_code(self) -> str:
        return self.e164[2:5] if self.nanp else ""


def parse_phone(raw: str, region: str = "US") -> Phone | None:
    """The number in `raw`, or None when it is not a valid one. A leading quote (our export's formula
    guard) is ignored, so an exported list imports again, and so is an integral float's `.0`."""
    text = raw.strip().lstrip("'").strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    if floated := _FLOAT_WRITTEN.fullmatch(text):
        text = floated.group(1)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    # is_valid_number() is exactly this pair; the country is kept rather than looked up a second time.
    where = phonenumbers.region_code_for_number(number)
    if where is None or not phonenumbers.is_valid_number_for_region(number, where):
        return None
    e164 = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    if number.country_code == 1:
        toll_free = e164[2:5] in TOLL_FREE_AREA_CODES
    else:
        toll_free = phonenumbers.number_type(number) == PhoneNumberType.TOLL_FREE
    return Phone(e164, str(where), toll_free, str(number.extension or ""), number)


def normalize_phone(raw: str, region: str = "US") -> str | None:
    """E.164 for a valid number, else None. A leading quote (our export's formula guard) is ignored."""
    phone = parse_phone(raw, region)
    return phone.e164 if phone else None


_NANP = re.compile(r"\+1(\d{3})(\d{3})(\d{4})")


def display_phone(e164: str) -> str:
    """A stored number as a caller reads it aloud: (202) 555-0142 in North America, E.164 elsewhere (the
    country code matters there). The call page's displayPhone in api.js does the same in the browser."""
    match = _NANP.fullmatch(e164)
    return f"({match[1]}) {match[2]}-{match[3]}" if match else e164


def country_name(phone: Phone) -> str:
    """The country a number rings in, in English ("United Kingdom"), else its region code."""
    from phonenumbers import geocoder  # its data loads on first use: only lists with foreign numbers pay

    if phone.number is None:
        return phone.region
    return str(geocoder.country_name_for_number(phone.number, "en")) or phone.region


def phone_zone(phone: Phone) -> str | None:
    """The time zone of the number's area code, when phonenumbers knows exactly one."""
    number = phone.number if phone.number is not None else phonenumbers.parse(phone.e164, None)
    if phone.nanp and not phone.abroad and not phone.toll_free:
        # A valid +1 number at home outside the toll-free codes is a geographic line (or one phonenumbers
        # has no zone for either way): the prefix table alone decides, without classifying the number
        # again as time_zones_for_number would first do.
        zones = phone_timezones.time_zones_for_geographical_number(number)
    else:
        zones = phone_timezones.time_zones_for_number(number)
    return _single_zone(tuple(zones))


@cache
def _single_zone(zones: tuple[str, ...]) -> str | None:
    return zones[0] if len(zones) == 1 and is_valid_zone(zones[0]) else None


def area_code_zone(e164: str) -> str | None:
    """The time zone of a stored (E.164) number's area code, when phonenumbers knows exactly one."""
    phone = parse_phone(e164)
    return phone_zone(phone) if phone else None
