"""A voter's ZIP decides their zone inside a state that spans zones (contact_zones.ZIP_PREFIX_ZONES)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.calling_hours import DEFAULT_WINDOW, Window, is_open
from dialer.contact_zones import STATE_ZONES, ZIP_PREFIX_ZONES, ZoneSource, state_of_zip, zip_zone, zone_of
from dialer.contacts import Contact, parse_contacts
from dialer.phones import parse_phone

ET, CT, MT, PT = "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"
NASHVILLE = "+16155550123"  # an area code in Central Tennessee
NEW_YORK = "+12125550123"
LOS_ANGELES = "+12135550123"


@pytest.mark.parametrize(
    ("phone", "state", "zip_code", "zone"),
    [
        (NASHVILLE, "TN", "37902", ET),  # Knoxville, with a Nashville cell: was Central, called to 21:59
        (NASHVILLE, "", "37402", ET),  # Chattanooga, no state cell
        (NEW_YORK, "OR", "97914", "America/Boise"),  # Ontario, Oregon keeps Mountain time: was Pacific
        (NEW_YORK, "FL", "32501", CT),  # Pensacola: was Eastern
        (NEW_YORK, "TX", "79901", MT),  # El Paso: was Central
        (NEW_YORK, "", "88510", MT),  # El Paso's other prefix
        (NEW_YORK, "KY", "42101", CT),  # Bowling Green: was Eastern
        (NEW_YORK, "IN", "46320", CT),  # Hammond
        (NEW_YORK, "SD", "57701", MT),  # Rapid City
        (NEW_YORK, "ID", "83814", PT),  # Coeur d'Alene
        (NEW_YORK, "", "96799", "Pacific/Pago_Pago"),  # American Samoa shares Hawaii's 967: was Honolulu
        # Prefixes with people in a zone east of the one they would give keep their state's rules.
        (NEW_YORK, "FL", "32456", ET),  # Port St. Joe (Panama City's 324 is mostly Central)
        (NEW_YORK, "TX", "79830", CT),  # Alpine (El Paso County's 798 reaches Big Bend)
        (NEW_YORK, "ND", "58631", CT),  # Glen Ullin (Dickinson's 586)
        # Nothing but the state: its easternmost zone (Tennessee and Oregon took Central and Pacific).
        (LOS_ANGELES, "TN", "", ET),
        (NEW_YORK, "OR", "", "America/Boise"),
        (LOS_ANGELES, "TN", "37201", CT),  # Nashville, by its ZIP
        (NEW_YORK, "OR", "97201", PT),  # Portland, by its ZIP
        (NASHVILLE, "TN", "", CT),  # the area code, when it is one of the state's
    ],
)
def test_zip_decides_within_a_split_state(phone: str, state: str, zip_code: str, zone: str) -> None:
    number = parse_phone(phone)
    assert number is not None
    found, _ = zone_of(number, timezone="", state=state, zip_code=zip_code, default=ET)
    assert found == zone


def test_zip_of_another_state_leaves_the_state_cell_in_charge() -> None:
    number = parse_phone(NASHVILLE)
    assert number is not None
    # A Knoxville ZIP under a Kentucky state cell: the cells disagree, Kentucky's rules decide as before
    # (the Nashville area code's zone is one of Kentucky's), not the ZIP's Eastern.
    assert zone_of(number, timezone="", state="KY", zip_code="37902", default=ET) == (CT, ZoneSource.STATE)
    # The timezone column still wins over everything.
    assert zone_of(number, timezone="America/Chicago", state="TN", zip_code="37902", default=ET)[0] == CT


def test_a_knoxville_voter_imported_with_a_nashville_cell_is_not_called_after_nine() -> None:
    """The path a list takes: imported, then asked at 21:30 in Knoxville (20:30 in Nashville) whether the
    voter may be called; a campaign calling until 21:00."""
    data = b"phone,first_name,state,zip\n(615) 555-0123,Ann,TN,37902\n"
    (contact,) = parse_contacts([data], default_timezone=ET)
    assert isinstance(contact, Contact)
    late = datetime(2026, 10, 6, 21, 30, tzinfo=ZoneInfo(ET)).timestamp()
    assert not is_open(contact.timezone, DEFAULT_WINDOW, late)
    early = datetime(2026, 10, 6, 8, 30, tzinfo=ZoneInfo(CT)).timestamp()  # 8:30 in Pensacola
    (pensacola,) = parse_contacts([b"phone,state,zip\n(212) 555-0123,FL,32501\n"], default_timezone=ET)
    assert isinstance(pensacola, Contact)
    assert not is_open(pensacola.timezone, Window.parse("08:00", "21:00"), early - 3600)  # 7:30 there


def test_every_prefix_zone_is_one_of_its_states_zones() -> None:
    for prefix, zone in ZIP_PREFIX_ZONES.items():
        state = state_of_zip(f"{prefix:03d}01")
        assert state is not None and zone in STATE_ZONES[state], (prefix, state, zone)


@given(st.from_regex(r"\d{5}", fullmatch=True), st.sampled_from(["", *sorted(STATE_ZONES)]))
def test_the_zone_is_always_one_of_the_states(zip_code: str, state: str) -> None:
    number = parse_phone(NASHVILLE)
    assert number is not None
    zone, source = zone_of(number, timezone="", state=state, zip_code=zip_code, default=ET)
    named = state or state_of_zip(zip_code)
    if named:
        assert zone in STATE_ZONES[named]
        if zip_zone(zip_code) and state_of_zip(zip_code) == named:
            assert zone == zip_zone(zip_code)
    else:
        assert source is ZoneSource.AREA_CODE


@pytest.mark.parametrize(
    "instant", [datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC)]
)
def test_a_states_first_zone_is_its_easternmost(instant: datetime) -> None:
    """The zone a voter takes when only the state is known: placed east of home they are called from an
    hour early at worst; placed west, past 21:00."""
    for state, zones in STATE_ZONES.items():
        offsets = [instant.astimezone(ZoneInfo(z)).utcoffset() for z in zones]
        assert offsets[0] == max(o for o in offsets if o is not None), (state, zones)
