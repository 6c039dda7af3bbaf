"""Where a contact lives, for calling hours (pure): the time zone of a call-list row, and what said so.

The zone comes from the row's `timezone` cell when it names an IANA zone for a place (America/Chicago; not
an abbreviation such as EST, a fixed offset an hour off the voter's clock half the year), else from the
state (or the state of the ZIP code's 3-digit prefix), else from the area code when phonenumbers knows
exactly one zone for it (for the few area codes it splits, their main one), else the campaign's default.
A state that spans zones (Florida, Texas, ...) takes its ZIP prefix's zone when the ZIP is in that state and
its prefix lies in another zone than the state's first (ZIP_PREFIX_ZONES), else the area code's zone when
it is one of them, else its easternmost zone.
"""

from __future__ import annotations

import enum
import re
from functools import cache

from dialer.calling_hours import is_place_zone, known_zones
from dialer.phones import Phone, area_code_zone, parse_phone, phone_zone

ET, CT, MT, PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
# state -> its zones, the easternmost first: the one a voter of the state takes when neither the ZIP nor the
# area code tells which. Placed east of home a voter is called from an hour early (8:00 with the default
# hours, still legal); placed west, past 21:00. Tennessee and Oregon took their most populous zone,
# Central and Pacific, and a Knoxville voter with a Los Angeles cell was called until 21:59 at home.
STATE_ZONES: dict[str, tuple[str, ...]] = {
    **{s: (ET,) for s in "CT DE DC GA ME MD MA NH NJ NY NC OH PA RI SC VT VA WV".split()},
    **{s: (CT,) for s in "AL AR IL IA LA MN MS MO OK WI".split()},
    **{s: (MT,) for s in "CO MT NM UT WY".split()},
    **{s: (PT,) for s in "CA WA NV".split()},
    "FL": (ET, CT),
    "IN": ("America/Indiana/Indianapolis", CT),
    "KY": (ET, CT),
    "MI": ("America/Detroit", "America/Menominee"),
    "TN": (ET, CT),
    "KS": (CT, MT),
    "NE": (CT, MT),
    "ND": (CT, MT),
    "SD": (CT, MT),
    "TX": (CT, MT),
    "ID": ("America/Boise", PT),
    "OR": ("America/Boise", PT),
    "AZ": ("America/Phoenix",),
    "AK": ("America/Anchorage",),
    "HI": ("Pacific/Honolulu",),
    "PR": ("America/Puerto_Rico",),
    "VI": ("America/St_Thomas",),
    "GU": ("Pacific/Guam",),
    "MP": ("Pacific/Saipan",),
    "AS": ("Pacific/Pago_Pago",),
}
# Area codes that phonenumbers places in two zones (its table has finer entries for a few exchanges only):
# the zone where most of the area code's people live.
# Without it such a voter with no state or ZIP took the campaign's default zone: a 907 (Alaska) voter in a
# New York campaign was called from 9:00 New York time, 5:00 in Anchorage.
AREA_CODE_MAIN_ZONES: dict[str, str] = {
    "907": "America/Anchorage",  # Alaska (Adak, on the Aleutians, is an hour behind)
    "605": CT,  # South Dakota: Sioux Falls; the west river is Mountain
    "701": CT,  # North Dakota: Fargo, Bismarck; the southwest is Mountain
    "775": PT,  # Nevada outside Las Vegas: Reno; West Wendover is Mountain
    "208": "America/Boise",  # Idaho: the south (Boise); the panhandle is Pacific
    "986": "America/Boise",  # Idaho (overlay of 208): the same
    "709": "America/St_Johns",  # Newfoundland; most of Labrador keeps Atlantic time
    "879": "America/St_Johns",  # Newfoundland and Labrador (overlay of 709)
}
# a state's or territory's name, as call lists from other tools spell it -> its code
STATE_NAMES: dict[str, str] = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA", "COLORADO": "CO",
    "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC", "WASHINGTON DC": "DC",
    "WASHINGTON D.C.": "DC", "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID",
    "ILLINOIS": "IL", "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA",
    "MAINE": "ME",
    "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI", "MINNESOTA": "MN", "MISSISSIPPI": "MS",
    "MISSOURI": "MO", "MONTANA": "MT", "NEBRASKA": "NE", "NEVADA": "NV", "NEW HAMPSHIRE": "NH",
    "NEW JERSEY": "NJ", "NEW MEXICO": "NM", "NEW YORK": "NY", "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND",
    "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR", "PENNSYLVANIA": "PA", "RHODE ISLAND": "RI",
    "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD", "TENNESSEE": "TN", "TEXAS": "TX", "UTAH": "UT",
    "VERMONT": "VT", "VIRGINIA": "VA", "WASHINGTON": "WA", "WEST VIRGINIA": "WV", "WISCONSIN": "WI",
    "WYOMING": "WY", "PUERTO RICO": "PR", "U.S. VIRGIN ISLANDS": "VI", "VIRGIN ISLANDS": "VI", "GUAM": "GU",
    "NORTHERN MARIANA ISLANDS": "MP", "AMERICAN SAMOA": "AS",
}  # fmt: skip


def state_code(cell: str) -> str | None:
    """The two-letter code of a state or territory given by code or by name ("ny", "New York"), or None."""
    name = " ".join(cell.split()).upper()
    return name if name in STATE_ZONES else STATE_NAMES.get(name)


# (first, last) 3-digit ZIP prefix -> state
_ZIP_RANGES: list[tuple[int, int, str]] = [
    (5, 5, "NY"), (6, 7, "PR"), (8, 8, "VI"), (9, 9, "PR"), (10, 27, "MA"), (28, 29, "RI"), (30, 38, "NH"),
    (39, 49, "ME"), (50, 54, "VT"), (55, 55, "MA"), (56, 59, "VT"), (60, 69, "CT"), (70, 89, "NJ"),
    (100, 149, "NY"), (150, 196, "PA"), (197, 199, "DE"), (200, 200, "DC"), (201, 201, "VA"),
    (202, 205, "DC"), (206, 219, "MD"), (220, 246, "VA"), (247, 268, "WV"), (270, 289, "NC"),
    (290, 299, "SC"), (300, 319, "GA"), (320, 339, "FL"), (341, 349, "FL"), (350, 369, "AL"),
    (370, 385, "TN"), (386, 397, "MS"), (398, 399, "GA"), (400, 427, "KY"), (430, 459, "OH"),
    (460, 479, "IN"), (480, 499, "MI"), (500, 528, "IA"), (530, 549, "WI"), (550, 567, "MN"),
    (569, 569, "DC"), (570, 577, "SD"), (580, 588, "ND"), (590, 599, "MT"), (600, 629, "IL"),
    (630, 658, "MO"), (660, 679, "KS"), (680, 693, "NE"), (700, 714, "LA"), (716, 729, "AR"),
    (730, 749, "OK"), (750, 799, "TX"), (800, 816, "CO"), (820, 831, "WY"), (832, 838, "ID"),
    (840, 847, "UT"), (850, 865, "AZ"), (870, 884, "NM"), (885, 885, "TX"), (889, 898, "NV"),
    (900, 961, "CA"), (967, 968, "HI"), (969, 969, "GU"), (970, 979, "OR"), (980, 994, "WA"),
    (995, 999, "AK"),
]  # fmt: skip


# ZIP prefixes of a state that spans zones whose people keep another zone than the state's first: a ZIP
# is where the voter lives, and its zone decides over the state's first or the area code's (a cell kept
# after a move). Without it a Knoxville voter (ZIP 379xx, Eastern) with a Nashville cell took the area
# code's zone, Central, and was called until 21:59 at home; a Pensacola or El Paso voter from 8:00 local time
# on a campaign calling from 9:00. A prefix is listed only when the zone given is the easternmost of its
# people's: a voter placed an hour east of home is called from an hour early (8:00 with the default hours,
# still legal), one placed west is called past 21:00. So 373 (Chattanooga's suburbs, and some Central
# counties) is Eastern, while 324 (Panama City; Port St. Joe is Eastern), 586 (Dickinson; Glen Ullin is
# Central), 798 (El Paso's county; Big Bend is Central) and 835 (Lewiston; Riggins is Mountain) stay as
# their state's rules say, as do Michigan's Upper Peninsula and western Kansas.
ZIP_PREFIX_ZONES: dict[int, str] = {
    325: CT,  # Florida: Pensacola, Fort Walton Beach
    **dict.fromkeys((373, 374, 376, 377, 378, 379), ET),  # Tennessee: Chattanooga, Johnson City, Knoxville
    **dict.fromkeys((370, 371, 372, 380, 381, 382, 383, 384), CT),  # Tennessee: Nashville, Memphis, Jackson
    **dict.fromkeys((420, 421, 422, 423, 424), CT),  # Kentucky: Paducah, Bowling Green, Owensboro
    **dict.fromkeys((463, 464, 476, 477), CT),  # Indiana: Gary and Hammond, Evansville
    577: MT,  # South Dakota: Rapid City
    693: MT,  # Nebraska: Scottsbluff, Alliance
    **dict.fromkeys((799, 885), MT),  # Texas: El Paso
    838: PT,  # Idaho: the panhandle (Coeur d'Alene)
    979: "America/Boise",  # Oregon: Ontario (Malheur County)
    **dict.fromkeys(range(970, 979), PT),  # Oregon: the rest of it (Portland, Eugene, Bend, Pendleton)
}
# 5-digit ZIPs whose territory differs from their 3-digit prefix's: American Samoa shares Hawaii's 967 (an
# hour behind Honolulu), the Northern Mariana Islands Guam's 969.
_ZIP_TERRITORIES: dict[str, str] = {"96799": "AS", "96950": "MP", "96951": "MP", "96952": "MP"}


# A ZIP of three or four digits (perhaps with its +4) lost its leading zeros to a spreadsheet that read the
# column as numbers: Hartford's 06101 saved as 6101, whose first three digits name Illinois.
_SHORT_ZIP = re.compile(r"(\d{3,4})(?:-\d{4})?|(\d{7,8})")  # 5 digits (+4), or 9 written without the dash


def _zip5(zip_code: str) -> str:
    """The ZIP's first five characters, with the leading zeros a spreadsheet dropped put back."""
    cell = zip_code.strip()
    if short := _SHORT_ZIP.fullmatch(cell):
        cell = short.group(1).zfill(5) if short.group(1) else short.group(2).zfill(9)
    return cell[:5]


def zip_zone(zip_code: str) -> str | None:
    """The zone of a ZIP in a state that spans zones when its prefix lies in one other than the state's
    first zone (ZIP_PREFIX_ZONES), else None (the state's rules decide)."""
    digits = _zip5(zip_code)
    return ZIP_PREFIX_ZONES.get(int(digits[:3])) if digits[:3].isdigit() and len(digits) >= 3 else None


def state_of_zip(zip_code: str) -> str | None:
    """The state of a ZIP code's 3-digit prefix, or None; a short ZIP gets its leading zeros back."""
    digits = _zip5(zip_code)
    if len(digits) < 3 or not digits[:3].isdigit():
        return None
    if digits in _ZIP_TERRITORIES:
        return _ZIP_TERRITORIES[digits]
    prefix = int(digits[:3])
    for first, last, state in _ZIP_RANGES:
        if first <= prefix <= last:
            return state
    return None


class ZoneSource(enum.StrEnum):
    """What decided a contact's time zone, in words for an import report ("from the state")."""

    TIMEZONE = "time zone column"
    STATE = "state"
    ZIP = "ZIP code"
    AREA_CODE = "area code"
    DEFAULT = "campaign's default time zone"


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in known_zones()}


def zone_named(timezone: str) -> str | None:
    """The tz database's name for a `timezone` cell whatever its case and spaces (any zone, EST too)."""
    return _zones_by_folded_name().get(timezone.strip().casefold())


def is_offset_zone(name: str) -> bool:
    """UTC or an Etc/ zone (Etc/GMT+5): a fixed offset that is no one's home. A campaign may keep its
    hours in UTC, but a voter lives somewhere: such a `timezone` cell says nothing of the voter's clock
    (a list exported with every cell `UTC` had every voter called on London's hours)."""
    return name == "UTC" or name.startswith("Etc/")


_OFFSET_NAMES = {"GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich", "UCT", "Universal", "Zulu"}


def unknown_zone_reason(timezone: str) -> str:
    """Why a `timezone` cell that place_zone passes over gives no zone, for an import warning."""
    named = zone_named(timezone)
    if named is None:
        return "not an IANA name like America/Chicago"
    if is_offset_zone(named) or named in _OFFSET_NAMES:
        return "a fixed offset, not a place: calling hours need the voter's local clock"
    return "an abbreviation: a fixed offset with no daylight saving, an hour off local time half the year"


def place_zone(timezone: str) -> str | None:
    """The IANA place zone a `timezone` cell names, as the tz database spells it: its case and surrounding
    spaces do not matter (lists exported by other tools write `america/denver`, which was passed over for
    the area code's zone, another zone for a voter who moved). None when it names no place zone, or
    names UTC or an Etc/ offset (is_offset_zone)."""
    name = zone_named(timezone)
    return name if name and is_place_zone(name) and not is_offset_zone(name) else None


def zone_of(
    phone: Phone, *, timezone: str, state: str, zip_code: str, default: str
) -> tuple[str, ZoneSource]:
    """The contact's time zone and its source (a `timezone` that is not an IANA place zone is passed over,
    and so are UTC and the Etc/ offsets)."""
    if timezone and (named := place_zone(timezone)):
        return named, ZoneSource.TIMEZONE
    by_state = STATE_ZONES.get(state_code(state) or "")
    source = ZoneSource.STATE
    if not by_state:
        by_state = STATE_ZONES.get(state_of_zip(zip_code) or "")
        source = ZoneSource.ZIP
    by_area = phone_zone(phone)
    if by_area is None and phone.nanp and not phone.abroad:
        by_area = AREA_CODE_MAIN_ZONES.get(phone.area_code)
    if by_state:
        zip_state = state_of_zip(zip_code)
        # the ZIP's zone counts when the ZIP is in the state the zone is taken from
        by_zip = zip_zone(zip_code) if zip_state == (state_code(state) or zip_state) else None
        if by_zip in by_state:
            return by_zip, source  # the voter's address decides within the state (ZIP_PREFIX_ZONES)
        return (by_area if by_area in by_state else by_state[0]), source
    if by_area:
        return by_area, ZoneSource.AREA_CODE
    return default, ZoneSource.DEFAULT


def time_zone_for(e164: str, *, timezone: str, state: str, zip_code: str, default: str) -> str:
    """The time zone of a stored (E.164) number's contact; see `zone_of`."""
    phone = parse_phone(e164)
    if phone is None:
        return place_zone(timezone) or default
    return zone_of(phone, timezone=timezone, state=state, zip_code=zip_code, default=default)[0]


__all__ = [
    "AREA_CODE_MAIN_ZONES",
    "STATE_NAMES",
    "STATE_ZONES",
    "ZIP_PREFIX_ZONES",
    "ZoneSource",
    "area_code_zone",
    "is_offset_zone",
    "place_zone",
    "state_code",
    "state_of_zip",
    "time_zone_for",
    "unknown_zone_reason",
    "zone_named",
    "zip_zone",
    "zone_of",
]
