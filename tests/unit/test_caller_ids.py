"""Local caller ID (pure): which number a voter sees, and what a campaign's pool may hold."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.caller_ids import STATES, CallerId, area_code_of, choose_caller_id, pool_problems
from dialer.campaigns import Campaign, CampaignInvalid, apply_patch, validate_new

DEFAULT = "+12025550100"
PHILLY = CallerId("+12155550100", area_codes=("267", "445"), states=("PA",))
CHICAGO = CallerId("+13125550100")
TEXAS = CallerId("+15125550100", states=("TX",))
POOL = (PHILLY, CHICAGO, TEXAS)
BASE = {"name": "Get out the vote", "script_id": "gotv-2026", "caller_id": DEFAULT}


@pytest.mark.parametrize(
    ("phone", "state", "zip_code", "expected"),
    [
        ("+12675550123", "", "", PHILLY.number),  # a tagged area code
        ("+12155550123", "NY", "", PHILLY.number),  # the number's own area code, before the state
        ("+13125550123", "", "", CHICAGO.number),  # untagged: serves its own area code
        ("+14125550123", "PA", "", PHILLY.number),  # Pittsburgh: no local number, the state's
        ("+14125550123", "pa ", "", PHILLY.number),  # the list's state as people type it
        ("+14125550123", "", "15213", PHILLY.number),  # no state column: the ZIP's state
        ("+12145550123", "TX", "", TEXAS.number),
        ("+16175550123", "MA", "02134", DEFAULT),  # nothing matches: the default
        ("+16175550123", "Nowhere", "", DEFAULT),
        ("+442079460958", "", "", DEFAULT),  # abroad: no area code
    ],
)
def test_area_code_then_state_then_default(phone: str, state: str, zip_code: str, expected: str) -> None:
    assert choose_caller_id(DEFAULT, POOL, phone=phone, state=state, zip_code=zip_code) == expected


def test_a_tag_beats_another_numbers_own_area_code() -> None:
    pool = (CallerId("+12675550199"), CallerId("+12155550100", area_codes=("267",)))
    assert choose_caller_id(DEFAULT, pool, phone="+12675550123") == "+12155550100"


def test_without_a_pool_every_call_shows_the_default() -> None:
    assert choose_caller_id(DEFAULT, (), phone="+12155550123", state="PA") == DEFAULT


NANP = st.from_regex(r"\A\+1[2-9]\d{2}[2-9]\d{6}\Z")
AREA = st.from_regex(r"\A[2-9]\d\d\Z")
STATE = st.sampled_from(sorted(STATES))
ENTRY = st.builds(
    CallerId,
    number=NANP,
    area_codes=st.lists(AREA, max_size=3).map(tuple),
    states=st.lists(STATE, max_size=3).map(tuple),
)


@given(pool=st.lists(ENTRY, max_size=6), phone=NANP, state=STATE | st.just(""), zip_code=st.text(max_size=6))
def test_the_choice_is_always_one_of_the_campaigns_numbers(
    pool: list[CallerId], phone: str, state: str, zip_code: str
) -> None:
    chosen = choose_caller_id(DEFAULT, pool, phone=phone, state=state, zip_code=zip_code)
    assert chosen in {DEFAULT} | {e.number for e in pool}
    if not pool:
        assert chosen == DEFAULT


@given(pool=st.lists(ENTRY, max_size=6), phone=NANP, state=STATE | st.just(""))
def test_area_code_first_then_state_then_default(pool: list[CallerId], phone: str, state: str) -> None:
    chosen = choose_caller_id(DEFAULT, pool, phone=phone, state=state)
    area = area_code_of(phone)
    tagged = [e for e in pool if area in e.area_codes]
    own = [e for e in pool if area_code_of(e.number) == area]
    in_state = [e for e in pool if state and state in e.states]
    if tagged:
        assert chosen == tagged[0].number
    elif own:
        assert chosen == own[0].number
    elif in_state:
        assert chosen == in_state[0].number
    else:
        assert chosen == DEFAULT


# ---- validation -----------------------------------------------------------------------------------------


def paths(pool: Any) -> list[str]:
    return [p["path"] for p in pool_problems(pool)]


def test_a_good_pool_has_no_problems() -> None:
    assert (
        pool_problems(
            [{"number": "+12155550100", "area_codes": ["267"], "states": ["pa"]}, {"number": "+13125550100"}]
        )
        == []
    )


@pytest.mark.parametrize(
    ("pool", "expected"),
    [
        ("+12155550100", ["caller_ids"]),
        (["+12155550100"], ["caller_ids[0]"]),
        ([{"number": "215-555-0100"}], ["caller_ids[0].number"]),
        ([{}], ["caller_ids[0].number"]),
        ([{"number": "+12155550100", "color": "red"}], ["caller_ids[0].color"]),
        ([{"number": "+12155550100"}, {"number": "+12155550100"}], ["caller_ids[1].number"]),
        ([{"number": "+12155550100", "area_codes": ["21"]}], ["caller_ids[0].area_codes[0]"]),
        ([{"number": "+12155550100", "area_codes": "215"}], ["caller_ids[0].area_codes"]),
        ([{"number": "+12155550100", "states": ["XX", "PA"]}], ["caller_ids[0].states[0]"]),
        (
            [{"number": "+12155550100", "states": ["PA"]}, {"number": "+14125550100", "states": ["pa"]}],
            ["caller_ids[1].states[0]"],
        ),
        (
            [{"number": "+12155550100", "area_codes": ["267", "267"]}],
            ["caller_ids[0].area_codes[1]"],
        ),
        ([{"number": "+1215555010"}] * 101, ["caller_ids"]),
    ],
)
def test_bad_pools_name_the_field(pool: Any, expected: list[str]) -> None:
    assert paths(pool) == expected


def test_a_second_number_for_a_state_says_which_has_it() -> None:
    problems = pool_problems(
        [{"number": "+12155550100", "states": ["PA"]}, {"number": "+14125550100", "states": ["PA"]}]
    )
    assert problems == [
        {"path": "caller_ids[1].states[0]", "message": "PA is already served by caller_ids[0]"}
    ]


def test_the_campaign_keeps_its_pool_through_create_update_and_storage() -> None:
    campaign = validate_new({**BASE, "caller_ids": [{"number": "+12155550100", "states": ["pa"]}]}, now=0.0)
    assert campaign.caller_ids == (CallerId("+12155550100", states=("PA",)),)
    data = json.loads(json.dumps(campaign.to_json()))
    assert data["caller_ids"] == [{"number": "+12155550100", "area_codes": [], "states": ["PA"]}]
    assert Campaign.from_json(data) == campaign
    assert campaign.caller_id_for("+14125550123", "PA") == "+12155550100"
    cleared = apply_patch(campaign, {"caller_ids": []})
    assert cleared.caller_ids == () and cleared.caller_id_for("+14125550123", "PA") == DEFAULT


def test_campaigns_stored_before_the_pool_existed_read_as_default_only() -> None:
    data = validate_new(dict(BASE), now=0.0).to_json()
    del data["caller_ids"]
    assert Campaign.from_json(data).caller_ids == ()


def test_create_and_update_refuse_a_bad_pool_and_change_nothing() -> None:
    with pytest.raises(CampaignInvalid) as info:
        validate_new({**BASE, "caller_ids": [{"number": "nope"}]}, now=0.0)
    assert [p["path"] for p in info.value.problems] == ["caller_ids[0].number"]
    campaign = validate_new(dict(BASE), now=0.0)
    with pytest.raises(CampaignInvalid):
        apply_patch(campaign, {"caller_ids": None})


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=5)
    | st.sampled_from(["PA", "215", "+12155550100"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["number", "area_codes", "states", "x"]), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(value=JSON)
def test_any_json_is_judged_without_raising_and_a_clean_pool_round_trips(value: Any) -> None:
    problems = pool_problems(value)
    assert all(p["path"].startswith("caller_ids") and p["message"] for p in problems)
    if not problems:
        campaign = validate_new({**BASE, "caller_ids": value}, now=0.0)
        assert Campaign.from_json(json.loads(json.dumps(campaign.to_json()))) == campaign
