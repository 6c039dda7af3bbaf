"""A cell is known as a cell however a call list writes it, so the server never autodials it without
consent (phone_types.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.calling_hours import DEFAULT_WINDOW
from dialer.contacts import Contact, parse_contacts
from dialer.guardrails import DialFacts, Refusal, check_dial
from dialer.models import CampaignStatus
from dialer.phone_types import line_type, row_phone_type

NOON_NY = 1791302400.0  # 2026-10-06 12:00 in New York


@pytest.mark.parametrize(
    "cell",
    ["cellphone", "CELLPHONE", "Mobile Phone", "Wireless Phone", "Cellular Phone", "cell_phone", "Cell-Phone",
     "Mobile/Cell", "W", "c", "M", "Landline (ported to wireless)", "ported", "Celular", "verified cell"],
)  # fmt: skip
def test_a_cell_written_any_way_is_a_cell(cell: str) -> None:
    assert line_type(cell) == "cell"


@pytest.mark.parametrize(
    ("cell", "kind"),
    [("Landline", "landline"), ("Land Line", "landline"), ("home", "landline"), ("L", "landline"),
     ("VoIP", ""), ("unknown", ""), ("", ""), ("?", "")],
)  # fmt: skip
def test_landlines_and_unknowns(cell: str, kind: str) -> None:
    assert line_type(cell) == kind


def test_any_source_saying_cell_wins() -> None:
    assert row_phone_type("landline", "", "Y", "") == "cell"  # a cell flag beside the type column
    assert row_phone_type("landline", "cell", "", "") == "cell"  # taken from the Cell Phone column
    assert row_phone_type("landline", "", "", "Yes") == "cell"  # ported
    assert row_phone_type("Landline", "", "N", "N") == "landline"
    assert row_phone_type("", "landline", "", "") == "landline"
    assert row_phone_type("", "", "", "") == ""


_WORD = st.sampled_from(["cell", "cellphone", "mobile", "wireless", "cellular", "ported"])
_NOISE = st.text(alphabet=" _-/()", min_size=1, max_size=3)


@given(
    st.text(alphabet="abc xyz", max_size=12), _NOISE, _WORD, _NOISE, st.text(alphabet="abc xyz", max_size=12)
)
def test_a_cell_word_anywhere_makes_a_cell(before: str, left: str, word: str, right: str, after: str) -> None:
    cell = before + left + word.upper() + right + after
    assert line_type(cell) == "cell"
    assert row_phone_type("landline", "landline", "N", "") == "landline"
    assert row_phone_type(cell, "landline", "N", "") == "cell"


def _facts(contact: Contact) -> DialFacts:
    return DialFacts(
        CampaignStatus.ACTIVE,
        DEFAULT_WINDOW,
        3,
        cell_consent=False,
        held=True,
        on_dnc=False,
        timezone=contact.timezone,
        attempts=0,
        phone_type=contact.phone_type,
        server_dialed=True,
    )


def test_a_list_marking_cells_its_own_way_is_not_autodialed() -> None:
    """The path a list takes: imported, then the dial-time check the pacer makes (no cell consent)."""
    data = (
        b"phone,state,phone_type,Is Cell,Ported\n"
        b"(212) 555-0101,NY,cellphone,,\n"
        b"(212) 555-0102,NY,Mobile Phone,,\n"
        b"(212) 555-0103,NY,W,,\n"
        b"(212) 555-0104,NY,landline,Y,\n"
        b"(212) 555-0105,NY,landline,,Y\n"
        b"(212) 555-0106,NY,Landline (ported to wireless),,\n"
        b"(212) 555-0107,NY,Landline,N,N\n"
    )
    contacts = [
        c for c in parse_contacts([data], default_timezone="America/New_York") if isinstance(c, Contact)
    ]
    refusals = {c.phone[-4:]: check_dial(_facts(c), NOON_NY) for c in contacts}
    assert refusals == {f"010{i}": Refusal.CELL_WITHOUT_CONSENT for i in range(1, 7)} | {"0107": None}
    assert contacts[4].fields == {"Ported": "Y"}  # a column API.md does not name is still kept


def test_recorded_messages_go_to_cells_only_with_consent() -> None:
    from dialer.guardrails import may_play_recorded_message

    assert not may_play_recorded_message("cell", cell_consent=False)
    assert may_play_recorded_message("cell", cell_consent=True)
    assert may_play_recorded_message("landline", cell_consent=False)
