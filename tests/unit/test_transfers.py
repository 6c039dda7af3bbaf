"""Warm-transfer targets (pure): the campaign's list validated, names matched exactly, a script's
transfers checked against the list; the script format's `transfer` on a choice."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.campaigns import CampaignInvalid, apply_patch, validate_new
from dialer.scripts.engine import start, step_payload
from dialer.scripts.loader import load_script
from dialer.scripts.model import ScriptError
from dialer.transfers import (
    FAILED,
    TransferStatus,
    TransferTarget,
    find_target,
    next_status,
    parse_targets,
    target_problems,
    unknown_targets,
)

RIDES = {"name": "Rides desk", "phone": "+12025550150"}
SCRIPT = """id: rides
title: Rides
start: intro
steps:
  intro:
    text: Need a ride to the polls?
    choices:
      - {label: "Yes, transfer", value: ride, transfer: "Rides desk", result: contacted}
      - {label: "No", result: refused}
"""


def test_targets_are_validated_with_a_path_per_problem() -> None:
    assert target_problems([RIDES, {"name": "Legal", "phone": "+13125550101"}]) == []
    bad = [
        {"name": "", "phone": "+12025550150"},
        {"name": "Rides desk", "phone": "2025550150"},
        RIDES,
        {**RIDES, "extra": 1},
        "Rides desk",
    ]
    paths = [p["path"] for p in target_problems(bad)]
    assert paths == [
        "transfer_targets[0].name", "transfer_targets[1].phone", "transfer_targets[2].name",
        "transfer_targets[3].extra", "transfer_targets[3].name", "transfer_targets[4]",
    ]  # fmt: skip
    assert target_problems("Rides") and target_problems([RIDES] * 21)


@given(
    st.lists(
        st.fixed_dictionaries({"name": st.text(max_size=120), "phone": st.text(max_size=20)}), max_size=25
    )
)
def test_valid_targets_parse_and_are_found_by_their_own_name(raw: list[dict[str, str]]) -> None:
    if target_problems(raw):
        return
    targets = parse_targets(raw)
    assert len({t.name for t in targets}) == len(targets)
    for t in targets:
        assert find_target(targets, t.name) == t and find_target(targets, f"  {t.name} ") == t
    assert find_target(targets, None) is None


def test_a_script_may_name_only_listed_targets() -> None:
    script = load_script(SCRIPT.encode(), "application/yaml").script
    assert script.transfers() == [("steps.intro.choices[0].transfer", "Rides desk")]
    listed = (TransferTarget("Rides desk", "+12025550150"),)
    assert unknown_targets(script.transfers(), listed) == []
    (problem,) = unknown_targets(script.transfers(), ())
    assert problem["path"] == "steps.intro.choices[0].transfer" and "Rides desk" in problem["message"]
    payload = step_payload(script, start(script), {})
    assert payload["choices"][0]["transfer"] == "Rides desk" and "transfer" not in payload["choices"][1]


@pytest.mark.parametrize("value", ['""', "3", "[a]"])
def test_a_transfer_must_name_something(value: str) -> None:
    with pytest.raises(ScriptError) as caught:
        load_script(SCRIPT.replace('"Rides desk"', value).encode(), "application/yaml")
    assert any(p.path == "steps.intro.choices[0].transfer" for p in caught.value.errors)


def test_the_campaign_keeps_its_targets() -> None:
    body = {"name": "C", "script_id": "rides", "caller_id": "+12025550199", "transfer_targets": [RIDES]}
    campaign = validate_new(body, time.time())
    assert campaign.transfer_targets == (TransferTarget("Rides desk", "+12025550150"),)
    assert campaign.to_json()["transfer_targets"] == [RIDES]
    assert type(campaign).from_json(campaign.to_json()) == campaign
    assert apply_patch(campaign, {"transfer_targets": []}).transfer_targets == ()
    with pytest.raises(CampaignInvalid) as caught:
        apply_patch(campaign, {"transfer_targets": [{"name": "X", "phone": "555"}]})
    assert caught.value.problems == [{"path": "transfer_targets[0].phone",
                                      "message": "must be an E.164 number like +12025550142"}]  # fmt: skip


STATUSES = [
    "queued",
    "initiated",
    "ringing",
    "in-progress",
    "completed",
    "busy",
    "failed",
    "no-answer",
    "canceled",
]


@given(st.lists(st.sampled_from(STATUSES), max_size=12))
def test_a_transfer_moves_once_and_forward_whatever_the_callbacks(reported: list[str]) -> None:
    state, moves = TransferStatus.RINGING, 0
    for status in reported:
        new = next_status(state, status)
        if new is not None:
            state, moves = new, moves + 1
    assert moves <= 1
    first_end = next((s for s in reported if s in ("in-progress", *FAILED, "completed")), None)
    expected = {None: TransferStatus.RINGING, "in-progress": TransferStatus.ANSWERED}.get(first_end, "failed")
    assert state == expected
