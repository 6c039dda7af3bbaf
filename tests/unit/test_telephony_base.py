from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialer.models import ResultCode
from dialer.telephony.base import (
    AnsweredBy,
    CallEvent,
    CallStatus,
    EventKind,
    MachineDetection,
    PlaceCall,
    advances,
    suggested_result,
)

FINAL = [s for s in CallStatus if s.is_final]
STATUS_URL = "https://dialer.example.org/twilio/status"


def test_a_leg_moves_through_its_states_in_order() -> None:
    path = [
        CallStatus.QUEUED,
        CallStatus.INITIATED,
        CallStatus.RINGING,
        CallStatus.IN_PROGRESS,
        CallStatus.COMPLETED,
    ]
    for old, new in itertools.pairwise(path):
        assert advances(old, new)
        assert not advances(new, old)


def test_nothing_moves_a_leg_that_has_ended() -> None:
    for old in FINAL:
        for new in CallStatus:
            assert not advances(old, new), (old, new)


def test_a_repeated_status_changes_nothing() -> None:
    for status in CallStatus:
        assert not advances(status, status)


def test_the_first_report_always_counts() -> None:
    assert all(advances(None, status) for status in CallStatus)


def test_a_leg_may_end_from_any_live_state() -> None:
    for old in (CallStatus.QUEUED, CallStatus.INITIATED, CallStatus.RINGING, CallStatus.IN_PROGRESS):
        for new in FINAL:
            assert advances(old, new)


@given(st.lists(st.sampled_from(list(CallStatus)), min_size=1, max_size=12))
def test_applying_callbacks_in_any_order_keeps_the_furthest_state(reports: list[CallStatus]) -> None:
    state: CallStatus | None = None
    for report in reports:
        if advances(state, report):
            state = report
    assert state is not None
    assert state.rank == max(report.rank for report in reports)
    # The first end state reported wins over any later one.
    finals = [report for report in reports if report.is_final]
    if finals:
        assert state is finals[0]


@pytest.mark.parametrize(
    ("status", "answered_by", "expected"),
    [
        (CallStatus.BUSY, None, ResultCode.BUSY),
        (CallStatus.NO_ANSWER, None, ResultCode.NO_ANSWER),
        (CallStatus.FAILED, None, ResultCode.DISCONNECTED),
        (CallStatus.CANCELED, None, ResultCode.NO_ANSWER),
        (CallStatus.COMPLETED, AnsweredBy.MACHINE_END_BEEP, ResultCode.VOICEMAIL),
        (CallStatus.IN_PROGRESS, AnsweredBy.MACHINE_START, ResultCode.VOICEMAIL),
        (None, AnsweredBy.MACHINE_END_SILENCE, ResultCode.VOICEMAIL),
        (CallStatus.COMPLETED, AnsweredBy.FAX, ResultCode.WRONG_NUMBER),
        (CallStatus.COMPLETED, AnsweredBy.HUMAN, None),
        (CallStatus.COMPLETED, None, None),
        (CallStatus.RINGING, None, None),
        (CallStatus.COMPLETED, AnsweredBy.UNKNOWN, None),
    ],
)
def test_carrier_outcomes_prefill_the_result(
    status: CallStatus | None, answered_by: AnsweredBy | None, expected: ResultCode | None
) -> None:
    assert suggested_result(status, answered_by) is expected


def test_dedupe_key_tells_retries_from_new_callbacks() -> None:
    sid = "CA" + "1" * 32
    first = CallEvent(sid, CallStatus.RINGING, sequence_number=1)
    retry = CallEvent(sid, CallStatus.RINGING, sequence_number=1, timestamp=5.0)
    later = CallEvent(sid, CallStatus.IN_PROGRESS, sequence_number=2)
    amd = CallEvent(sid, None, kind=EventKind.AMD, answered_by=AnsweredBy.HUMAN)
    assert first.dedupe_key == retry.dedupe_key
    assert len({first.dedupe_key, later.dedupe_key, amd.dedupe_key}) == 3


def test_place_call_checks_its_decision() -> None:
    ok = PlaceCall("+12025550142", "+13125550101", STATUS_URL, url="https://dialer.example.org/twiml/bridge")
    assert ok.timeout >= 15
    with pytest.raises(ValueError, match="exactly one"):
        PlaceCall("+12025550142", "+13125550101", STATUS_URL)
    with pytest.raises(ValueError, match="exactly one"):
        PlaceCall("+12025550142", "+13125550101", STATUS_URL, twiml="<Response/>", url="https://x.example/")
    with pytest.raises(ValueError, match="timeout"):
        PlaceCall("+12025550142", "+13125550101", STATUS_URL, twiml="<Response/>", timeout=10)
    with pytest.raises(ValueError, match="events"):
        PlaceCall(
            "+12025550142", "+13125550101", STATUS_URL, twiml="<Response/>", status_callback_events=("busy",)
        )
    with pytest.raises(ValueError, match="machine_detection"):
        PlaceCall("+12025550142", "+13125550101", STATUS_URL, twiml="<Response/>", async_amd=True)
    amd = PlaceCall(
        "+12025550142",
        "+13125550101",
        STATUS_URL,
        twiml="<Response/>",
        machine_detection=MachineDetection.DETECT_MESSAGE_END,
        async_amd=True,
        amd_status_callback="https://dialer.example.org/twilio/amd",
    )
    assert amd.async_amd


def test_carriers_cannot_reach_redis() -> None:
    """Carriers translate and never persist: no telephony module may import a Redis client."""
    import ast
    from pathlib import Path

    import dialer.telephony

    package = Path(dialer.telephony.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert len(modules) >= 8
    for module in modules:
        tree = ast.parse(module.read_text())
        imported = {
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        }
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name.split(".")[0] in {"redis", "rq", "dialer.queue"} for name in imported), module
        assert not any(name.startswith("dialer.queue") for name in imported), module
